"""The ``/.well-known/smime/`` files: which request path names which file, their bodies and
validators, and the static export folder kept in sync file by file. Nothing here imports Django.
"""

from __future__ import annotations

import base64
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from certificates.pki.emails import ascii_lower

PREFIX = "/.well-known/smime/"
# A stem is a local part with dots made underscores: at most 64 octets in mail, 200 here.
_FILE = re.compile(r"(?P<stem>[^/\x00-\x1f\x7f]{1,200})\.(?P<ext>crt|pem)")
CONTENT_TYPES = {"crt": "application/pkix-cert", "pem": "application/x-pem-file"}


@dataclass(frozen=True)
class WantedFile:
    lookup: str  # the key publications are stored under (ASCII letters in lower case)
    ext: str


def parse_path(path: str) -> WantedFile | None:
    """The file a decoded request path asks for, or None for anything else (other folders,
    other extensions, encoded slashes, dot segments, control characters)."""
    if not path.startswith(PREFIX):
        return None
    match = _FILE.fullmatch(path[len(PREFIX) :])
    if match is None or match["stem"] in (".", ".."):
        return None
    return WantedFile(ascii_lower(match["stem"]), match["ext"])


def host_of(header: str) -> str:
    """The Host header without port or final dot, in lower case (``[v6]:port`` kept whole)."""
    host = header.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


def pem(der: bytes) -> bytes:
    body = base64.b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"-----BEGIN CERTIFICATE-----\n" + b"\n".join(lines) + b"\n-----END CERTIFICATE-----\n"


def body(der: bytes, ext: str) -> bytes:
    return der if ext == "crt" else pem(der)


def etag(fingerprint: str, ext: str) -> str:
    """A strong validator per representation: the certificate's fingerprint and the format."""
    return f'"{fingerprint[:32]}-{ext}"'


def etag_matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison, a list of tags, or ``*``."""
    candidates = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in candidates or tag in candidates


def tree(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """File name → bytes for a domain folder, from stem → DER."""
    return {f"{stem}.{ext}": body(der, ext) for stem, der in files.items() for ext in CONTENT_TYPES}


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """One writer at a time per export root (web processes and workers all sync it)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_folder(folder: Path, files: Mapping[str, bytes]) -> tuple[int, int]:
    """Make ``folder`` hold exactly ``files``: changed files replaced atomically (write beside,
    then rename over), files that are no longer published removed. Returns (written, removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = removed = 0
    for name, content in files.items():
        target = folder / name
        if target.is_file() and target.read_bytes() == content:
            continue
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)  # public files a static server must read
        os.replace(temporary, target)
        written += 1
    for stale in folder.iterdir():
        if stale.name not in files and stale.is_file():
            stale.unlink()
            removed += 1
    return written, removed
