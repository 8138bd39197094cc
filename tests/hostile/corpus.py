"""The hostile inputs: files nobody here wrote (the ``cryptography-vectors`` package, released
with cryptography itself: x509 incl. custom/, requests/, ocsp/, pkcs7/, pkcs12/ and NIST PKITS),
random bytes and truncated prefixes of real files. Everything is deterministic (fixed seeds,
sorted paths), so a failure found once is found again.
"""

from __future__ import annotations

import base64
import hashlib
import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

import cryptography_vectors

VECTORS = Path(cryptography_vectors.__file__).parent
PKCS12_PASSWORD = b"cryptography"  # the password of the package's pkcs12/ files
# PKITS_data holds, besides certificates, CRLs, cross-certificate pairs and PKCS#12 files, its
# S/MIME test messages and LDAP schema: not what any upload door is for.
_PKITS_KINDS = {"certs", "crls", "certpairs", "pkcs12"}
SEED = 11  # issue 11
RANDOM_TRIES = 60
TRUNCATED_SOURCES = 40


@dataclass(frozen=True)
class Hostile:
    name: str  # where it came from: a path under the package, or random:/truncated: and a tag
    data: bytes
    kind: str  # "x509", "csr", "ocsp", "pkcs7", "pkcs12", "pkits", "random", "truncated"


def _kind(relative: Path) -> str:
    parts = relative.parts
    if parts[0] in ("pkcs7", "pkcs12"):
        return parts[0]
    if len(parts) > 1 and parts[1] == "PKITS_data":
        return "pkits"
    if len(parts) > 1 and parts[1] == "requests":
        return "csr"
    if len(parts) > 1 and parts[1] == "ocsp":
        return "ocsp"
    return "x509"


def _wanted(relative: Path) -> bool:
    parts = relative.parts
    if parts[0] in ("pkcs7", "pkcs12"):
        return True
    if parts[0] != "x509":
        return False
    if len(parts) > 1 and parts[1] == "PKITS_data":
        return len(parts) > 3 and parts[2] in _PKITS_KINDS
    return True


def vector_files() -> list[Hostile]:
    """Every certificate, CSR, CRL, OCSP, PKCS#7 and PKCS#12 file of the package, sorted by
    path; a file whose bytes equal an earlier one's is left out (it would only repeat it)."""
    seen: set[bytes] = set()
    found = []
    for path in sorted(VECTORS.rglob("*")):
        relative = path.relative_to(VECTORS)
        if not path.is_file() or path.suffix == ".py" or not _wanted(relative):
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).digest()
        if digest in seen:
            continue
        seen.add(digest)
        found.append(Hostile(str(relative), data, _kind(relative)))
    return found


def _pem(label: str, der: bytes) -> bytes:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode()


def random_inputs(count: int = RANDOM_TRIES) -> list[Hostile]:
    """Random bytes in the shapes a parser meets first: raw, behind a DER SEQUENCE header (so
    the DER readers are reached), and inside PEM armour of each label the doors know."""
    rng = random.Random(SEED)
    labels = ["CERTIFICATE", "CERTIFICATE REQUEST", "PKCS7", "X509 CRL", "PRIVATE KEY"]
    found = []
    for n in range(count):
        size = rng.choice([0, 1, 2, 3, 16, 64, 200, 1000, 1500, 4000])
        noise = rng.randbytes(size)
        shape = n % 3
        if shape == 0:
            data, tag = noise, "raw"
        elif shape == 1:
            data, tag = b"\x30\x82" + len(noise).to_bytes(2, "big") + noise, "der"
        else:
            label = labels[n % len(labels)]
            data, tag = _pem(label, noise), f"pem {label}"
        found.append(Hostile(f"random:{n} {tag} {len(data)} bytes", data, "random"))
    return found


def truncated_inputs(files: list[Hostile], sources: int = TRUNCATED_SOURCES) -> list[Hostile]:
    """Prefixes of real files (half, all but the last byte, a random cut) from an even spread of
    the corpus: a parser must say "incomplete", never read past the end."""
    rng = random.Random(SEED)
    step = max(1, len(files) // sources)
    found = []
    for source in files[::step][:sources]:
        size = len(source.data)
        for cut in sorted({size // 2, max(0, size - 1), rng.randrange(size) if size else 0}):
            name = f"truncated:{source.name}[:{cut}]"
            found.append(Hostile(name, source.data[:cut], "truncated"))
    return found


def all_inputs() -> list[Hostile]:
    files = vector_files()
    return files + random_inputs() + truncated_inputs(files)


def spread(inputs: list[Hostile], pkits_every: int, others_every: int = 1) -> list[Hostile]:
    """A subset for the costlier doors: every file of the package outside PKITS, every
    ``pkits_every``-th PKITS file (its 1,330 files are four kinds of near-identical
    structures, all of which the service doors see) and every ``others_every``-th random or
    truncated input."""
    pkits = [item for item in inputs if item.kind == "pkits"]
    generated = [item for item in inputs if item.kind in ("random", "truncated")]
    files = [item for item in inputs if item not in pkits and item not in generated]
    return files + pkits[::pkits_every] + generated[::others_every]
