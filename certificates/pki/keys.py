"""Key generation, the key allowlist, and key serialisation."""

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from certificates.pki.errors import PkiError
from certificates.pki.translation import _, gettext_noop

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


class KeyType(StrEnum):
    """What the server generates. Keys from CSRs are named the same way (KeyInfo.key_type) and
    may also be ec-p521, ed25519 or another RSA size: accepted, but not offered, because Outlook
    and Apple Mail do not handle Ed25519 S/MIME and P-521 adds nothing for mail."""

    RSA_2048 = "rsa-2048"
    RSA_3072 = "rsa-3072"
    RSA_4096 = "rsa-4096"
    EC_P256 = "ec-p256"
    EC_P384 = "ec-p384"


DEFAULT_KEY_TYPE = KeyType.RSA_3072

RSA_MIN_BITS = 2048
RSA_MAX_BITS = 4096

# Curve allowlist (not a size threshold): secp256k1 is "big enough" but no mail client
# supports it, and the S/MIME BRs list exactly these three.
_CURVES: dict[str, tuple[str, str]] = {
    "secp256r1": ("ec-p256", "ECDSA P-256"),
    "secp384r1": ("ec-p384", "ECDSA P-384"),
    "secp521r1": ("ec-p521", "ECDSA P-521"),
}
_GENERATE_CURVES: dict[KeyType, ec.EllipticCurve] = {
    KeyType.EC_P256: ec.SECP256R1(),
    KeyType.EC_P384: ec.SECP384R1(),
}
_ACCEPTED = gettext_noop(
    "RSA (2048 to 4096 bits), ECDSA (P-256, P-384 or P-521) or Ed25519 (signing only)"
)


@dataclass(frozen=True)
class KeyInfo:
    key_type: str
    can_encrypt: bool
    description: str


def generate_private_key(key_type: str) -> PrivateKey:
    try:
        kind = KeyType(key_type)
    except ValueError:
        raise PkiError(
            _("Unknown key type '%(key_type)s'; choose one of %(choices)s.")
            % {"key_type": key_type, "choices": ", ".join(KeyType)}
        ) from None
    if kind in _GENERATE_CURVES:
        return ec.generate_private_key(_GENERATE_CURVES[kind])
    return rsa.generate_private_key(public_exponent=65537, key_size=int(kind.removeprefix("rsa-")))


def check_public_key(public_key: object) -> KeyInfo:
    """Describe a public key on our allowlist, or raise PkiError saying why it is not."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return _check_rsa(public_key.key_size)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = public_key.curve.name
        if curve not in _CURVES:
            raise PkiError(
                _(
                    "This key uses the elliptic curve %(curve)s, which is not on our allowlist "
                    "(P-256, P-384, P-521); create a new key on one of those curves or an RSA "
                    "key."
                )
                % {"curve": curve}
            )
        key_type, description = _CURVES[curve]
        return KeyInfo(key_type=key_type, can_encrypt=True, description=description)
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        # Ed25519 is a signature scheme only; S/MIME encryption needs RSA or ECDH.
        return KeyInfo(key_type="ed25519", can_encrypt=False, description="Ed25519 (signing only)")
    raise PkiError(
        _("%(name)s keys are not accepted for S/MIME; create an %(accepted)s key.")
        % {"name": _key_name(public_key), "accepted": _(_ACCEPTED)}
    )


def _check_rsa(bits: int) -> KeyInfo:
    if bits < RSA_MIN_BITS:
        raise PkiError(
            _(
                "This RSA key is %(bits)s bits, which is too weak; create a new key of 2048 to "
                "4096 bits (3072 is a good choice)."
            )
            % {"bits": bits}
        )
    if bits > RSA_MAX_BITS:
        raise PkiError(
            _(
                "This RSA key is %(bits)s bits; CAs and mail clients expect 2048 to 4096 bits, "
                "so create a new key of that size."
            )
            % {"bits": bits}
        )
    if bits % 8:
        raise PkiError(
            _(
                "This RSA key is %(bits)s bits, not a whole number of bytes, which some clients "
                "reject; create a new key of 2048, 3072 or 4096 bits."
            )
            % {"bits": bits}
        )
    return KeyInfo(key_type=f"rsa-{bits}", can_encrypt=True, description=f"RSA {bits}-bit")


def _key_name(public_key: object) -> str:
    names: list[tuple[type, str]] = [
        (dsa.DSAPublicKey, "DSA"),
        (ed448.Ed448PublicKey, "Ed448"),
        (x25519.X25519PublicKey, "X25519"),
        (x448.X448PublicKey, "X448"),
    ]
    for cls, name in names:
        if isinstance(public_key, cls):
            return name
    return "These"


def private_key_to_der(key: PrivateKey) -> bytes:
    """Unencrypted PKCS#8 DER: only ever handed straight to keywrap.wrap()."""
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key_der(der: bytes) -> PrivateKey:
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise PkiError(
            _("The stored private key could not be read; it may be damaged, so make a new request.")
        ) from exc
    if not isinstance(key, PrivateKey):
        raise PkiError(
            _("%(name)s keys are not supported; create an %(accepted)s key.")
            % {"name": type(key).__name__, "accepted": _(_ACCEPTED)}
        )
    return key


def _spki_der(public_key: PublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def spki_sha256(public_key: PublicKeyTypes) -> str:
    """Hex SHA-256 of the SubjectPublicKeyInfo: what SMIMEA 3 1 1 and key matching use."""
    return hashlib.sha256(_spki_der(public_key)).hexdigest()


def public_keys_equal(a: PublicKeyTypes, b: PublicKeyTypes) -> bool:
    return _spki_der(a) == _spki_der(b)
