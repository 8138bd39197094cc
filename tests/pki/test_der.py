"""The small DER reader and the RSA-PSS parameters read with it."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from certificates.pki import der
from certificates.pki.errors import PkiError
from certificates.pki.signatures import pss_parameters


def test_reads_short_and_long_lengths_and_children() -> None:
    long_value = b"\x04\x81\x80" + b"x" * 128
    element, rest = der.read(b"\x30\x05\x02\x01\x07\x05\x00" + b"tail")
    assert (element.tag, rest) == (der.SEQUENCE, b"tail")
    assert [(c.tag, c.content) for c in der.children(element.content)] == [
        (der.INTEGER, b"\x07"),
        (der.NULL, b""),
    ]
    assert der.read(long_value)[0].content == b"x" * 128
    assert der.read(long_value)[0].encoded == long_value


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x30", "ends early"),
        (b"\x30\x05\x02\x01", "ends early"),
        (b"\x30\x80\x00\x00", "indefinite"),
        (b"\x1f\x81\x01\x00", "multi-byte tag"),
    ],
)
def test_malformed_der_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(PkiError, match=words):
        der.read(data)


def _pss(params: bytes) -> tuple[padding.PSS, hashes.HashAlgorithm]:
    return pss_parameters(der.read(params)[0])


def test_pss_parameters_default_to_sha1_mgf1_sha1_salt_20() -> None:
    pss, digest = _pss(b"\x30\x00")
    assert isinstance(digest, hashes.SHA1)
    assert pss._salt_length == 20  # cryptography keeps these private
    assert isinstance(pss._mgf._algorithm, hashes.SHA1)


def test_pss_parameters_name_hash_mask_and_salt() -> None:
    sha384 = bytes.fromhex("300d06096086480165030402020500")
    mgf1_sha384 = bytes.fromhex("301a06092a864886f70d010108") + sha384
    salt_48 = bytes.fromhex("020130")
    body = (
        b"\xa0" + bytes([len(sha384)]) + sha384
        + b"\xa1" + bytes([len(mgf1_sha384)]) + mgf1_sha384
        + b"\xa2" + bytes([len(salt_48)]) + salt_48
    )  # fmt: skip
    pss, digest = _pss(b"\x30" + bytes([len(body)]) + body)
    assert isinstance(digest, hashes.SHA384)
    assert pss._salt_length == 48
    assert isinstance(pss._mgf._algorithm, hashes.SHA384)


def test_pss_with_an_unknown_hash_is_refused() -> None:
    md5 = bytes.fromhex("300c06082a864886f70d02050500")
    with pytest.raises(PkiError, match="a hash the portal does not accept"):
        _pss(b"\x30" + bytes([len(md5) + 2]) + b"\xa0" + bytes([len(md5)]) + md5)
