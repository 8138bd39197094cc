import pytest

from certificates.pki.text import LINE_BREAKS_AND_TABS, describe, first_invisible, visible


@pytest.mark.parametrize(
    "char",
    ["\x00", "\n", "\t", "\x1b", "\x7f", "\x85", "\u200b", "\u200e", "\u202e", "\u2066", "\ufeff"]
    + ["\u2028", "\u2029", "\U000e0041"],
)
def test_control_format_and_separator_characters_are_found(char: str) -> None:
    assert first_invisible(f"Acme{char}Corp") == char


def test_ordinary_text_passes() -> None:
    assert first_invisible("Jörg O'Brien-Łukasz, 東京 <b>&amp;") is None
    assert first_invisible("line one\r\nline two\t", allow=LINE_BREAKS_AND_TABS) is None


def test_invisible_characters_are_shown_as_escapes() -> None:
    assert visible("CN=\u202egnp.exe\n\x00") == "CN=\\u202egnp.exe\\n\\u0000"
    assert visible("tag\U000e0041") == "tag\\U000e0041"
    assert visible("Jörg") == "Jörg"


def test_characters_are_described_by_code_point_and_name() -> None:
    assert describe("\u202e") == "U+202E (RIGHT-TO-LEFT OVERRIDE)"
    assert describe("\x00") == "U+0000"
