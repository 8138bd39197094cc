from __future__ import annotations

from django.http import HttpRequest

from certificates.services.access import is_admin


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {"is_cert_admin": is_admin(user) if user is not None else False}
