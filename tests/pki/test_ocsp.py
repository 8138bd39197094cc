"""The OCSP verifier against answers built with cryptography (every way an answer can be wrong)
and answers from the real `openssl ocsp` responder (several responses, RSA-PSS delegates)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp as x509_ocsp

from certificates.pki import ocsp
from certificates.pki.errors import PkiError
from certificates.pki.revocation import Method, RevocationStatus
from tests.pki.conftest import NOW, OpenSSL
from tests.revocation_peers import OpensslCa, responder_certificate
from tests.testca import SmimeTestCA

EMAIL = "jane@example.com"
HOUR = dt.timedelta(hours=1)
NONCE = b"0123456789abcdef"
DER = serialization.Encoding.DER


@pytest.fixture(scope="module")
def leaf(ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return ca.issue(ec_key.public_key(), EMAIL, now=NOW)


def answer(ca: SmimeTestCA, leaf: x509.Certificate, **options: Any) -> bytes:
    """A signed answer about ``leaf``; options change one thing at a time."""
    status = options.get("status", x509_ocsp.OCSPCertStatus.GOOD)
    revoked = status == x509_ocsp.OCSPCertStatus.REVOKED
    builder = x509_ocsp.OCSPResponseBuilder().add_response(
        cert=options.get("about", leaf),
        issuer=options.get("issuer", ca.issuing),
        algorithm=hashes.SHA1(),  # noqa: S303 - CertID, as responders hash it
        cert_status=status,
        this_update=options.get("this_update", NOW - HOUR),
        next_update=options.get("next_update", NOW + 24 * HOUR),
        revocation_time=NOW - 2 * HOUR if revoked else None,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
    )
    signer = options.get("signer", ca.issuing)
    builder = builder.responder_id(
        options.get("encoding", x509_ocsp.OCSPResponderEncoding.NAME), signer
    )
    if "certs" in options:
        builder = builder.certificates(options["certs"])
    if "nonce" in options:
        builder = builder.add_extension(x509.OCSPNonce(options["nonce"]), critical=False)
    response = builder.sign(options.get("key", ca.issuing_key), hashes.SHA256())
    return response.public_bytes(DER)


def verify(data: bytes, ca: SmimeTestCA, leaf: x509.Certificate, **options: Any) -> Any:
    return ocsp.verify_response(
        data,
        serial=leaf.serial_number,
        issuer=ca.issuing,
        nonce=options.get("nonce", NONCE),
        now=options.get("now", NOW),
    )


def test_request_names_the_certificate_like_openssl_does(
    ca: SmimeTestCA, leaf: x509.Certificate, tmp_path: Path, openssl: OpenSSL
) -> None:
    (tmp_path / "issuing.pem").write_bytes(ca.issuing.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    openssl("ocsp", "-issuer", "issuing.pem", "-cert", "leaf.pem", "-no_nonce", "-reqout", "o.der")
    ours = x509_ocsp.load_der_ocsp_request(
        ocsp.build_request(leaf.serial_number, ca.issuing, NONCE)
    )
    theirs = x509_ocsp.load_der_ocsp_request((tmp_path / "o.der").read_bytes())
    assert (ours.serial_number, ours.issuer_name_hash, ours.issuer_key_hash) == (
        theirs.serial_number,
        theirs.issuer_name_hash,
        theirs.issuer_key_hash,
    )
    assert ours.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == NONCE


def test_good_answer_signed_by_the_issuer(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    finding = verify(answer(ca, leaf, nonce=NONCE), ca, leaf)
    assert (finding.status, finding.method) == (RevocationStatus.GOOD, Method.OCSP)
    assert finding.next_update == NOW + 24 * HOUR
    assert "answer of 2031-03-15 11:00 UTC" in finding.detail


def test_revoked_answer_carries_time_and_reason(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    finding = verify(answer(ca, leaf, status=x509_ocsp.OCSPCertStatus.REVOKED), ca, leaf)
    assert finding.status == RevocationStatus.REVOKED
    assert (finding.revoked_at, finding.reason) == (NOW - 2 * HOUR, "key compromise")


def test_unknown_answer_stays_unknown(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    finding = verify(answer(ca, leaf, status=x509_ocsp.OCSPCertStatus.UNKNOWN), ca, leaf)
    assert finding.status == RevocationStatus.UNKNOWN
    assert "does not know this certificate" in finding.detail


def test_responder_identified_by_key_hash(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    data = answer(ca, leaf, encoding=x509_ocsp.OCSPResponderEncoding.HASH)
    assert verify(data, ca, leaf).status == RevocationStatus.GOOD


def test_delegated_responder_with_ocsp_signing(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    delegate = responder_certificate(ca, key, now=NOW)
    data = answer(ca, leaf, signer=delegate, key=key, certs=[delegate])
    assert verify(data, ca, leaf).status == RevocationStatus.GOOD


def _impostor(ca: SmimeTestCA, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    """A certificate in the issuing CA's name for an unrelated key."""
    return (
        x509.CertificateBuilder()
        .subject_name(ca.issuing.subject)
        .issuer_name(ca.issuing.subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - HOUR)
        .not_valid_after(NOW + HOUR)
        .sign(key, hashes.SHA256())
    )


def _untrusted(ca: SmimeTestCA, leaf: x509.Certificate, now: dt.datetime) -> dict[str, Any]:
    """Answers that must not be believed, each with words of the reason."""
    key = ec.generate_private_key(ec.SECP256R1())
    other_leaf = ca.issue(key.public_key(), EMAIL, now=now)
    unrelated = responder_certificate(ca, key, self_signed=True, now=now)
    no_eku = responder_certificate(ca, key, eku=False, now=now)
    expired = responder_certificate(ca, key, now=now - 100 * 24 * HOUR)
    other = SmimeTestCA(now, label="Other")
    return {
        "signed by an unrelated key in the issuer's name": (
            answer(ca, leaf, signer=_impostor(ca, key), key=key),
            "signature is not one of 'CN=Test S/MIME Issuing CA",
        ),
        "unrelated responder certificate": (
            answer(ca, leaf, signer=unrelated, key=key, certs=[unrelated]),
            "was not issued by the certificate's issuer",
        ),
        "delegate without OCSPSigning": (
            answer(ca, leaf, signer=no_eku, key=key, certs=[no_eku]),
            "lacks the OCSPSigning extended key usage",
        ),
        "delegate outside its validity": (
            answer(ca, leaf, signer=expired, key=key, certs=[expired]),
            "is not valid now",
        ),
        "signer not carried in the answer": (
            answer(ca, leaf, signer=unrelated, key=key),
            "neither the issuer nor a responder certificate carried in the answer",
        ),
        "another serial": (answer(ca, other_leaf), "holds no status for serial"),
        "another issuer": (answer(ca, leaf, issuer=other.issuing), "holds no status for serial"),
        "another request's nonce": (answer(ca, leaf, nonce=b"x" * 16), "another request's nonce"),
        "from the future": (answer(ca, leaf, this_update=now + HOUR), "issued in the future"),
        "expired": (
            answer(ca, leaf, this_update=now - 48 * HOUR, next_update=now - HOUR),
            "it expired at",
        ),
        "not OCSP": (b"\x30\x03\x0a\x01\x00", "not a DER-encoded OCSP response"),
        "try later": (
            x509_ocsp.OCSPResponseBuilder.build_unsuccessful(
                x509_ocsp.OCSPResponseStatus.TRY_LATER
            ).public_bytes(DER),
            "refused to answer (TRY_LATER)",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "signed by an unrelated key in the issuer's name",
        "unrelated responder certificate",
        "delegate without OCSPSigning",
        "delegate outside its validity",
        "signer not carried in the answer",
        "another serial",
        "another issuer",
        "another request's nonce",
        "from the future",
        "expired",
        "not OCSP",
        "try later",
    ],
)
def test_untrusted_answers_are_refused_with_the_reason(
    ca: SmimeTestCA, leaf: x509.Certificate, case: str
) -> None:
    data, words = _untrusted(ca, leaf, NOW)[case]
    with pytest.raises(PkiError, match=re.escape(words)):
        verify(data, ca, leaf)


def test_answers_a_few_minutes_off_are_accepted(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    skewed = answer(ca, leaf, this_update=NOW + dt.timedelta(minutes=3), next_update=None)
    assert verify(skewed, ca, leaf).status == RevocationStatus.GOOD
    late = answer(ca, leaf, this_update=NOW - HOUR, next_update=NOW - dt.timedelta(minutes=3))
    assert verify(late, ca, leaf).status == RevocationStatus.GOOD


def test_an_answer_without_our_nonce_is_accepted_when_none_was_sent_back(
    ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    assert verify(answer(ca, leaf), ca, leaf).status == RevocationStatus.GOOD


# Real openssl answers: a request for two certificates gets two responses; a delegate signs
# with RSA-PSS and SHA-384, whose parameters only the DER holds.


@pytest.fixture
def openssl_ca(tmp_path: Path, ca: SmimeTestCA) -> OpensslCa:
    return OpensslCa(tmp_path, ca)


def _openssl_answer(
    openssl_ca: OpensslCa, *certs: x509.Certificate, extra: tuple[str, ...] = ()
) -> bytes:
    """openssl's answer to a request for ``certs`` (registered in the CA's index)."""
    files = []
    for cert in certs:
        files += ["-cert", f"{cert.serial_number:x}.pem"]
    openssl_ca.openssl("ocsp", "-issuer", "issuing.pem", *files, "-no_nonce", "-reqout", "req.der")
    openssl_ca.openssl(
        "ocsp", "-index", "index.txt", "-CA", "issuing.pem", "-reqin", "req.der",
        "-respout", "resp.der", *extra,
    )  # fmt: skip
    return (openssl_ca.folder / "resp.der").read_bytes()


def test_the_matching_response_is_found_among_several(
    ca: SmimeTestCA, openssl_ca: OpensslCa, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    now = dt.datetime.now(dt.UTC)
    good = ca.issue(ec_key.public_key(), EMAIL, now=now)
    revoked = ca.issue(ec_key.public_key(), EMAIL, now=now)
    openssl_ca.register(good)
    openssl_ca.register(revoked)
    openssl_ca.revoke(revoked)
    data = _openssl_answer(
        openssl_ca, good, revoked, extra=("-rsigner", "issuing.pem", "-rkey", "issuing.key")
    )
    assert len(list(x509_ocsp.load_der_ocsp_response(data).responses)) == 2
    for cert, status in [(good, RevocationStatus.GOOD), (revoked, RevocationStatus.REVOKED)]:
        finding = ocsp.verify_response(
            data, serial=cert.serial_number, issuer=ca.issuing, nonce=None, now=now
        )
        assert finding.status == status


def test_rsa_pss_delegate_signature_is_verified_with_its_parameters(
    ca: SmimeTestCA, openssl_ca: OpensslCa, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    delegate = responder_certificate(ca, key)
    (openssl_ca.folder / "delegate.pem").write_bytes(
        delegate.public_bytes(serialization.Encoding.PEM)
    )
    (openssl_ca.folder / "delegate.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )  # fmt: skip
    leaf = ca.issue(ec_key.public_key(), EMAIL, now=now)
    openssl_ca.register(leaf)
    pss = ("-rsigner", "delegate.pem", "-rkey", "delegate.key", "-rmd", "sha384",
           "-rsigopt", "rsa_padding_mode:pss", "-rsigopt", "rsa_pss_saltlen:48")  # fmt: skip
    data = _openssl_answer(openssl_ca, leaf, extra=pss)
    response = x509_ocsp.load_der_ocsp_response(data)
    assert response.signature_algorithm_oid == x509.oid.SignatureAlgorithmOID.RSASSA_PSS
    finding = ocsp.verify_response(
        data, serial=leaf.serial_number, issuer=ca.issuing, nonce=None, now=now
    )
    assert finding.status == RevocationStatus.GOOD

    tampered = bytearray(data)
    tampered[data.index(response.signature) + 10] ^= 0x01
    with pytest.raises(PkiError, match="signature is not one of 'CN=Test OCSP Responder'"):
        ocsp.verify_response(
            bytes(tampered), serial=leaf.serial_number, issuer=ca.issuing, nonce=None, now=now
        )
