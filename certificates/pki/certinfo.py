"""Describing an end-entity certificate and checking it fits the request it answers."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from certificates.pki.emails import addresses_match
from certificates.pki.errors import PkiError
from certificates.pki.keys import KeyInfo, check_public_key, spki_sha256
from certificates.pki.readable import is_ca, readable_certificate, san_emails
from certificates.pki.subject import display_name
from certificates.pki.text import visible
from certificates.pki.translation import _

MAX_VALIDITY_DAYS = 825  # S/MIME BR 6.3.2


class KeyUsage(StrEnum):
    """What a certificate's key may do for mail: sign, encrypt (key transport for RSA, key
    agreement for EC), both, or neither (refused on upload)."""

    SIGNING = "signing"
    ENCRYPTION = "encryption"
    BOTH = "both"
    NONE = "none"

    def covers(self, other: "KeyUsage") -> bool:
        """Whether every use ``other`` allows is one this allows too."""
        return _USES[other] <= _USES[self]

    def overlaps(self, other: "KeyUsage") -> bool:
        """Whether the two share a use."""
        return bool(_USES[other] & _USES[self])


_USES = {
    KeyUsage.SIGNING: {KeyUsage.SIGNING},
    KeyUsage.ENCRYPTION: {KeyUsage.ENCRYPTION},
    KeyUsage.BOTH: {KeyUsage.SIGNING, KeyUsage.ENCRYPTION},
    KeyUsage.NONE: set(),
}


@dataclass(frozen=True)
class CertificateInfo:
    serial_hex: str
    issuer: str
    subject: str
    emails: list[str]
    key_usage: KeyUsage
    not_before: datetime
    not_after: datetime
    sha256_fingerprint: str
    spki_sha256: str
    key: KeyInfo | None
    ocsp_urls: list[str]
    ca_issuers_urls: list[str]
    crl_urls: list[str]
    email_protection: bool
    is_ca: bool


_Ext = TypeVar("_Ext", bound=x509.ExtensionType)


def _ext(cert: x509.Certificate, cls: type[_Ext]) -> _Ext | None:
    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def _public_key(cert: x509.Certificate) -> CertificatePublicKeyTypes:
    try:
        return cert.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise PkiError(
            _("This certificate's key type is unknown to us; use an RSA or ECDSA certificate.")
        ) from exc


def _key_usage(cert: x509.Certificate, public_key: CertificatePublicKeyTypes) -> KeyUsage:
    ku = _ext(cert, x509.KeyUsage)
    if ku is None:
        # No KeyUsage extension means "any use the key type allows".
        if isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            return KeyUsage.BOTH
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            return KeyUsage.SIGNING
        return KeyUsage.NONE
    signing = ku.digital_signature or ku.content_commitment
    # Mail clients encrypt to RSA with key transport and to EC with ECDH key agreement; a bit
    # that does not fit the key type enables nothing. Other key types report either bit, so
    # check_leaf can refuse e.g. Ed25519 marked for encryption.
    if isinstance(public_key, rsa.RSAPublicKey):
        encryption = ku.key_encipherment
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        encryption = ku.key_agreement
    else:
        encryption = ku.key_encipherment or ku.key_agreement
    return {
        (True, True): KeyUsage.BOTH,
        (True, False): KeyUsage.SIGNING,
        (False, True): KeyUsage.ENCRYPTION,
    }.get((signing, encryption), KeyUsage.NONE)


def _uris(names: list[x509.GeneralName]) -> list[str]:
    return [n.value for n in names if isinstance(n, x509.UniformResourceIdentifier)]


def _aia(cert: x509.Certificate, method: x509.ObjectIdentifier) -> list[str]:
    aia = _ext(cert, x509.AuthorityInformationAccess)
    if aia is None:
        return []
    return _uris([d.access_location for d in aia if d.access_method == method])


def _crl_urls(cert: x509.Certificate) -> list[str]:
    crldp = _ext(cert, x509.CRLDistributionPoints)
    if crldp is None:
        return []
    return [url for point in crldp for url in _uris(list(point.full_name or []))]


def _serial_hex(serial: int) -> str:
    digits = format(abs(serial), "x")
    return ("-" if serial < 0 else "") + ("0" + digits if len(digits) % 2 else digits)


def describe_certificate(cert: x509.Certificate) -> CertificateInfo:
    readable_certificate(cert)
    eku = _ext(cert, x509.ExtendedKeyUsage)
    public_key = _public_key(cert)
    try:
        key: KeyInfo | None = check_public_key(public_key)
    except PkiError:
        key = None
    return CertificateInfo(
        serial_hex=_serial_hex(cert.serial_number),
        issuer=display_name(cert.issuer),
        subject=display_name(cert.subject),
        # Shown as they are stored; an address holding a control character matches nothing.
        emails=[visible(address) for address in san_emails(cert.extensions)],
        key_usage=_key_usage(cert, public_key),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256_fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        spki_sha256=spki_sha256(public_key),
        key=key,
        ocsp_urls=_aia(cert, AuthorityInformationAccessOID.OCSP),
        ca_issuers_urls=_aia(cert, AuthorityInformationAccessOID.CA_ISSUERS),
        crl_urls=_crl_urls(cert),
        email_protection=eku is not None and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku,
        is_ca=is_ca(cert),
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "anyExtendedKeyUsage",
}


def _check_eku(cert: x509.Certificate) -> None:
    eku = _ext(cert, x509.ExtendedKeyUsage)
    if eku is None:
        raise PkiError(
            _(
                "This certificate has no Extended Key Usage, so mail clients will not use "
                "it for S/MIME; ask the CA for a certificate with emailProtection."
            )
        )
    if ExtendedKeyUsageOID.EMAIL_PROTECTION not in eku:
        # anyExtendedKeyUsage alone is not enough: the S/MIME BRs forbid it in S/MIME
        # certificates and several clients insist on the explicit purpose.
        purposes = ", ".join(_EKU_NAMES.get(oid, oid.dotted_string) for oid in eku)
        raise PkiError(
            _(
                "This certificate's Extended Key Usage (%(purposes)s) lacks "
                "emailProtection, so it cannot be used for email; ask the CA for an S/MIME "
                "certificate."
            )
            % {"purposes": purposes}
        )


def check_leaf(
    cert: x509.Certificate, *, email: str, now: datetime, expected_spki_sha256: str | None
) -> list[str]:
    """Raise PkiError if the certificate cannot serve this address and key; return warnings."""
    info = describe_certificate(cert)
    key = check_public_key(_public_key(cert))  # our allowlist, stricter than the verifier's
    if expected_spki_sha256 is not None and info.spki_sha256 != expected_spki_sha256.lower():
        raise PkiError(
            _(
                "This certificate is for a different key than the request's CSR: its key "
                "fingerprint is %(found)s…, the CSR's is %(expected)s…; upload the "
                "certificate the CA issued for this request."
            )
            % {"found": info.spki_sha256[:16], "expected": expected_spki_sha256.lower()[:16]}
        )
    if now < info.not_before:
        raise PkiError(
            _(
                "This certificate is not valid until %(when)s; upload it "
                "from then on, or check that the CA sent the right file."
            )
            % {"when": _when(info.not_before)}
        )
    if now > info.not_after:
        raise PkiError(
            _(
                "This certificate expired on %(when)s; upload a current "
                "certificate or make a renewal request."
            )
            % {"when": _when(info.not_after)}
        )
    _check_eku(cert)
    if not any(addresses_match(email, a) for a in info.emails):
        if not info.emails:
            raise PkiError(
                _(
                    "This certificate has no email address in its Subject Alternative "
                    "Name, which mail clients require; ask the CA to reissue it for "
                    "%(email)s."
                )
                % {"email": email.strip()}
            )
        raise PkiError(
            _(
                "This certificate is for %(found)s, not %(email)s; "
                "upload the certificate issued for %(email)s."
            )
            % {"found": ", ".join(info.emails), "email": email.strip()}
        )
    if info.key_usage == KeyUsage.NONE:
        raise PkiError(
            _(
                "This certificate's Key Usage allows neither signing nor encryption with "
                "its key; ask the CA to reissue it for S/MIME."
            )
        )
    if not key.can_encrypt and info.key_usage != KeyUsage.SIGNING:
        raise PkiError(
            _(
                "This certificate marks its %(key)s key for encryption, which "
                "that key type cannot do; ask the CA for a signing-only certificate."
            )
            % {"key": key.description}
        )
    return _leaf_warnings(info, email)


def _leaf_warnings(info: CertificateInfo, email: str) -> list[str]:
    warnings = []
    days = (info.not_after - info.not_before).days
    if days > MAX_VALIDITY_DAYS:
        warnings.append(
            _(
                "This certificate is valid for %(days)s days, longer than the "
                "%(limit)s the S/MIME Baseline Requirements allow; some mail "
                "clients may distrust it."
            )
            % {"days": days, "limit": MAX_VALIDITY_DAYS}
        )
    if info.key_usage == KeyUsage.SIGNING:
        warnings.append(
            _(
                "This certificate is for signing only: you can sign but not receive "
                "encrypted mail with it."
            )
        )
    elif info.key_usage == KeyUsage.ENCRYPTION:
        warnings.append(
            _(
                "This certificate is for encryption only: others can send you encrypted "
                "mail, but you cannot sign with it."
            )
        )
    if info.key is not None and info.key.key_type == "ed25519":
        warnings.append(
            _(
                "Ed25519 S/MIME certificates are not understood by many mail clients "
                "(Outlook, Apple Mail); recipients may not be able to verify signatures."
            )
        )
    if not info.crl_urls and info.ocsp_urls:
        warnings.append(
            _(
                "This certificate has no CRL distribution point, so its revocation can be "
                "checked only by OCSP."
            )
        )
    elif not info.crl_urls:
        warnings.append(
            _(
                "This certificate names neither a CRL nor an OCSP responder, so nobody can "
                "check whether it was revoked."
            )
        )
    others = [a for a in info.emails if not addresses_match(a, email)]
    if others:
        warnings.append(
            _("This certificate also holds %(others)s.") % {"others": ", ".join(others)}
        )
    return warnings
