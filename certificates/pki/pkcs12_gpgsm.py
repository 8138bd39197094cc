"""Whether gpgsm derives the right 3DES keys from a legacy PKCS#12's salts.

gpgsm (GnuPG's sm/minip12.c `string_to_key`; unchanged from 2.2.40, Debian 12's, up to
GnuPG's master of 2025) implements the PKCS#12 key derivation (RFC 7292 Appendix B.2) with one
slip. A 3DES key is 24 bytes, more than one SHA-1 output, so the KDF updates every 64-byte
block I_j of its input as I_j = (I_j + B + 1) mod 2^512 before its second round. gpgsm writes
each sum back with `gcry_mpi_print(GCRYMPI_FMT_USG, ...)`, which writes the shortest
big-endian form: when the sum's top byte is zero the block comes back one byte short, shifted,
and gpgsm derives another key ("decryption failed; trying charset ...", "data error at
shrouded_key_bag.decrypted-text"). OpenSSL, NSS and everybody else pad to 64 bytes. About one
bundle in 30 to 60 meets a zero byte somewhere; which ones depends only on the salts and the
password, so a builder that draws new salts until every sum keeps its top byte makes bundles
gpgsm reads. The 8-byte IV and the 20-byte MAC key take one round and are never affected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from certificates.pki import der
from certificates.pki.errors import PkiError

# DER contents of the object identifiers on the way from a PFX to its encrypted parts.
_DATA = bytes.fromhex("2a864886f70d010701")  # 1.2.840.113549.1.7.1
_ENCRYPTED_DATA = bytes.fromhex("2a864886f70d010706")  # 1.2.840.113549.1.7.6
_SHROUDED_KEY_BAG = bytes.fromhex("2a864886f70d010c0a0102")  # 1.2.840.113549.1.12.10.1.2
_PBE_SHA1_3DES = bytes.fromhex("2a864886f70d010c0103")  # 1.2.840.113549.1.12.1.3

_BLOCK = 64  # SHA-1's input block: the KDF's v, in bytes
_KEY_ID = 1  # the KDF's diversifier for key material (2 is the IV, 3 the MAC key)


@dataclass(frozen=True)
class PbeParameters:
    """The salt and iteration count of one pbeWithSHAAnd3-KeyTripleDES-CBC encryption."""

    salt: bytes
    iterations: int


def gpgsm_derives_right_keys(pfx: bytes, password: str) -> bool:
    """True when gpgsm's KDF gives the same 3DES key as RFC 7292 for every 3DES-encrypted part
    of the bundle (key bags and certificate bags), with this password."""
    return all(gpgsm_derives_right_key(password, p) for p in triple_des_parameters(pfx))


def gpgsm_derives_right_key(password: str, parameters: PbeParameters) -> bool:
    """Runs the KDF's first round (``iterations`` SHA-1 hashes) and tells whether every updated
    input block keeps a non-zero top byte, so that gpgsm writes it back whole."""
    inputs = _fill(parameters.salt) + _fill(password.encode("utf-16-be") + b"\0\0")
    # SHA-1 here predicts what gpgsm computes; it protects nothing.
    digest = hashlib.sha1(bytes([_KEY_ID]) * _BLOCK + inputs, usedforsecurity=False).digest()
    for _ in range(parameters.iterations - 1):
        digest = hashlib.sha1(digest, usedforsecurity=False).digest()
    increment = int.from_bytes(_fill(digest), "big") + 1
    for start in range(0, len(inputs), _BLOCK):
        block = int.from_bytes(inputs[start : start + _BLOCK], "big")
        if (block + increment) % (1 << (8 * _BLOCK)) >> (8 * (_BLOCK - 1)) == 0:
            return False
    return True


def _fill(data: bytes) -> bytes:
    """``data`` repeated to the next multiple of 64 bytes (RFC 7292 B.2 steps 2 and 3)."""
    length = -(-len(data) // _BLOCK) * _BLOCK
    return (data * (length // len(data) + 1))[:length] if data else b""


def triple_des_parameters(pfx: bytes) -> list[PbeParameters]:
    """Salt and iteration count of every 3DES part: PFX -> AuthenticatedSafe -> each
    ContentInfo, either encryptedData (the certificate bags, encrypted together) or data
    holding SafeBags, whose shrouded key bags are encrypted one by one."""
    try:
        return _walk(pfx)
    except (ValueError, IndexError) as error:  # a PkiError is a ValueError too
        raise PkiError("The data is not a PKCS#12 file as RFC 7292 describes it.") from error


def _walk(pfx: bytes) -> list[PbeParameters]:
    _version, auth_safe, *_mac = der.children(der.read(pfx)[0].content)
    _data, content = _content_info(auth_safe)  # data: the password-integrity mode
    safe = der.read(der.expect(content, der.OCTET_STRING, "PKCS#12 content").content)[0]
    found = []
    for info in der.children(safe.content):
        content_type, content = _content_info(info)
        if content_type == _ENCRYPTED_DATA:
            encrypted_content_info = der.children(content.content)[1]
            found += _pbe_parameters(der.children(encrypted_content_info.content)[1])
        elif content_type == _DATA:
            found += _key_bag_parameters(der.expect(content, der.OCTET_STRING, "data").content)
    return found


def _content_info(info: der.Element) -> tuple[bytes, der.Element]:
    """A ContentInfo's type (the OID's DER contents) and its explicitly tagged content."""
    content_type, wrapper = der.children(der.expect(info, der.SEQUENCE, "ContentInfo").content)
    content = der.read(der.expect(wrapper, der.context(0), "ContentInfo's content").content)[0]
    return der.expect(content_type, der.OID, "content type").content, content


def _key_bag_parameters(safe_contents: bytes) -> list[PbeParameters]:
    """The parameters of each shrouded key bag among the SafeBags in DER ``safe_contents``."""
    found = []
    for bag in der.children(der.read(safe_contents)[0].content):
        bag_id, value, *_attributes = der.children(bag.content)
        if bag_id.content == _SHROUDED_KEY_BAG:
            encrypted_key_info = der.read(der.expect(value, der.context(0), "bag").content)[0]
            found += _pbe_parameters(der.children(encrypted_key_info.content)[0])
    return found


def _pbe_parameters(algorithm: der.Element) -> list[PbeParameters]:
    """[one PbeParameters] for a pbeWithSHAAnd3-KeyTripleDES-CBC AlgorithmIdentifier, else []."""
    oid, parameters = der.children(algorithm.content)
    if oid.content != _PBE_SHA1_3DES:
        return []
    salt, iterations = der.children(der.expect(parameters, der.SEQUENCE, "PBE").content)
    return [
        PbeParameters(
            der.expect(salt, der.OCTET_STRING, "PBE salt").content,
            int.from_bytes(der.expect(iterations, der.INTEGER, "iteration count").content, "big"),
        )
    ]
