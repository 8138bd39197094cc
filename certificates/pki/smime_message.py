"""A mail the portal signs with its own S/MIME identity and encrypts to a person's certificate:
the "Test my setup" message. If the person's mail client opens it, their key is installed.

Built with cryptography's PKCS#7 builders: the text and HTML parts are signed (a detached
signature, ``multipart/signed``), and that whole signed entity is enveloped for the recipient
(``application/pkcs7-mime; smime-type=enveloped-data``), as RFC 8551 describes signing then
encrypting. cryptography's envelope builder takes RSA recipients only (key transport); a
certificate it cannot encrypt to gets the signed message alone, and ``encryption_refusal``
says why.
"""

import re
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from certificates.pki.certinfo import KeyUsage, describe_certificate
from certificates.pki.smime_identity import SmimeIdentity
from certificates.pki.translation import _

_LINE_END = re.compile(rb"\r?\n")


def encryption_refusal(certificate: x509.Certificate) -> str | None:
    """Why the test message cannot be encrypted to ``certificate``; None when it can."""
    if describe_certificate(certificate).key_usage not in (KeyUsage.ENCRYPTION, KeyUsage.BOTH):
        return _(
            "This certificate is for signing only, so nobody can encrypt mail to it: the test "
            "message is signed but not encrypted."
        )
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        return _(
            "The portal can encrypt its test message to RSA certificates only (the library it "
            "uses has no ECDH key agreement), so for this EC certificate the test message is "
            "signed but not encrypted. Mail clients that support EC certificates still "
            "encrypt to it."
        )
    return None


def signed_and_encrypted(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    signer: SmimeIdentity,
    encrypt_to: x509.Certificate | None,
    date: datetime,
    message_id: str,
) -> bytes:
    """A whole RFC 5322 message with CRLF line ends: headers, then the text and HTML signed by
    ``signer`` and, when ``encrypt_to`` is given, enveloped for that certificate."""
    body = EmailMessage(policy=SMTP)
    body.set_content(text)
    body.add_alternative(html, subtype="html")
    del body["MIME-Version"]  # the S/MIME entity that wraps it carries one
    builder = pkcs7.PKCS7SignatureBuilder().set_data(body.as_bytes())
    builder = builder.add_signer(signer.certificate, signer.key, hashes.SHA256())
    for issuer in signer.chain:
        builder = builder.add_certificate(issuer)
    entity = builder.sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
    if encrypt_to is not None:
        entity = (
            pkcs7.PKCS7EnvelopeBuilder()
            .set_data(entity)
            .add_recipient(encrypt_to)
            .encrypt(serialization.Encoding.SMIME, [])
        )
    return _headers(sender, recipient, subject, date, message_id) + _LINE_END.sub(b"\r\n", entity)


def _headers(sender: str, recipient: str, subject: str, date: datetime, message_id: str) -> bytes:
    """The outer header lines, encoded the RFC 2047 way where needed. The signed entity is
    appended as bytes, never re-serialised: a refolded header inside it would break the
    signature."""
    headers = EmailMessage(policy=SMTP)
    headers["From"] = sender
    headers["To"] = recipient
    headers["Subject"] = subject
    headers["Date"] = format_datetime(date)
    headers["Message-ID"] = message_id
    return headers.as_bytes().removesuffix(b"\r\n")  # the blank line comes with the entity
