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

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """``cell`` as text a spreadsheet will not evaluate."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def cell_text(value: object) -> str:
    """One value as CSV text: nothing for None, ISO 8601 for times, JSON for structures."""
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
        yield writer.writerow([neutralise(cell_text(value)) for value in row])
