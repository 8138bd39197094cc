from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12

from certificates.pki.bundle import (
    MAX_CHAIN_CERTIFICATES,
    MAX_UPLOAD_BYTES,
    certificates_to_pem,
    certificates_to_pkcs7_der,
    load_certificates,
    split_leaf_and_chain,
)
from certificates.pki.csr import build_csr
from certificates.pki.errors import PkiError
from certificates.pki.readable import MAX_SAN_ENTRIES
from certificates.pki.subject import SubjectFields
from tests.pki.conftest import NOW, OpenSSL
from tests.testca import SmimeTestCA

PEM = serialization.Encoding.PEM
DER = serialization.Encoding.DER


@pytest.fixture(scope="module")
def leaf(ca: SmimeTestCA, ec_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return ca.issue(ec_key.public_key(), "jane@example.com", now=NOW)


def test_pem_with_text_around_in_any_order(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    data = (
        b"Your certificate is ready!\n"
        + ca.root.public_bytes(PEM)
        + b"\n-- \nintermediate:\n"
        + ca.issuing.public_bytes(PEM)
        + b"leaf:\r\n"
        + leaf.public_bytes(PEM).replace(b"\n", b"\r\n")
        + b"Kind regards, the CA\n"
    )
    assert load_certificates(data) == [ca.root, ca.issuing, leaf]


def test_der_certificate(leaf: x509.Certificate) -> None:
    assert load_certificates(leaf.public_bytes(DER)) == [leaf]


def test_base64_pasted_without_armor(leaf: x509.Certificate) -> None:
    body = b"".join(leaf.public_bytes(PEM).splitlines()[1:-1])
    assert load_certificates(body) == [leaf]


def test_duplicates_are_removed(leaf: x509.Certificate) -> None:
    assert load_certificates(leaf.public_bytes(PEM) * 3) == [leaf]


# OpenSSL writes the certificates SET OF unsorted (not DER); cryptography 48 reads it as BER
# and warns that this "may become an exception" - this test is what would notice.
@pytest.mark.filterwarnings("ignore:PKCS#7 certificates could not be parsed as DER:UserWarning")
def test_pkcs7_made_by_openssl_in_pem_and_der(
    openssl: OpenSSL, tmp_path: Path, ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    (tmp_path / "all.pem").write_bytes(certificates_to_pem([leaf, *ca.chain]).encode())
    openssl("crl2pkcs7", "-nocrl", "-certfile", "all.pem", "-out", "b.p7b")
    openssl("crl2pkcs7", "-nocrl", "-certfile", "all.pem", "-outform", "DER", "-out", "b.p7c")
    assert (tmp_path / "b.p7b").read_bytes().startswith(b"-----BEGIN PKCS7-----")
    for name in ("b.p7b", "b.p7c"):
        assert set(load_certificates((tmp_path / name).read_bytes())) == {leaf, *ca.chain}


def test_our_pkcs7_and_pem_output_read_back(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    certs = [leaf, *ca.chain]
    # PKCS#7 holds a SET OF certificates: DER sorts them, so only the membership survives.
    assert set(load_certificates(certificates_to_pkcs7_der(certs))) == set(certs)
    assert load_certificates(certificates_to_pem(certs).encode()) == certs
    with pytest.raises(PkiError):
        certificates_to_pkcs7_der([])


@pytest.mark.parametrize("data", [b"", b" \n\t "])
def test_empty_file_is_refused(data: bytes) -> None:
    with pytest.raises(PkiError, match="The file is empty"):
        load_certificates(data)


def test_garbage_is_refused() -> None:
    with pytest.raises(PkiError, match="is not a certificate in PEM, DER or PKCS#7 format"):
        load_certificates(b"\x00\x01 this is a word document" * 20)


def test_five_megabytes_is_refused_by_size() -> None:
    with pytest.raises(PkiError, match="The file is 5120 KB; a certificate file is a few KB"):
        load_certificates(b"A" * (5 * 1024 * 1024))
    assert MAX_UPLOAD_BYTES == 256 * 1024


def test_pem_with_a_private_key_block_is_refused(
    leaf: x509.Certificate, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    key_pem = ec_key.private_bytes(
        PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    assert b"EC PRIVATE KEY" in key_pem
    with pytest.raises(PkiError) as caught:
        load_certificates(leaf.public_bytes(PEM) + key_pem)
    assert "contains a private key. Nothing from it was stored." in caught.value.message


def test_der_private_key_and_pkcs12_are_refused(
    leaf: x509.Certificate, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    key_der = ec_key.private_bytes(
        DER, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(PkiError, match="This file is a private key. Nothing from it was stored"):
        load_certificates(key_der)
    p12 = pkcs12.serialize_key_and_certificates(
        b"x", ec_key, leaf, None, serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(PkiError, match="PKCS#12 .* with a private key. Nothing from it was stored"):
        load_certificates(p12)


def test_csr_instead_of_certificate_is_refused(ec_key: ec.EllipticCurvePrivateKey) -> None:
    csr = build_csr(ec_key, "jane@example.com", SubjectFields())
    for data in (csr.public_bytes(PEM), csr.public_bytes(DER)):
        with pytest.raises(PkiError, match="certificate signing request \\(CSR\\), not a cert"):
            load_certificates(data)


def test_pem_without_certificates_is_refused() -> None:
    with pytest.raises(PkiError, match="holds X509 CRL but no CERTIFICATE block"):
        load_certificates(b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")


def test_split_orders_chain_from_any_order(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    got_leaf, chain, warnings = split_leaf_and_chain([ca.root, leaf, ca.issuing])
    assert got_leaf == leaf
    assert chain == [ca.issuing, ca.root]
    assert warnings == []


def test_split_leaf_alone(leaf: x509.Certificate) -> None:
    assert split_leaf_and_chain([leaf]) == (leaf, [], [])


def test_split_drops_unrelated_certificates_with_a_warning(
    ca: SmimeTestCA, other_ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    got_leaf, chain, warnings = split_leaf_and_chain([other_ca.issuing, leaf, ca.issuing])
    assert (got_leaf, chain) == (leaf, [ca.issuing])
    assert len(warnings) == 1 and "Other S/MIME Issuing CA" in warnings[0]


def test_split_refuses_two_leaves(ca: SmimeTestCA, leaf: x509.Certificate) -> None:
    second = ca.issue(
        ec.generate_private_key(ec.SECP256R1()).public_key(), "john@example.com", now=NOW
    )
    with pytest.raises(PkiError) as caught:
        split_leaf_and_chain(
            load_certificates(certificates_to_pem([leaf, second, *ca.chain]).encode())
        )
    message = caught.value.message
    assert message.startswith("The file holds 2 end-entity certificates (")
    assert "jane@example.com" in message and "john@example.com" in message
    assert message.endswith("upload one certificate with its chain.")


def test_split_refuses_ca_certificates_only(ca: SmimeTestCA) -> None:
    with pytest.raises(PkiError, match="holds only CA certificates"):
        split_leaf_and_chain(ca.chain)
    with pytest.raises(PkiError, match="no certificates"):
        split_leaf_and_chain([])


def test_split_uses_key_identifiers_to_pick_the_issuer(
    ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    # An issuing CA certificate with the same name but another key (a re-key) is not the parent.
    impostor = SmimeTestCA(NOW)  # same label, so same names, different keys
    _leaf, chain, warnings = split_leaf_and_chain([leaf, impostor.issuing, ca.issuing, ca.root])
    assert chain == [ca.issuing, ca.root]
    assert "1 certificate(s)" in warnings[0]


def _self_signed_cas(count: int) -> list[x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    certs = []
    for number in range(count):
        name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"CA {number}")])
        certs.append(
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(number + 1)
            .not_valid_before(NOW)
            .not_valid_after(NOW)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
    return certs


def test_more_certificates_than_a_chain_has_are_refused(leaf: x509.Certificate) -> None:
    certs = [leaf, *_self_signed_cas(MAX_CHAIN_CERTIFICATES)]
    expected = (
        f"The file holds {MAX_CHAIN_CERTIFICATES + 1} certificates; a certificate with its chain "
        f"has at most {MAX_CHAIN_CERTIFICATES}"
    )
    with pytest.raises(PkiError, match=expected):
        load_certificates(certificates_to_pkcs7_der(certs))
    with pytest.raises(PkiError, match=expected):
        load_certificates(certificates_to_pem(certs).encode())
    assert len(load_certificates(certificates_to_pem(certs[:MAX_CHAIN_CERTIFICATES]).encode())) == (
        MAX_CHAIN_CERTIFICATES
    )


def test_a_certificate_with_more_subject_alternative_names_than_the_cap_is_refused(
    ca: SmimeTestCA, leaf: x509.Certificate
) -> None:
    names = [x509.RFC822Name(f"jane{n}@example.com") for n in range(MAX_SAN_ENTRIES + 1)]
    crowded = (
        x509.CertificateBuilder(
            issuer_name=leaf.issuer,
            subject_name=leaf.subject,
            public_key=leaf.public_key(),
            serial_number=7,
            not_valid_before=leaf.not_valid_before_utc,
            not_valid_after=leaf.not_valid_after_utc,
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca.issuing_key, hashes.SHA256())
    )
    with pytest.raises(PkiError, match="The certificate has 101 subject alternative names; at"):
        load_certificates(crowded.public_bytes(PEM))


def test_a_self_signed_certificate_made_with_openssl_req_x509_is_named_as_such(
    openssl: OpenSSL, tmp_path: Path
) -> None:
    # What people upload when they ran `openssl req -x509` instead of making a CSR: OpenSSL's
    # default configuration marks it CA:TRUE.
    openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "self.key", "-out", "self.pem", "-subj", "/CN=Erin Example", "-days", "30",
    )  # fmt: skip
    certs = load_certificates((tmp_path / "self.pem").read_bytes())
    with pytest.raises(PkiError) as caught:
        split_leaf_and_chain(certs)
    message = caught.value.message
    assert message.startswith("The file holds a self-signed certificate ('CN=Erin Example')")
    assert "not issued by a CA" in message
    assert "Send your CSR to your CA and upload the certificate the CA sends back" in message
    assert "only CA certificates" not in message


# Files cryptography will not read and raises for with errors that are not ValueErrors; the
# first corpus run (issue 11) answered each with a 500. The files come from the
# cryptography-vectors package (nobody here made them, and they cannot be built with
# cryptography's own builders, which refuse to write them).
@pytest.mark.parametrize(
    ("vector", "said"),
    [
        ("x509/custom/invalid_version.pem", "7 is not a valid X509 version"),
        ("x509/custom/two_basic_constraints.pem", "Duplicate 2.5.29.19 extension"),
        ("x509/san_edipartyname.der", "EDIPartyName are not supported"),
        ("x509/san_x400address.der", "EDIPartyName are not supported"),
        ("pkcs7/enveloped.pem", "not a bundle of certificates but another kind of PKCS#7"),
        ("pkcs7/enveloped-rsa-oaep.pem", "not a bundle of certificates"),
    ],
)
def test_files_cryptography_refuses_are_a_pki_error(vector: str, said: str) -> None:
    from tests.hostile.corpus import VECTORS

    with pytest.raises(PkiError, match=said):
        load_certificates((VECTORS / vector).read_bytes())
