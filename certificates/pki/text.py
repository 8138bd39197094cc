"""Characters that make displayed text lie: control and format characters.

A right-to-left override (U+202E) reverses what follows it on screen, a line break lets a value
pose as two lines, zero-width characters make two different strings look equal. The portal
refuses them in everything a person types (Unicode categories Cc and Cf, and the line and
paragraph separators Zl and Zp) and shows any that arrive inside a certificate as visible
escapes such as ``\\u202e``.
"""

import re
import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# What multi-line text (PEM) may still hold.
LINE_BREAKS_AND_TABS = frozenset("\n\r\t")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Printable ASCII is never invisible: only the other characters, each distinct one once, need
# their category looked up, which keeps a 256 KB text fast to check whatever it holds.
_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]")


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) in INVISIBLE_CATEGORIES


def first_invisible(value: str, *, allow: frozenset[str] = frozenset()) -> str | None:
    """The first control or format character in ``value`` that ``allow`` does not list."""
    if value.isprintable():  # no Cc, Cf, Zl or Zp at all (C speed: the usual case)
        return None
    found = [c for c in set(_NOT_PRINTABLE_ASCII.findall(value)) - allow if is_invisible(c)]
    return min(found, key=value.index) if found else None


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: how a message names a character one cannot see."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def visible(value: str) -> str:
    """``value`` with each control or format character written as an escape (``\\n``,
    ``\\u202e``), so what is shown is what is there."""
    if first_invisible(value) is None:
        return value
    return "".join(_escape(c) if is_invisible(c) else c for c in value)


def _escape(char: str) -> str:
    code = ord(char)
    return _SHORT_ESCAPES.get(char) or (f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
