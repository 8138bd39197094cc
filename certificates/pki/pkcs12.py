"""PKCS#12 bundles (key + leaf + chain) in two profiles: what old and new clients import.

Iteration counts: cryptography applies `kdf_rounds` to the key bag and the certificate bag;
the MAC always uses 2048 iterations whatever is set (observed with cryptography 48).
- legacy: 2048, OpenSSL's default and about what Windows itself writes (2000). Old macOS
  Keychain, Windows 7/8 and gpgsm take their time on every round of SHA-1 PKCS#12-KDF; a high
  count buys little when the cipher is 3DES and the clients are the reason for the profile.
- modern: 100000 rounds of PBKDF2-HMAC-SHA256 (OWASP's 600000 is for stored password hashes
  an attacker can grind offline forever; a bundle is usually imported and deleted). It stays
  under .NET's PKCS#12 loader limits (.NET 9 defaults: 300000 per KDF, 1000000 in total),
  which tools built on .NET enforce; NSS and OpenSSL set no limit. cryptography's own
  BestAvailableEncryption uses 20000.
"""

from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import (
    KeySerializationEncryption,
    PrivateFormat,
    pkcs12,
)

from certificates.pki.errors import PkiError
from certificates.pki.keys import PrivateKey, public_keys_equal
from certificates.pki.pkcs12_gpgsm import gpgsm_derives_right_keys
from certificates.pki.translation import _


class Profile(StrEnum):
    MODERN = "modern"  # PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC, SHA-256 MAC
    LEGACY = "legacy"  # PBE-SHA1-3DES for key and certificates, SHA-1 MAC


# Bundle passwords, counted in characters. NIST SP 800-63B asks at least 8 for a password a
# server guards with a lockout; a .p12 file has no lockout: whoever copies it (a mail
# attachment, a shared folder) can try passwords offline as fast as their hardware goes, and
# the legacy profile's 2048 SHA-1 rounds cost little. 12 characters (a few words) is the least
# we take. The maximum only bounds the work a request can cause; passphrases fit easily.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
LEGACY_KDF_ROUNDS = 2048
MODERN_KDF_ROUNDS = 100_000
# A legacy bundle gpgsm misreads turns up about once in 30 to 60 builds, so 20 builds all
# misread happen with a chance near (1/30)**20: this bound only stops a loop that cannot end.
GPGSM_ATTEMPTS = 20

COMPAT_COMMAND = (
    "openssl pkcs12 -export -inkey certificate.key -in certificate.crt -certfile chain.pem "
    "-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -out bundle.p12"
)


def build_pkcs12(
    *,
    key: PrivateKey,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    password: str,
    profile: str,
    friendly_name: str,
) -> bytes:
    if profile not in list(Profile):
        raise PkiError(
            _("Unknown bundle profile '%(profile)s'; choose one of %(choices)s.")
            % {"profile": profile, "choices": ", ".join(Profile)}
        )
    _check_password(password)
    if not public_keys_equal(key.public_key(), cert.public_key()):
        raise PkiError(
            _(
                "The certificate does not belong to this private key, so no bundle was "
                "made; pick the certificate issued for this key."
            )
        )
    encryption = _encryption(profile, password)
    # gpgsm derives a wrong 3DES key from the salts of about one legacy bundle in 30 to 60
    # (pkcs12_gpgsm says why), so a legacy build is repeated, with new random salts each time,
    # until gpgsm reads it. The check costs one KDF round, 2048 SHA-1 hashes, per encrypted part.
    for _attempt in range(GPGSM_ATTEMPTS):
        data = pkcs12.serialize_key_and_certificates(
            name=friendly_name.encode("utf-8") or None,
            key=key,
            cert=cert,
            cas=chain or None,
            encryption_algorithm=encryption,
        )
        if profile == Profile.MODERN or gpgsm_derives_right_keys(data, password):
            return data
    raise PkiError(
        _(
            "No compatible bundle that gpgsm can read came out of %(tries)s tries, which "
            "almost never happens; try again."
        )
        % {"tries": GPGSM_ATTEMPTS}
    )


def _encryption(profile: str, password: str) -> KeySerializationEncryption:
    builder = PrivateFormat.PKCS12.encryption_builder()
    if profile == Profile.LEGACY:
        builder = (
            builder.kdf_rounds(LEGACY_KDF_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())  # noqa: S303 - the legacy profile's point: old clients
        )
    else:
        builder = (
            builder.kdf_rounds(MODERN_KDF_ROUNDS)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
        )
    return builder.build(password.encode("utf-8"))


def password_problem(password: str) -> str:
    """Why a bundle password is refused (the sentence _check_password raises), or ""."""
    try:
        _check_password(password)
    except PkiError as exc:
        return exc.message
    return ""


def _check_password(password: str) -> None:
    """Refuses a bundle password that is empty, shorter than MIN_PASSWORD_LENGTH characters or
    longer than MAX_PASSWORD_LENGTH, with the reason."""
    if not password:
        raise PkiError(_("Choose a password for the bundle; an empty password is refused."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PkiError(
            _(
                "The bundle password needs at least %(minimum)s characters (this one has "
                "%(length)s): anyone who gets a copy of the file can guess at it offline, "
                "without a lockout. A few words make a password that is long and easy to type."
            )
            % {"minimum": MIN_PASSWORD_LENGTH, "length": len(password)}
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PkiError(
            _("The bundle password may have at most %(maximum)s characters; choose a shorter one.")
            % {"maximum": MAX_PASSWORD_LENGTH}
        )


def pkcs12_compat_command() -> str:
    """For people with their own key: a bundle every client imports, without -legacy."""
    return COMPAT_COMMAND
