"""The "Test my setup" message: signed by the portal's identity, enveloped for the person's
certificate; OpenSSL decrypts it with the person's key and verifies the signature against the
portal's certificate."""

import datetime as dt
import email
from email.policy import SMTP
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from certificates.pki import smime_identity
from certificates.pki.errors import PkiError
from certificates.pki.smime_message import encryption_refusal, signed_and_encrypted
from tests.pki.conftest import NOW, OpenSSL
from tests.testca import SmimeTestCA

EMAIL = "jane.doe@example.com"
SENDER = "noreply@portal.example"
TODAY = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def identity() -> smime_identity.SmimeIdentity:
    combined = smime_identity.generate(SENDER, TODAY)
    return smime_identity.load(combined, combined)


def _message(identity: smime_identity.SmimeIdentity, encrypt_to: x509.Certificate | None) -> bytes:
    return signed_and_encrypted(
        sender=f"S/MIME portal <{SENDER}>",
        recipient=EMAIL,
        subject="Test message for your certificate ✓",
        text="If you can read this, your certificate works. Grüße\n",
        html="<p>If you can read this, your certificate works.</p>\n",
        signer=identity,
        encrypt_to=encrypt_to,
        date=TODAY,
        message_id="<test-1@portal.example>",
    )


def _write_pem(path: Path, *items: object) -> Path:
    data = b""
    for item in items:
        if isinstance(item, x509.Certificate):
            data += item.public_bytes(serialization.Encoding.PEM)
        else:
            data += item.private_bytes(  # type: ignore[attr-defined]
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
    path.write_bytes(data)
    return path


def test_generated_identity_is_a_self_signed_signing_certificate_for_the_sender(
    identity: smime_identity.SmimeIdentity,
) -> None:
    cert = identity.certificate
    assert identity.self_signed and identity.chain == ()
    assert smime_identity.addresses(identity) == [SENDER]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.EMAIL_PROTECTION]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(identity.key, rsa.RSAPrivateKey) and identity.key.key_size == 3072


def test_message_decrypts_with_the_owners_key_and_verifies_against_the_portal(
    identity: smime_identity.SmimeIdentity,
    ca: SmimeTestCA,
    rsa_key: rsa.RSAPrivateKey,
    openssl: OpenSSL,
    tmp_path: Path,
) -> None:
    leaf = ca.issue(rsa_key.public_key(), EMAIL, now=NOW)
    raw = _message(identity, leaf)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only, for SMTP
    outer = email.message_from_bytes(raw, policy=SMTP)
    assert outer["To"] == EMAIL and outer["Message-ID"] == "<test-1@portal.example>"
    assert str(outer["Subject"]) == "Test message for your certificate ✓"
    assert outer.get_content_type() == "application/pkcs7-mime"
    assert outer.get_param("smime-type") == "enveloped-data"
    assert b"If you can read this" not in raw  # encrypted
    (tmp_path / "mail.eml").write_bytes(raw)
    _write_pem(tmp_path / "key.pem", rsa_key)
    _write_pem(tmp_path / "leaf.pem", leaf)
    _write_pem(tmp_path / "portal.pem", identity.certificate)
    openssl(
        "smime", "-decrypt", "-in", "mail.eml", "-recip", "leaf.pem", "-inkey", "key.pem",
        "-out", "decrypted.eml",
    )  # fmt: skip
    verified = openssl(
        "smime", "-verify", "-in", "decrypted.eml", "-CAfile", "portal.pem",
        "-purpose", "smimesign", "-out", "content.eml",
    )  # fmt: skip
    assert "Verification successful" in verified.stderr
    content = email.message_from_bytes((tmp_path / "content.eml").read_bytes(), policy=SMTP)
    assert content.get_content_type() == "multipart/alternative"
    plain = content.get_body(("plain",))
    assert plain is not None and "Grüße" in plain.get_content()
    assert content.get_body(("html",)) is not None


def test_a_configured_identity_sends_its_issuers_with_the_signature(
    ca: SmimeTestCA, rsa_key: rsa.RSAPrivateKey, openssl: OpenSSL, tmp_path: Path
) -> None:
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = ca.issue(signer_key.public_key(), SENDER, now=NOW)
    key_pem = _write_pem(tmp_path / "signer.key", signer_key).read_bytes()
    certs_pem = _write_pem(tmp_path / "signer.pem", signer_cert, *ca.chain).read_bytes()
    identity = smime_identity.load(key_pem, certs_pem)
    assert identity.chain == tuple(ca.chain) and not identity.self_signed
    (tmp_path / "mail.eml").write_bytes(_message(identity, None))
    _write_pem(tmp_path / "root.pem", ca.root)
    # Only the root is given: the issuing CA comes from the signature itself. (The test CA
    # lives at the pinned NOW.)
    verified = openssl(
        "smime", "-verify", "-in", "mail.eml", "-CAfile", "root.pem", "-purpose", "smimesign",
        "-attime", str(int(NOW.timestamp())), "-out", "content.eml",
    )  # fmt: skip
    assert "Verification successful" in verified.stderr


def test_ec_and_signing_only_certificates_get_a_signed_message_and_the_reason(
    identity: smime_identity.SmimeIdentity,
    ca: SmimeTestCA,
    ec_key: ec.EllipticCurvePrivateKey,
    rsa_key: rsa.RSAPrivateKey,
    openssl: OpenSSL,
    tmp_path: Path,
) -> None:
    ec_leaf = ca.issue(ec_key.public_key(), EMAIL, now=NOW)
    reason = encryption_refusal(ec_leaf)
    assert reason is not None and "RSA certificates only" in reason
    signing_only = ca.issue(rsa_key.public_key(), EMAIL, now=NOW, key_usage="signing")
    reason = encryption_refusal(signing_only)
    assert reason is not None and "signing only" in reason
    assert encryption_refusal(ca.issue(rsa_key.public_key(), EMAIL, now=NOW)) is None

    raw = _message(identity, None)
    assert email.message_from_bytes(raw).get_content_type() == "multipart/signed"
    (tmp_path / "mail.eml").write_bytes(raw)
    _write_pem(tmp_path / "portal.pem", identity.certificate)
    verified = openssl(
        "smime", "-verify", "-in", "mail.eml", "-CAfile", "portal.pem", "-out", "content.eml"
    )
    assert "Verification successful" in verified.stderr


def test_identity_that_does_not_belong_together_is_refused(
    identity: smime_identity.SmimeIdentity, rsa_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    other_key = _write_pem(tmp_path / "other.key", rsa_key).read_bytes()
    cert_pem = identity.certificate.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(PkiError, match="does not belong to its key"):
        smime_identity.load(other_key, cert_pem)
    with pytest.raises(PkiError, match="exactly one PEM private key"):
        smime_identity.load(cert_pem, cert_pem)
    with pytest.raises(PkiError, match="certificate is missing"):
        smime_identity.load(other_key, b"no certificate here")
