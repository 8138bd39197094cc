"""What every page needs to talk to the services: the actor, 404s for objects it may not see,
403s on admin pages for everyone else, and POST-only actions that lead a GET to the page of
their form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from certificates.models import Certificate, CertificateRequest
from certificates.services import access
from certificates.services.actor import Actor, signed_in_user
from certificates.services.errors import Forbidden, NotFound

View = Callable[..., HttpResponseBase]


def web_actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="web")


def request_or_404(request: HttpRequest, pk: int) -> CertificateRequest:
    """The request if this user may see it; another person's answers 404, like a missing one."""
    try:
        return access.get_request(signed_in_user(request), pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def certificate_or_404(request: HttpRequest, pk: int) -> Certificate:
    try:
        return access.get_certificate(signed_in_user(request), pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def request_page(request: HttpRequest, pk: int) -> str:
    return reverse("request-detail", args=[request_or_404(request, pk).pk])


def certificate_page(request: HttpRequest, pk: int) -> str:
    return reverse("certificate-detail", args=[certificate_or_404(request, pk).pk])


def post_only(page: Callable[..., str]) -> Callable[[View], View]:
    """For an action only its form may send. A GET -- typically the login page sending someone
    back to the address their expired session's form went to -- leads to the page holding the
    form, ``page(request, **url_kwargs)``, which raises Http404 for an object this user may not
    see. Never a 405: the person sees where they were and sends the form again."""

    def decorate(view: View) -> View:
        @wraps(view)
        def only_post(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                return view(request, **kwargs)
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["POST"])
            target = page(request, **kwargs)
            messages.info(
                request,
                _(
                    "Nothing was changed: that address only takes a form sent from this page. "
                    "Fill in the form again."
                ),
            )
            return redirect(target)

        return only_post

    return decorate


def admin_required(view: View) -> View:
    """A page for certificate admins: others get 403 (after logging in)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            access.require_admin(request.user)
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        return view(request, *args, **kwargs)

    return login_required(checked)
