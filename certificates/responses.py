"""HTTP responses the pages and the API build the same way."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpResponse, StreamingHttpResponse

from certificates.services.downloads import safe_filename


def attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A file to save, not to show: a safe file name, and kept out of caches."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response["Cache-Control"] = "no-store"
    return response


def streamed_csv(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    """A CSV download sent while it is being written: memory stays flat however many rows."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response["Cache-Control"] = "no-store"
    return response
