import pytest
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x25519

from certificates.pki import keys
from certificates.pki.errors import PkiError


@pytest.mark.parametrize("key_type", ["rsa-2048", "ec-p256", "ec-p384"])
def test_generated_keys_pass_the_allowlist(key_type: str) -> None:
    key = keys.generate_private_key(key_type)
    info = keys.check_public_key(key.public_key())
    assert info.key_type == key_type
    assert info.can_encrypt


def test_default_key_type_is_generatable() -> None:
    assert keys.DEFAULT_KEY_TYPE in list(keys.KeyType)


def test_generate_refuses_unknown_type() -> None:
    with pytest.raises(PkiError, match="Unknown key type 'ed25519'"):
        keys.generate_private_key("ed25519")


def test_rsa_descriptions_and_odd_sizes() -> None:
    info = keys.check_public_key(rsa.generate_private_key(65537, 2056).public_key())
    assert (info.key_type, info.description) == ("rsa-2056", "RSA 2056-bit")


@pytest.mark.parametrize("bits,needle", [(1024, "too weak"), (2052, "whole number of bytes")])
def test_rsa_outside_allowlist_is_refused(bits: int, needle: str) -> None:
    with pytest.raises(PkiError, match=needle):
        keys.check_public_key(rsa.generate_private_key(65537, bits).public_key())


@pytest.mark.slow  # generating a 4608-bit key takes up to seconds
def test_rsa_above_4096_is_refused() -> None:
    with pytest.raises(PkiError, match="4608 bits"):
        keys.check_public_key(rsa.generate_private_key(65537, 4608).public_key())


def test_p521_is_accepted() -> None:
    info = keys.check_public_key(ec.generate_private_key(ec.SECP521R1()).public_key())
    assert (info.key_type, info.description) == ("ec-p521", "ECDSA P-521")


def test_secp256k1_is_refused_by_allowlist_not_size() -> None:
    with pytest.raises(PkiError) as caught:
        keys.check_public_key(ec.generate_private_key(ec.SECP256K1()).public_key())
    assert "secp256k1" in caught.value.message
    assert "not on our allowlist (P-256, P-384, P-521)" in caught.value.message


def test_ed25519_is_accepted_for_signing_only() -> None:
    info = keys.check_public_key(ed25519.Ed25519PrivateKey.generate().public_key())
    assert info.key_type == "ed25519"
    assert info.can_encrypt is False
    assert "signing only" in info.description


@pytest.mark.parametrize(
    "public_key,name",
    [
        (lambda: ed448.Ed448PrivateKey.generate().public_key(), "Ed448"),
        (lambda: x25519.X25519PrivateKey.generate().public_key(), "X25519"),
        (lambda: dsa.generate_private_key(2048).public_key(), "DSA"),
        (lambda: "not a key", "These"),
    ],
)
def test_other_key_types_are_refused(public_key, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PkiError, match=f"^{name} keys are not accepted"):
        keys.check_public_key(public_key())


def test_private_key_der_round_trip(ec_key: ec.EllipticCurvePrivateKey) -> None:
    der = keys.private_key_to_der(ec_key)
    loaded = keys.load_private_key_der(der)
    assert keys.public_keys_equal(loaded.public_key(), ec_key.public_key())


def test_load_private_key_der_refuses_garbage_and_other_types() -> None:
    with pytest.raises(PkiError, match="could not be read"):
        keys.load_private_key_der(b"\x30\x03garbage")
    ed448_der = keys.private_key_to_der(ed448.Ed448PrivateKey.generate())  # type: ignore[arg-type]
    with pytest.raises(PkiError, match="not supported"):
        keys.load_private_key_der(ed448_der)


def test_spki_sha256_and_equality(ec_key: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    digest = keys.spki_sha256(ec_key.public_key())
    assert len(digest) == 64 and digest == digest.lower()
    assert digest == keys.spki_sha256(ec_key.public_key())
    assert digest != keys.spki_sha256(other.public_key())
    assert keys.public_keys_equal(ec_key.public_key(), ec_key.public_key())
    assert not keys.public_keys_equal(ec_key.public_key(), other.public_key())
