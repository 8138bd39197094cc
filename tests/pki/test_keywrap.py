import base64
import os

import pytest

from certificates.pki import keywrap
from certificates.pki.errors import PkiError


def _keys(n: int) -> list[bytes]:
    return [os.urandom(32) for _ in range(n)]


def test_parse_keys_accepts_standard_and_urlsafe_base64_with_spaces() -> None:
    a, b = _keys(2)
    value = f" {base64.b64encode(a).decode()} , {base64.urlsafe_b64encode(b).decode().rstrip('=')},"
    assert keywrap.parse_keys(value) == [a, b]


def test_generated_key_parses_to_32_bytes() -> None:
    assert len(keywrap.parse_keys(keywrap.generate_key_b64())[0]) == 32


def test_parse_keys_names_the_bad_position() -> None:
    good = keywrap.generate_key_b64()
    with pytest.raises(PkiError, match="number 2 is not valid base64"):
        keywrap.parse_keys(f"{good},not*base64")
    with pytest.raises(PkiError, match="number 3 is 16 bytes"):
        keywrap.parse_keys(f"{good},{good},{base64.b64encode(os.urandom(16)).decode()}")


def test_parse_keys_error_does_not_echo_the_secret() -> None:
    short = base64.b64encode(os.urandom(16)).decode()
    with pytest.raises(PkiError) as caught:
        keywrap.parse_keys(short)
    assert short not in caught.value.message


@pytest.mark.parametrize("value", ["", "  ", ",,"])
def test_parse_keys_refuses_an_empty_list(value: str) -> None:
    with pytest.raises(PkiError, match="No key-encryption key"):
        keywrap.parse_keys(value)


def test_wrap_round_trip_and_format() -> None:
    keys = _keys(1)
    blob = keywrap.wrap(b"secret key der", keys, b"request:42")
    assert blob[0] == 1
    assert blob[1:9].hex() == keywrap.key_id(keys[0])
    assert len(blob) == 1 + 8 + 12 + len(b"secret key der") + 16
    assert keywrap.unwrap(blob, keys, b"request:42") == b"secret key der"


def test_nonce_is_random() -> None:
    keys = _keys(1)
    assert keywrap.wrap(b"x", keys, b"a") != keywrap.wrap(b"x", keys, b"a")


def test_ciphertext_moved_to_another_row_fails() -> None:
    keys = _keys(1)
    blob = keywrap.wrap(b"secret", keys, b"request:42")
    with pytest.raises(keywrap.KeyDecryptionFailed):
        keywrap.unwrap(blob, keys, b"request:43")


def test_tampered_ciphertext_fails() -> None:
    keys = _keys(1)
    blob = bytearray(keywrap.wrap(b"secret", keys, b"a"))
    blob[-1] ^= 1
    with pytest.raises(keywrap.KeyDecryptionFailed):
        keywrap.unwrap(bytes(blob), keys, b"a")


def test_rotation_unwraps_by_key_id_and_flags_rewrap() -> None:
    old, new = _keys(2)
    blob = keywrap.wrap(b"secret", [old], b"a")
    rotated = [new, old]  # the new key first: it encrypts, both decrypt
    assert keywrap.unwrap(blob, rotated, b"a") == b"secret"
    assert keywrap.needs_rewrap(blob, rotated)
    rewrapped = keywrap.wrap(keywrap.unwrap(blob, rotated, b"a"), rotated, b"a")
    assert not keywrap.needs_rewrap(rewrapped, rotated)
    assert keywrap.unwrap(rewrapped, [new], b"a") == b"secret"


def test_missing_key_raises_key_unavailable_naming_its_id() -> None:
    old, new = _keys(2)
    blob = keywrap.wrap(b"secret", [old], b"a")
    with pytest.raises(keywrap.KeyUnavailable, match=keywrap.key_id(old)):
        keywrap.unwrap(blob, [new], b"a")


def test_not_a_blob_is_refused() -> None:
    with pytest.raises(PkiError, match="not in a known encrypted format"):
        keywrap.unwrap(b"\x02" + bytes(40), _keys(1), b"a")
    with pytest.raises(PkiError, match="not in a known encrypted format"):
        keywrap.needs_rewrap(b"\x01short", _keys(1))


def test_key_errors_are_pki_errors() -> None:
    assert issubclass(keywrap.KeyUnavailable, PkiError)
    assert issubclass(keywrap.KeyDecryptionFailed, PkiError)
