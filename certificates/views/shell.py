"""What every page needs to talk to the services: the actor and 404s for objects it may not see."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from certificates.models import Certificate, CertificateRequest
from certificates.services import access
from certificates.services.actor import Actor
from certificates.services.errors import Forbidden, NotFound


def web_actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="web")


def request_or_404(request: HttpRequest, pk: int) -> CertificateRequest:
    """The request if this user may see it; another person's answers 404, like a missing one."""
    try:
        return access.get_request(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def certificate_or_404(request: HttpRequest, pk: int) -> Certificate:
    try:
        return access.get_certificate(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for certificate admins: others get 403 (after logging in)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            access.require_admin(request.user)
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        return view(request, *args, **kwargs)

    return login_required(checked)
