"""The dashboard: my requests and certificates; admins also see everyone's open work."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from certificates.models import Certificate, CertificateRequest
from certificates.models.requests import RequestState
from certificates.services import access, certificate_lists

OPEN_STATES = [RequestState.CSR_READY, RequestState.SUBMITTED]
ADMIN_LIST_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {
        "requests": CertificateRequest.objects.filter(owner=user),
        "certificates": Certificate.objects.filter(owner=user),
        "expiring": certificate_lists.awaiting_renewal(user),
        "is_admin": access.is_admin(user),
        "expiring_days": settings.EXPIRING_DAYS,
    }
    if context["is_admin"]:
        context["open_requests"] = access.visible_requests(user).filter(state__in=OPEN_STATES)[
            :ADMIN_LIST_SIZE
        ]
        context["latest_all"] = access.visible_certificates(user)[:ADMIN_LIST_SIZE]
        context["expiring_all"] = certificate_lists.ending_for_everyone(user)[:ADMIN_LIST_SIZE]
    return render(request, "certificates/home.html", context)
