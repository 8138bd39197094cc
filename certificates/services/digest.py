"""What the certificate admins' weekly digest lists, read when it is sent: certificates running
out, requests waiting on the CA, and live certificates whose revocation status is unknown.

Each list shows its first ``SHOWN`` rows (soonest or oldest first) and says how many there are,
so a digest stays readable at a few hundred thousand certificates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from certificates.models import Certificate, CertificateRequest
from certificates.models.requests import RequestState
from certificates.services import status
from certificates.services.certificate_lists import RENEWING

SHOWN = 20
# A request still in csr_ready or submitted after this long is waiting on someone: the owner to
# send the CSR, or the CA to issue.
WAITING = timedelta(days=7)


@dataclass(frozen=True)
class Listing:
    rows: list[Any]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def _listing(rows: QuerySet[Any]) -> Listing:
    return Listing(list(rows[:SHOWN]), rows.count())


def expiring(now: datetime) -> QuerySet[Certificate]:
    """Live certificates ending within EXPIRING_DAYS, each marked ``renewing`` when a renewal
    is open or issued."""
    renewal = CertificateRequest.objects.filter(renewal_of=OuterRef("pk"), state__in=RENEWING)
    return (
        Certificate.objects.filter(
            status__in=status.USABLE,
            not_after__gt=now,
            not_after__lte=now + timedelta(days=settings.EXPIRING_DAYS),
        )
        .annotate(renewing=Exists(renewal))
        .select_related("owner")
        .order_by("not_after", "pk")
    )


def waiting_on_ca(now: datetime) -> QuerySet[CertificateRequest]:
    return (
        CertificateRequest.objects.filter(
            state__in=(RequestState.CSR_READY, RequestState.SUBMITTED),
            updated_at__lt=now - WAITING,
        )
        .select_related("owner")
        .order_by("updated_at", "pk")
    )


def revocation_unknown() -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(status__in=status.USABLE, revocation_status="unknown")
        .select_related("owner")
        .order_by("revocation_checked_at", "pk")
    )


def context(owed_at: datetime, now: datetime) -> dict[str, Any]:
    """The digest's template context: the week it was owed for and the lists as of ``now``."""
    year, week, _ = owed_at.isocalendar()
    return {
        "week": f"{year}-W{week:02d}",
        "now": now,
        "expiring": _listing(expiring(now)),
        "waiting": _listing(waiting_on_ca(now)),
        "unknown": _listing(revocation_unknown()),
        "expiring_days": settings.EXPIRING_DAYS,
        "waiting_days": WAITING.days,
    }
