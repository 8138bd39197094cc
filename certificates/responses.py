"""HTTP responses the pages and the API build the same way."""

from __future__ import annotations

from django.http import HttpResponse

from certificates.services.downloads import safe_filename


def attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A file to save, not to show: a safe file name, and kept out of caches."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response["Cache-Control"] = "no-store"
    return response
