import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

# The same bytes the portal serves; bench/wellknown.py names the file.
BODY = Path(os.environ["BENCH_BODY"]).read_bytes()


def constant(request: HttpRequest, anything: str) -> HttpResponse:
    return HttpResponse(BODY, content_type="application/pkix-cert")


urlpatterns = [path("<path:anything>", constant)]
