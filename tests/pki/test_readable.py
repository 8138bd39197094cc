"""Certificates and CSRs whose names or extensions cryptography can only decode lazily."""

import base64
import datetime as dt
import textwrap

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certificates.pki.bundle import load_certificates, split_leaf_and_chain
from certificates.pki.certinfo import check_leaf, describe_certificate
from certificates.pki.csr import inspect_csr, load_csr, validate_csr
from certificates.pki.errors import PkiError
from certificates.pki.readable import is_ca, san_emails
from tests.pki.conftest import NOW
from tests.testca import SmimeTestCA

DER = serialization.Encoding.DER
MARK = b"MARKER"  # a UTF8String (or IA5String) value, patched to invalid bytes below
BROKEN = b"MA\xff\xfeER"
EMAIL = "jane@example.com"
SUBJECT_ERROR = "^The certificate's subject is not valid DER/UTF-8; ask the CA for a correct file."
ISSUER_ERROR = "^The certificate's issuer name is not valid DER/UTF-8; ask the CA"
CSR_SUBJECT_ERROR = "^The CSR's subject is not valid DER/UTF-8; create a new CSR"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _broken_cert(*, subject: str = "Jane", issuer: str = "Issuer", san: str = EMAIL) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=300))
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(san)]), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(DER)
    assert der.count(MARK) == 1
    return der.replace(MARK, BROKEN)  # the signature no longer verifies; nothing checks it first


def _broken_csr(ca_email: str = EMAIL) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, "MARKER"),
                    x509.NameAttribute(NameOID.EMAIL_ADDRESS, ca_email),
                ]
            )
        )
        .sign(key, hashes.SHA256())
    )
    der = csr.public_bytes(DER)
    assert der.count(MARK) == 1
    return der.replace(MARK, BROKEN)


def _pem(label: str, der: bytes) -> bytes:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode()


@pytest.mark.parametrize("pem", [False, True])
def test_upload_with_invalid_utf8_in_the_subject_is_refused(pem: bool) -> None:
    der = _broken_cert(subject="MARKER")
    with pytest.raises(PkiError, match=SUBJECT_ERROR):
        load_certificates(_pem("CERTIFICATE", der) if pem else der)


def test_upload_with_invalid_utf8_in_the_issuer_is_refused() -> None:
    with pytest.raises(PkiError, match=ISSUER_ERROR):
        load_certificates(_broken_cert(issuer="MARKER"))


def test_upload_with_a_malformed_extension_is_refused() -> None:
    # An rfc822Name is an IA5String: bytes above 0x7f do not decode.
    with pytest.raises(PkiError, match="^The certificate's extensions could not be read"):
        load_certificates(_broken_cert(san="MARKER@example.com"))


def test_already_loaded_objects_are_checked_by_every_entry_point(ca: SmimeTestCA) -> None:
    broken = x509.load_der_x509_certificate(_broken_cert(subject="MARKER"))  # loads lazily
    with pytest.raises(PkiError, match=SUBJECT_ERROR):
        split_leaf_and_chain([broken, *ca.chain])
    with pytest.raises(PkiError, match=SUBJECT_ERROR):
        describe_certificate(broken)
    with pytest.raises(PkiError, match=SUBJECT_ERROR):
        check_leaf(broken, email=EMAIL, now=NOW, expected_spki_sha256=None)
    other = x509.load_der_x509_certificate(_broken_cert(issuer="MARKER"))
    with pytest.raises(PkiError, match=ISSUER_ERROR):
        split_leaf_and_chain([*ca.chain, other])


@pytest.mark.parametrize("pem", [False, True])
def test_csr_with_invalid_utf8_in_the_subject_is_refused_on_load(pem: bool) -> None:
    der = _broken_csr()
    with pytest.raises(PkiError, match=CSR_SUBJECT_ERROR):
        load_csr(_pem("CERTIFICATE REQUEST", der) if pem else der)


def test_loaded_csr_with_invalid_utf8_is_refused_before_its_signature_is_checked() -> None:
    csr = x509.load_der_x509_csr(_broken_csr())
    with pytest.raises(PkiError, match=CSR_SUBJECT_ERROR):
        inspect_csr(csr)
    with pytest.raises(PkiError, match=CSR_SUBJECT_ERROR):
        validate_csr(csr, EMAIL)


def test_is_ca_and_san_emails(ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey) -> None:
    leaf = ca.issue(ec_key.public_key(), EMAIL, now=NOW)
    assert is_ca(ca.root) and not is_ca(leaf)
    assert san_emails(leaf.extensions) == [EMAIL]
    assert san_emails(ca.root.extensions) == []
