"""Recognising what an uploaded file is: PEM blocks, and DER blobs of the usual kinds.

Shared by CSR and certificate uploads so both can say "you gave us X, we need Y".
"""

import base64
import binascii
import re
from collections.abc import Callable

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from certificates.pki.errors import UNREADABLE, PkiError
from certificates.pki.translation import _, gettext_noop

# One BEGIN or END line. The label is bounded, so a failed match costs a constant, and the
# whole file is scanned once (a lazy "BEGIN ... END" pattern rescans to the end of the file for
# every BEGIN without an END: quadratic, 23 s for 256 KB of unmatched BEGIN lines).
_MARKER = re.compile(rb"-----(BEGIN|END) ([A-Z0-9 ]{1,64})-----")
# A certificate with its chain is a handful of blocks; more is not an upload we serve.
MAX_PEM_BLOCKS = 32
# Matches even a truncated block (no END line): a key half-pasted is still a leaked key.
_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z0-9 ]{0,64}PRIVATE KEY-----")

# DER prefixes of a PKCS#12 PFX: SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data ...
_PFX_VERSION = b"\x02\x01\x03\x30"
_OID_PKCS7_DATA = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01"

# What a DER blob is, in words for messages.
CERTIFICATE = gettext_noop("a certificate")
CSR = gettext_noop("a certificate signing request (CSR)")
PKCS7 = gettext_noop("a PKCS#7 certificate bundle")
PKCS12 = gettext_noop("a PKCS#12 (.p12/.pfx) bundle with a private key")
PRIVATE_KEY = gettext_noop("a private key")


def looks_like_pem(data: bytes) -> bool:
    return b"-----BEGIN " in data


def contains_private_key(data: bytes) -> bool:
    return _PRIVATE_KEY.search(data) is not None


def pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    """(label, DER) for each complete PEM block, in file order; text around them is ignored.

    A block is a BEGIN line and the next END line with its label, with no BEGIN in between: a
    BEGIN without its END (a truncated paste) is text. One pass over the file, so linear."""
    blocks: list[tuple[str, bytes]] = []
    opened: tuple[bytes, int] | None = None  # the label and body start of an open block
    begins = 0
    for match in _MARKER.finditer(data):
        kind, label = match.group(1), match.group(2)
        if kind == b"BEGIN":
            begins += 1
            if begins > MAX_PEM_BLOCKS:
                raise PkiError(
                    _(
                        "The file has more than %(limit)s BEGIN lines; a certificate with "
                        "its chain, or a CSR, has a few, so this is not the file to upload."
                    )
                    % {"limit": MAX_PEM_BLOCKS}
                )
            opened = (label, match.end())
        elif opened is not None and opened[0] == label:
            body = data[opened[1] : match.start()]
            blocks.append((label.decode("ascii"), _decode_body(label, body)))
            opened = None
    return blocks


def _decode_body(label: bytes, body: bytes) -> bytes:
    # Skip RFC 1421 header lines ("Proc-Type: ...") that old tools put inside blocks.
    lines = [ln for ln in body.split(b"\n") if b":" not in ln]
    try:
        return base64.b64decode(b"".join(ln.strip() for ln in lines), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PkiError(
            _(
                "The %(label)s block in the file is damaged (not valid base64); copy "
                "the whole block again, from BEGIN to END."
            )
            % {"label": label.decode("ascii")}
        ) from exc


def bare_base64(data: bytes) -> bytes | None:
    """DER from base64 text pasted without BEGIN/END lines, if that is what the data is."""
    text = b"".join(data.split())
    if len(text) < 64 or not re.fullmatch(rb"[A-Za-z0-9+/]+={0,2}", text):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _looks_like_pkcs12(der: bytes) -> bool:
    if len(der) < 4 or der[0] != 0x30:
        return False
    # Skip the outer SEQUENCE's length (short or long form).
    first = der[1]
    offset = 2 + (first & 0x7F if first & 0x80 else 0)
    head = der[offset : offset + 32]
    return head.startswith(_PFX_VERSION) and _OID_PKCS7_DATA in head


def identify_der(der: bytes) -> str | None:
    """Which of the known kinds a DER blob is (one of the constants above), or None."""
    loaders: list[tuple[str, Callable[[bytes], object]]] = [
        (CERTIFICATE, x509.load_der_x509_certificate),
        (CSR, x509.load_der_x509_csr),
        (PKCS7, pkcs7.load_der_pkcs7_certificates),
    ]
    for kind, loader in loaders:
        try:
            loader(der)
        except UNREADABLE:
            continue
        return kind
    if _looks_like_pkcs12(der):
        return PKCS12
    try:
        serialization.load_der_private_key(der, password=None)
    except TypeError:
        return PRIVATE_KEY  # an encrypted PKCS#8 key: it still must not be uploaded
    except (ValueError, UnsupportedAlgorithm):
        return None
    return PRIVATE_KEY
