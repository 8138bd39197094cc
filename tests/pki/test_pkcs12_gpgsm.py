"""Which legacy PKCS#12 salts gpgsm reads: the checker against the KDF written out in full,
both as RFC 7292 has it and as gpgsm computes it; and legacy builds that keep only salts
gpgsm reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from unittest import mock

import pytest
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.serialization import pkcs12

from certificates.pki import der
from certificates.pki.errors import PkiError
from certificates.pki.pkcs12 import GPGSM_ATTEMPTS, LEGACY_KDF_ROUNDS
from certificates.pki.pkcs12_gpgsm import (
    PbeParameters,
    gpgsm_derives_right_key,
    gpgsm_derives_right_keys,
    triple_des_parameters,
)
from tests.pkcs12_kdf import IV, KEY, gpgsm_gets_the_key, pkcs12_kdf, salts
from tests.pki.conftest import NOW
from tests.pki.test_pkcs12 import PASSWORD, _bundle
from tests.testca import SmimeTestCA

Build = Callable[..., bytes]


@pytest.fixture(scope="module")
def build(rsa_key: rsa.RSAPrivateKey, ca: SmimeTestCA) -> Build:
    """build(password=PASSWORD, profile="legacy"): a bundle of Jane's key, leaf and chain."""
    leaf = ca.issue(rsa_key.public_key(), "jane@example.com", now=NOW)
    return lambda password=PASSWORD, profile="legacy": _bundle(rsa_key, leaf, ca, profile, password)


@pytest.mark.parametrize("password", [PASSWORD, "Grüße, €uro 😀", "x" * 40])
def test_checker_agrees_with_the_kdf_written_out_for_thousands_of_salts(password: str) -> None:
    # One round of SHA-1 keeps the sweep fast; the slip does not depend on the count.
    verdicts = []
    for number in range(3000):
        salt = number.to_bytes(8, "big")
        verdict = gpgsm_derives_right_key(password, PbeParameters(salt, 1))
        assert verdict == gpgsm_gets_the_key(password, salt, 1), salt.hex()
        verdicts.append(verdict)
    assert 5 < verdicts.count(False) < 100  # about one salt in 128 (two or more blocks)


def test_a_salt_the_checker_refuses_gives_gpgsm_a_wrong_key_but_the_right_iv() -> None:
    salt = next(salts(PASSWORD, LEGACY_KDF_ROUNDS, gpgsm_reads=False))
    right = pkcs12_kdf(PASSWORD, salt, LEGACY_KDF_ROUNDS, KEY, 24)
    gpgsms = pkcs12_kdf(PASSWORD, salt, LEGACY_KDF_ROUNDS, KEY, 24, gpgsm=True)
    assert right[:20] == gpgsms[:20] and right[20:] != gpgsms[20:]
    # 8 bytes of IV take one round, before any block is rewritten.
    assert pkcs12_kdf(PASSWORD, salt, LEGACY_KDF_ROUNDS, IV, 8) == pkcs12_kdf(
        PASSWORD, salt, LEGACY_KDF_ROUNDS, IV, 8, gpgsm=True
    )


def test_a_salt_the_checker_accepts_gives_gpgsm_the_right_key() -> None:
    salt = next(salts(PASSWORD, LEGACY_KDF_ROUNDS, gpgsm_reads=True))
    assert gpgsm_gets_the_key(PASSWORD, salt, LEGACY_KDF_ROUNDS)


def test_reads_the_salts_of_the_key_bag_and_the_certificate_bags(build: Build) -> None:
    found = triple_des_parameters(build())
    assert [p.iterations for p in found] == [LEGACY_KDF_ROUNDS] * 2
    assert [len(p.salt) for p in found] == [8, 8] and found[0].salt != found[1].salt
    assert triple_des_parameters(build(profile="modern")) == []


def test_the_kdf_written_out_opens_the_key_bag_cryptography_wrote(
    build: Build, rsa_key: rsa.RSAPrivateKey
) -> None:
    # Ties the test's KDF (and its UTF-16 password, surrogate pair included) to what the
    # server really writes, so the agreement above is about the real thing.
    password = "Grüße, €uro 😀"
    data = build(password)
    salt, rounds = next(
        (p.salt, p.iterations) for p in triple_des_parameters(data) if p.salt in key_bag(data)
    )
    decryptor = Cipher(
        TripleDES(pkcs12_kdf(password, salt, rounds, KEY, 24)),
        modes.CBC(pkcs12_kdf(password, salt, rounds, IV, 8)),
    ).decryptor()
    padded = decryptor.update(encrypted_key(data)) + decryptor.finalize()
    key = serialization.load_der_private_key(padded[: -padded[-1]], None)
    assert key.private_numbers() == rsa_key.private_numbers()  # type: ignore[union-attr]


def key_bag(pfx: bytes) -> bytes:
    """The DER of the bundle's (single) shrouded key bag: PFX -> authSafe data ->
    AuthenticatedSafe's second ContentInfo (data) -> first SafeBag."""
    auth_safe = der.children(der.read(pfx)[0].content)[1]
    octets = der.read(der.children(auth_safe.content)[1].content)[0]
    data_info = der.children(der.read(octets.content)[0].content)[1]
    safe_contents = der.read(der.read(der.children(data_info.content)[1].content)[0].content)[0]
    return der.children(safe_contents.content)[0].encoded


def encrypted_key(pfx: bytes) -> bytes:
    bag_value = der.children(der.read(key_bag(pfx))[0].content)[1]
    return der.children(der.read(bag_value.content)[0].content)[1].content


def test_every_legacy_build_is_read_by_gpgsm(build: Build) -> None:
    # Without the check about one build in 64 had a salt gpgsm misreads.
    for _ in range(100):
        data = build()
        for found in triple_des_parameters(data):
            assert gpgsm_gets_the_key(PASSWORD, found.salt, found.iterations), found.salt.hex()


@pytest.fixture
def misread_bundle(build: Build) -> bytes:
    """A legacy bundle whose key bag salt is one gpgsm misreads (the salt is swapped in after
    encryption: only the checker reads this bundle)."""
    data = build()
    old = triple_des_parameters(data)[0].salt
    misread = data.replace(old, next(salts(PASSWORD, LEGACY_KDF_ROUNDS, gpgsm_reads=False)))
    assert not gpgsm_derives_right_keys(misread, PASSWORD)
    return misread


@pytest.fixture
def serializer() -> Iterator[mock.MagicMock]:
    with mock.patch.object(
        pkcs12, "serialize_key_and_certificates", wraps=pkcs12.serialize_key_and_certificates
    ) as serialize:
        yield serialize


def test_a_build_gpgsm_would_misread_is_built_again(
    build: Build, misread_bundle: bytes, serializer: mock.MagicMock
) -> None:
    serializer.side_effect = [misread_bundle, mock.DEFAULT]  # DEFAULT: the real one
    data = build()
    assert serializer.call_count == 2
    assert data != misread_bundle and gpgsm_derives_right_keys(data, PASSWORD)


def test_builds_that_gpgsm_always_misreads_end_in_a_clear_error(
    build: Build, misread_bundle: bytes, serializer: mock.MagicMock
) -> None:
    serializer.return_value = misread_bundle
    with pytest.raises(PkiError, match="No compatible bundle that gpgsm can read came out of 20"):
        build()
    assert serializer.call_count == GPGSM_ATTEMPTS


def test_modern_builds_are_not_checked(build: Build, serializer: mock.MagicMock) -> None:
    build(profile="modern")
    assert serializer.call_count == 1


def test_a_file_that_is_not_a_pkcs12_is_refused(ca: SmimeTestCA) -> None:
    with pytest.raises(PkiError, match="not a PKCS#12 file"):
        triple_des_parameters(ca.root.public_bytes(serialization.Encoding.DER))
