"""The PKCS#12 key derivation (RFC 7292 Appendix B.2, SHA-1) written out in full, as everyone
computes it and as gpgsm does, without the code under test; and a deterministic search for
salts on either side of gpgsm's slip (as the checker under test judges them)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator

from certificates.pki.pkcs12_gpgsm import PbeParameters, gpgsm_derives_right_key

BLOCK = 64
KEY, IV = 1, 2  # RFC 7292 B.3's diversifiers


def pkcs12_kdf(
    password: str, salt: bytes, iterations: int, purpose: int, length: int, *, gpgsm: bool = False
) -> bytes:
    """``length`` bytes of key material. With ``gpgsm``, each updated block is written back the
    way GnuPG's minip12 does: gcry_mpi_print(GCRYMPI_FMT_USG) puts the sum's shortest
    big-endian form at the block's start and leaves the block's remaining bytes as they were."""

    def fill(data: bytes) -> bytes:
        length = BLOCK * ((len(data) + BLOCK - 1) // BLOCK)
        return bytes(data[i % len(data)] for i in range(length))

    inputs = bytearray(fill(salt) + fill(password.encode("utf-16-be") + b"\0\0"))
    output = b""
    while True:
        digest = bytes([purpose]) * BLOCK + bytes(inputs)
        for _ in range(iterations):
            digest = hashlib.sha1(digest, usedforsecurity=False).digest()
        output += digest
        if len(output) >= length:
            return output[:length]
        increment = int.from_bytes(fill(digest), "big") + 1
        for start in range(0, len(inputs), BLOCK):
            total = (int.from_bytes(inputs[start : start + BLOCK], "big") + increment) % 2**512
            size = (total.bit_length() + 7) // 8 if gpgsm else BLOCK
            inputs[start : start + size] = total.to_bytes(size, "big")


def gpgsm_gets_the_key(password: str, salt: bytes, iterations: int) -> bool:
    """gpgsm's 3DES key for this salt equals everybody else's."""
    return pkcs12_kdf(password, salt, iterations, KEY, 24) == pkcs12_kdf(
        password, salt, iterations, KEY, 24, gpgsm=True
    )


def salts(password: str, iterations: int, *, gpgsm_reads: bool) -> Iterator[bytes]:
    """Those of the salts 0, 1, 2, ... (8 bytes each) that the checker judges as asked."""
    for number in itertools.count():
        salt = number.to_bytes(8, "big")
        if gpgsm_derives_right_key(password, PbeParameters(salt, iterations)) == gpgsm_reads:
            yield salt
