"""CSV that spreadsheets open as data: no cell can start a formula.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (and some trim a leading tab or carriage return first), so an address, a subject
or an audit detail someone typed could run a command or leak data when an admin opens the
export. Such a cell gets a leading apostrophe, which spreadsheets show as text (OWASP's advice
for CSV injection). Pure Python, no Django: rows in, lines out, one at a time.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

FORMULA_STARTS = frozenset("=+-@\t\r")
CHUNK = 64 * 1024  # characters per piece of a stream: few writes, little memory


def neutralise(cell: str) -> str:
    """``cell`` as text a spreadsheet will not evaluate."""
    return "'" + cell if cell[:1] in FORMULA_STARTS else cell


def cell_text(value: object) -> str:
    """One value as CSV text: nothing for None, ISO 8601 for times, JSON for structures."""
    if value.__class__ is str:  # most cells: the fast path of a stream of many rows
        return value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class _Line:
    """A file-like object whose write hands back what csv.writer wrote: one line at a time,
    so a stream of a million rows holds one row in memory."""

    def write(self, line: str) -> str:
        return line


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The header and then each row as a CSV line (RFC 4180 quoting, CRLF endings), every
    cell neutralised."""
    writer = csv.writer(_Line())
    yield writer.writerow([neutralise(name) for name in header])
    for row in rows:
        yield writer.writerow([_safe_cell(value) for value in row])


def _safe_cell(value: object) -> str:
    """neutralise(cell_text(value)) in one call: it runs for every cell of every row."""
    text = value if value.__class__ is str else cell_text(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def in_chunks(lines: Iterable[str], size: int = CHUNK) -> Iterator[str]:
    """``lines`` joined into pieces of about ``size`` characters (a server writes each piece
    at once: one write per row would be a hundred thousand writes)."""
    piece: list[str] = []
    length = 0
    for line in lines:
        piece.append(line)
        length += len(line)
        if length >= size:
            yield "".join(piece)
            piece, length = [], 0
    if piece:
        yield "".join(piece)
