"""The portal's own S/MIME identity: the key and certificate that sign its test message.

An organisation may configure one a CA issued (a mailbox certificate for the portal's sender
address); without one, the embedded mode makes a self-signed identity once. Either way it is
a private key and a certificate in PEM, checked here to belong together.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certificates.pki import pem
from certificates.pki.errors import PkiError
from certificates.pki.keys import public_keys_equal

SignerKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
# Self-signed and never issued by a CA, so the S/MIME BRs' 825 days do not apply; long enough
# that a quiet installation does not find it expired one day.
GENERATED_VALIDITY = timedelta(days=3650)
GENERATED_NAME = "S/MIME portal test messages"


@dataclass(frozen=True)
class SmimeIdentity:
    key: SignerKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()  # the certificate's issuers, sent with signatures

    @property
    def self_signed(self) -> bool:
        return self.certificate.issuer == self.certificate.subject


def generate(address: str, now: datetime) -> bytes:
    """A new RSA 3072 key and a self-signed certificate for ``address`` (rfc822Name, EKU
    emailProtection, signing only), as one PEM text: key first, then certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, GENERATED_NAME),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, address),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + GENERATED_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(address)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem + certificate.public_bytes(serialization.Encoding.PEM)


def load(key_pem: bytes, certificates_pem: bytes) -> SmimeIdentity:
    """The key (an unencrypted PEM private key, RSA or EC) and its certificate, optionally
    followed by the certificate's issuers; PkiError when they are unreadable or do not belong
    together. Both may be the same text (what ``generate`` writes)."""
    keys = [der for label, der in pem.pem_blocks(key_pem) if label.endswith("PRIVATE KEY")]
    if len(keys) != 1:
        raise PkiError("The portal's S/MIME key must be exactly one PEM private key.")
    try:
        key = serialization.load_der_private_key(keys[0], password=None)
    except (ValueError, TypeError) as exc:
        raise PkiError(
            "The portal's S/MIME key cannot be read: it must be an unencrypted PEM private key."
        ) from exc
    if not isinstance(key, SignerKey):
        raise PkiError("The portal's S/MIME key must be an RSA or EC key.")
    blocks = [der for label, der in pem.pem_blocks(certificates_pem) if label == "CERTIFICATE"]
    try:
        certs = [x509.load_der_x509_certificate(der) for der in blocks]
    except ValueError as exc:
        raise PkiError("The portal's S/MIME certificate cannot be read.") from exc
    if not certs:
        raise PkiError("The portal's S/MIME certificate is missing: no PEM certificate found.")
    if not public_keys_equal(certs[0].public_key(), key.public_key()):
        raise PkiError(
            "The portal's S/MIME certificate does not belong to its key: the first "
            "certificate must be the one issued for that key."
        )
    return SmimeIdentity(key, certs[0], tuple(certs[1:]))


def addresses(identity: SmimeIdentity) -> list[str]:
    """The rfc822Names of the identity's certificate (mail clients compare them with From)."""
    try:
        san = identity.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return [str(value) for value in san.value.get_values_for_type(x509.RFC822Name)]
