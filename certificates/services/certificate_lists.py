"""Lists of certificates, each through the viewer's access: the API's filtered list and what
the home page asks people (and admins) to act on. They read the stored status
(services.status keeps it true)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from certificates.models import Certificate, CertificateRequest
from certificates.models.certificates import CertificateStatus
from certificates.models.requests import RequestState
from certificates.services.access import require_admin, visible_certificates

ENDING = (CertificateStatus.EXPIRING, CertificateStatus.EXPIRED)
# A renewal that was cancelled or rejected renews nothing.
RENEWING = (RequestState.CSR_READY, RequestState.SUBMITTED, RequestState.ISSUED)


def search(
    viewer: AbstractBaseUser,
    *,
    status: str | None = None,
    expires_before: datetime | None = None,
    email: str | None = None,
) -> QuerySet[Certificate]:
    """The certificates ``viewer`` may see, filtered; a date without a zone is UTC."""
    rows = visible_certificates(viewer)
    if status:
        rows = rows.filter(status=status)
    if expires_before is not None:
        if timezone.is_naive(expires_before):
            expires_before = expires_before.replace(tzinfo=UTC)
        rows = rows.filter(not_after__lt=expires_before)
    if email and email.strip():
        rows = rows.filter(email__iexact=email.strip())
    return rows


def awaiting_renewal(viewer: AbstractBaseUser) -> QuerySet[Certificate]:
    """``viewer``'s own certificates that are expiring or expired and have no renewal that
    was issued or is still open: the person has something to do."""
    renewing = CertificateRequest.objects.filter(renewal_of=OuterRef("pk"), state__in=RENEWING)
    return (
        Certificate.objects.filter(owner=viewer, status__in=ENDING)
        .exclude(Exists(renewing))
        .order_by("not_after")
    )


def ending_for_everyone(viewer: AbstractBaseUser) -> QuerySet[Certificate]:
    """Admins: every expiring or expired certificate, the soonest first."""
    require_admin(viewer)
    return visible_certificates(viewer).filter(status__in=ENDING).order_by("not_after")
