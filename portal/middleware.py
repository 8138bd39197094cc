"""Refuse oversized bodies before any view reads them, with the error shape of the area."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def too_large_response(request: HttpRequest) -> HttpResponse:
    limit_kib = settings.MAX_REQUEST_BYTES // 1024
    detail = (
        f"The upload is larger than {limit_kib} KiB. Certificates and CSRs are a few kilobytes: "
        "upload only the certificate (and its chain), not an archive or a key store."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=413)
    return render(request, "errors/413.html", {"detail": detail}, status=413)


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return too_large_response(request)
        return self.get_response(request)
