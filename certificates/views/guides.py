"""The install guides: public (someone reading on a phone may not be logged in there), and
about one of the person's certificates when the address names it (``?certificate=ID``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from certificates import guides, portal_identity
from certificates.models import Certificate
from certificates.services import access, setup_test
from certificates.services.errors import NotFound
from certificates.services.status import USABLE


def guide_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "certificates/guides/index.html",
        {"guides": guides.GUIDES, "cert": _certificate(request)},
    )


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = guides.by_slug(slug)
    if guide is None:
        raise Http404("There is no install guide of that name.")
    cert = _certificate(request)
    context: dict[str, Any] = {
        "guide": guide,
        "others": [other for other in guides.GUIDES if other != guide],
        "cert": cert,
        **(test_mail_context(cert, request.user) if cert is not None else {}),
    }
    return render(request, "certificates/guides/guide.html", context)


def test_mail_context(cert: Certificate, user: Any) -> dict[str, Any]:
    """What the "Test my setup" part needs, on the certificate page and in the guides: only
    the owner is offered it, for a certificate in use."""
    return {
        "can_test_mail": cert.owner_id == user.pk
        and cert.status in USABLE
        and portal_identity.available(),
        "test_mail_refusal": setup_test.refusal(cert),
        "test_mail_sender": portal_identity.sender_address(),
    }


def _certificate(request: HttpRequest) -> Certificate | None:
    """The certificate the guide is read for: one of the person's own (another's is 404)."""
    wanted = request.GET.get("certificate", "")
    # Ids fit in 19 digits (a 64-bit key); a longer number is none of ours, and int() of one
    # over 4,300 digits raises.
    if not wanted.isdecimal() or len(wanted) > 19 or not request.user.is_authenticated:
        return None
    try:
        return access.get_certificate(request.user, int(wanted))
    except NotFound as exc:
        raise Http404(exc.detail) from exc
