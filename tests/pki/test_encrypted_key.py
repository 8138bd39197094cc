"""pki.encrypted_key: the portal keeps encrypted PKCS#8 keys it cannot open, and nothing else."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from certificates.pki.encrypted_key import MAX_ENCRYPTED_KEY_BYTES, check_encrypted_key
from certificates.pki.errors import PkiError


def key_pem(password: bytes | None) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def test_encrypted_pkcs8_is_kept_as_one_clean_pem_block() -> None:
    pem = key_pem(b"passphrase")
    kept = check_encrypted_key(b"text around\n" + pem + b"\nmore text")
    assert kept == pem.decode()
    loaded = serialization.load_pem_private_key(kept.encode(), b"passphrase")
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)


def test_unencrypted_key_is_refused() -> None:
    with pytest.raises(PkiError, match="unencrypted private key"):
        check_encrypted_key(key_pem(None))


def test_unencrypted_key_under_the_encrypted_label_is_refused() -> None:
    relabelled = key_pem(None).replace(b"PRIVATE KEY", b"ENCRYPTED PRIVATE KEY")
    with pytest.raises(PkiError, match="not encrypted"):
        check_encrypted_key(relabelled)


def test_garbage_and_oversized_input_are_refused() -> None:
    with pytest.raises(PkiError, match="could not be read"):
        check_encrypted_key(
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
        )
    with pytest.raises(PkiError, match="exactly one key backup"):
        check_encrypted_key(b"hello")
    with pytest.raises(PkiError, match="KB"):
        check_encrypted_key(b"x" * (MAX_ENCRYPTED_KEY_BYTES + 1))
