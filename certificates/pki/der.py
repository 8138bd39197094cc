"""Just enough DER reading to get at fields `cryptography` has no accessor for.

Only what we need: single-byte tags and definite lengths (DER forbids the rest).
"""

from __future__ import annotations

from dataclasses import dataclass

from certificates.pki.errors import PkiError
from certificates.pki.translation import _

SEQUENCE = 0x30
INTEGER = 0x02
OID = 0x06
NULL = 0x05
OCTET_STRING = 0x04


@dataclass(frozen=True)
class Element:
    tag: int
    content: bytes
    encoded: bytes  # tag, length and content: what a hash over "the DER of X" covers


def context(number: int) -> int:
    """The tag of an EXPLICIT [number] (constructed, context-specific)."""
    return 0xA0 | number


def read(data: bytes) -> tuple[Element, bytes]:
    """The first element of ``data`` and what follows it."""
    if len(data) < 2:
        raise PkiError(_("The DER data ends early."))
    tag, first = data[0], data[1]
    if tag & 0x1F == 0x1F:
        raise PkiError(_("The DER data uses a multi-byte tag, which no field here has."))
    if first < 0x80:
        length, start = first, 2
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            raise PkiError(_("The DER data has an indefinite or oversized length."))
        length, start = int.from_bytes(data[2 : 2 + count], "big"), 2 + count
    end = start + length
    if end > len(data):
        raise PkiError(_("The DER data ends early."))
    return Element(tag, data[start:end], data[:end]), data[end:]


def children(content: bytes) -> list[Element]:
    """The elements inside a constructed element's content."""
    items = []
    while content:
        item, content = read(content)
        items.append(item)
    return items


def expect(element: Element, tag: int, what: str) -> Element:
    if element.tag != tag:
        raise PkiError(_("The %(what)s is not where the DER structure puts it.") % {"what": what})
    return element
