import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.hashes import SHA256

from certificates.pki import pem
from certificates.pki.errors import PkiError
from tests.testca import SmimeTestCA


def test_blocks_are_found_in_order_with_text_and_headers_around(ca: SmimeTestCA) -> None:
    cert = ca.root.public_bytes(serialization.Encoding.PEM)
    data = b"hello\n" + cert + b"between\n" + cert.replace(b"CERTIFICATE", b"TRUSTED CERTIFICATE")
    labels = [label for label, _der in pem.pem_blocks(data)]
    assert labels == ["CERTIFICATE", "TRUSTED CERTIFICATE"]
    assert pem.pem_blocks(cert)[0][1] == ca.root.public_bytes(serialization.Encoding.DER)


def test_damaged_block_is_reported() -> None:
    with pytest.raises(PkiError, match="CERTIFICATE block in the file is damaged"):
        pem.pem_blocks(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")


def test_private_key_is_detected_even_without_an_end_line() -> None:
    assert pem.contains_private_key(b"x\n-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA")
    assert pem.contains_private_key(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert not pem.contains_private_key(b"-----BEGIN PUBLIC KEY-----")


def test_identify_der(ca: SmimeTestCA) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([])).sign(key, SHA256())
    der = serialization.Encoding.DER
    assert pem.identify_der(ca.root.public_bytes(der)) == pem.CERTIFICATE
    assert pem.identify_der(csr.public_bytes(der)) == pem.CSR
    key_der = key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert pem.identify_der(key_der) == pem.PRIVATE_KEY
    assert pem.identify_der(b"\x30\x00") is None
    assert pem.identify_der(b"") is None


# The probe: 256 KB of "-----BEGIN A" without an END held a worker for 23 s.
UNMATCHED_BEGIN_LINES = b"-----BEGIN A" * (262136 // 12) + b"-----"


def test_unmatched_begin_lines_are_refused_at_the_block_cap() -> None:
    with pytest.raises(PkiError) as caught:
        pem.pem_blocks(UNMATCHED_BEGIN_LINES)
    assert caught.value.message == (
        f"The file has more than {pem.MAX_PEM_BLOCKS} BEGIN lines; a certificate with its "
        "chain, or a CSR, has a few, so this is not the file to upload."
    )


def test_a_begin_line_without_its_end_is_text_and_the_next_block_is_found(
    ca: SmimeTestCA,
) -> None:
    cert = ca.root.public_bytes(serialization.Encoding.PEM)
    truncated = b"-----BEGIN CERTIFICATE-----\nMIIB half a paste\n"
    blocks = pem.pem_blocks(truncated + cert + b"-----BEGIN CERTIFICATE-----\nMIIC")
    assert blocks == [("CERTIFICATE", ca.root.public_bytes(serialization.Encoding.DER))]


def test_an_end_line_of_another_label_does_not_close_a_block(ca: SmimeTestCA) -> None:
    cert = ca.root.public_bytes(serialization.Encoding.PEM)
    assert pem.pem_blocks(b"-----END CERTIFICATE-----\n-----END X509 CRL-----\n" + cert) == [
        ("CERTIFICATE", ca.root.public_bytes(serialization.Encoding.DER))
    ]
