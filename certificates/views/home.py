"""The dashboard: my requests and certificates; admins also see everyone's open work."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from certificates.models import Certificate, CertificateRequest
from certificates.models.certificates import CertificateStatus
from certificates.models.requests import RequestState
from certificates.services import access, issuance

OPEN_STATES = [RequestState.CSR_READY, RequestState.SUBMITTED]
ADMIN_LIST_SIZE = 50
EXPIRING = (CertificateStatus.EXPIRING, CertificateStatus.EXPIRED)


def _with_status(certs: list[Certificate]) -> list[Certificate]:
    now = timezone.now()
    for cert in certs:
        cert.live_status = issuance.status_at(cert, now)  # type: ignore[attr-defined]
    return certs


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = _with_status(list(Certificate.objects.filter(owner=user).prefetch_related("renewals")))
    context: dict[str, object] = {
        "requests": CertificateRequest.objects.filter(owner=user),
        "certificates": mine,
        # Expiring or expired and not renewed yet: the person has something to do.
        "expiring": [c for c in mine if c.live_status in EXPIRING and not c.renewals.all()],
        "is_admin": access.is_admin(user),
        "expiring_days": settings.EXPIRING_DAYS,
    }
    if context["is_admin"]:
        now = timezone.now()
        due = issuance.status_query(CertificateStatus.EXPIRING, now) | issuance.status_query(
            CertificateStatus.EXPIRED, now
        )
        context["open_requests"] = access.visible_requests(user).filter(state__in=OPEN_STATES)[
            :ADMIN_LIST_SIZE
        ]
        context["latest_all"] = _with_status(
            list(access.visible_certificates(user)[:ADMIN_LIST_SIZE])
        )
        context["expiring_all"] = _with_status(
            list(
                access.visible_certificates(user)
                .filter(due)
                .order_by("not_after")[:ADMIN_LIST_SIZE]
            )
        )
    return render(request, "certificates/home.html", context)
