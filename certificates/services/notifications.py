"""Mail the portal owes: recorded in the caller's transaction, claimed with a lease, marked sent
only after the mail server accepted it. A lost broker message or a killed worker costs at most
one sweep interval, never a notice."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from certificates.models import AuditEvent, Notification

LEASE = timedelta(minutes=10)
# The task enqueued on commit normally sends within seconds; the sweep leaves it this long.
SWEEP_GRACE = timedelta(minutes=2)


def owe(kind: str, key: str, recipient: str, event: AuditEvent | None = None) -> Notification:
    return Notification.objects.create(kind=kind, key=key, recipient=recipient, event=event)


def owe_once(
    kind: str, key: str, recipient: str, event: AuditEvent | None = None
) -> Notification | None:
    """As ``owe``; None when the notice with ``key`` is owed (or sent) already."""
    notice, created = Notification.objects.get_or_create(
        key=key, defaults={"kind": kind, "recipient": recipient, "event": event}
    )
    return notice if created else None


def _claimable(now: datetime) -> Q:
    return Q(sent_at__isnull=True) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))


def claim(notice_id: int, now: datetime | None = None) -> bool:
    """True for exactly one caller until the lease runs out (a conditional UPDATE)."""
    now = now or timezone.now()
    return bool(Notification.objects.filter(_claimable(now), pk=notice_id).update(claimed_at=now))


def mark_sent(notice_id: int) -> None:
    Notification.objects.filter(pk=notice_id).update(sent_at=timezone.now())


def release(notice_id: int) -> None:
    Notification.objects.filter(pk=notice_id, sent_at__isnull=True).update(claimed_at=None)


def due(now: datetime | None = None) -> QuerySet[Notification]:
    now = now or timezone.now()
    return Notification.objects.filter(_claimable(now), created_at__lt=now - SWEEP_GRACE)
