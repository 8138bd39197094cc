"""Encryption at rest of server-held private keys (AES-256-GCM under a key-encryption key).

Blob layout: version (1 byte, 0x01) | key id (8 bytes) | nonce (12 bytes) | ciphertext+tag.
The key id lets several keys be configured at once (the first encrypts, all decrypt), so keys
can be rotated by re-wrapping. The caller passes the row's identity as associated data, so a
ciphertext copied onto another row fails to open instead of handing out someone else's key.
"""

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from certificates.pki.errors import PkiError

VERSION = b"\x01"
KEY_BYTES = 32
KEY_ID_BYTES = 8
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = 1 + KEY_ID_BYTES + NONCE_BYTES


class KeyUnavailable(PkiError):
    """The blob was wrapped under a key that is not configured any more."""


class KeyDecryptionFailed(PkiError):
    """The key is configured but the tag did not verify: wrong row, or tampered data."""


def generate_key_b64() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_keys(value: str) -> list[bytes]:
    """Comma-separated base64 (standard or URL-safe, padding optional) 32-byte keys."""
    keys: list[bytes] = []
    for position, item in enumerate(value.split(","), start=1):
        text = item.strip()
        if not text:
            continue
        # Never echo the value: it is a secret.
        try:
            normalised = text.replace("-", "+").replace("_", "/")
            raw = base64.b64decode(normalised + "=" * (-len(normalised) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PkiError(
                f"Key-encryption key number {position} is not valid base64; generate one with "
                'python -c "import os, base64; print(base64.b64encode(os.urandom(32)).decode())".'
            ) from exc
        if len(raw) != KEY_BYTES:
            raise PkiError(
                f"Key-encryption key number {position} is {len(raw)} bytes, but each key must be "
                f"{KEY_BYTES} random bytes in base64 (44 characters)."
            )
        keys.append(raw)
    if not keys:
        raise PkiError(
            "No key-encryption key is configured; set at least one base64-encoded 32-byte key."
        )
    return keys


def _key_id_bytes(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:KEY_ID_BYTES]


def key_id(key: bytes) -> str:
    return _key_id_bytes(key).hex()


def wrap(plaintext: bytes, keys: list[bytes], associated_data: bytes) -> bytes:
    if not keys:
        raise PkiError("No key-encryption key is configured, so the private key cannot be stored.")
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keys[0]).encrypt(nonce, plaintext, associated_data)
    return VERSION + _key_id_bytes(keys[0]) + nonce + sealed


def _blob_key_id(blob: bytes) -> bytes:
    if len(blob) < _HEADER + TAG_BYTES or blob[:1] != VERSION:
        raise PkiError(
            "The stored private key is not in a known encrypted format, so it cannot be "
            "read; restore it from a backup or make a new request."
        )
    return blob[1 : 1 + KEY_ID_BYTES]


def unwrap(blob: bytes, keys: list[bytes], associated_data: bytes) -> bytes:
    wanted = _blob_key_id(blob)
    key = next((k for k in keys if _key_id_bytes(k) == wanted), None)
    if key is None:
        raise KeyUnavailable(
            f"This private key was encrypted under key-encryption key {wanted.hex()}, which is "
            "not configured; add that key back to the key list to read it."
        )
    nonce = blob[1 + KEY_ID_BYTES : _HEADER]
    try:
        return AESGCM(key).decrypt(nonce, blob[_HEADER:], associated_data)
    except InvalidTag as exc:
        raise KeyDecryptionFailed(
            "The stored private key failed its integrity check: it belongs to another record or "
            "was altered, so it was not used."
        ) from exc


def needs_rewrap(blob: bytes, keys: list[bytes]) -> bool:
    """True when the blob is not under the first (current) key, i.e. rotation should re-wrap it."""
    if not keys:
        raise PkiError("No key-encryption key is configured.")
    return _blob_key_id(blob) != _key_id_bytes(keys[0])
