"""The one check every free-text field passes, whichever door it came through: no control or
format characters (pki.text says which and why), so what is stored is what is shown."""

from __future__ import annotations

from django.utils.translation import gettext as _

from certificates.pki.text import describe, first_invisible
from certificates.services.errors import field_error


def single_line(field: str, label: str, value: str) -> str:
    """``value`` without surrounding spaces; 422 naming ``field`` if it holds a control or
    format character (a line break, a tab, NUL, a right-to-left override, a zero-width space)."""
    value = value.strip()
    char = first_invisible(value)
    if char is not None:
        raise field_error(
            field,
            _(
                "%(label)s contains %(character)s, a control or invisible formatting "
                "character that could make it display as something else; type it again "
                "as plain text on one line."
            )
            % {"label": label, "character": describe(char)},
            "control_character",
        )
    return value
