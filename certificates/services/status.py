"""A certificate's stored ``status`` and ``next_check_at``: the one place that keeps them true.

The status follows from the row's facts: revoked (``revoked_at`` set), else superseded
(``superseded_by`` set), else by date — active until ``EXPIRING_DAYS`` before ``not_after``,
then expiring, then expired. ``next_check_at`` is when that date-driven status next changes
(empty once nothing more changes by time alone), so "what is due" is one indexed query.

Every event that changes a fact (issue, supersede, revoke, make current) saves through
``store``; time moves rows on through ``advance``, which the periodic sweep calls. Whenever a
certificate stops being usable — revoked, superseded or expired — ``certificate_invalidated``
is sent once the change is committed, so publishing can withdraw it.

Between two runs of ``advance`` a certificate whose date has passed still shows its previous
status; the rules that must be exact at any moment (which certificate supersedes which, what
"make current" may pick) compare dates themselves instead of reading the status.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from certificates.models import Certificate
from certificates.models.certificates import CertificateStatus
from certificates.services import audit
from certificates.services.actor import Actor
from certificates.signals import certificate_invalidated

USABLE = (CertificateStatus.ACTIVE, CertificateStatus.EXPIRING)
BATCH = 500


def by_date(not_after: datetime, now: datetime) -> CertificateStatus:
    if now >= not_after:
        return CertificateStatus.EXPIRED
    if now >= not_after - timedelta(days=settings.EXPIRING_DAYS):
        return CertificateStatus.EXPIRING
    return CertificateStatus.ACTIVE


def next_check(not_after: datetime, status: str) -> datetime | None:
    """When ``status`` next changes by time alone."""
    if status == CertificateStatus.ACTIVE:
        return not_after - timedelta(days=settings.EXPIRING_DAYS)
    if status == CertificateStatus.EXPIRING:
        return not_after
    return None


def derive(cert: Certificate, now: datetime) -> CertificateStatus:
    if cert.revoked_at is not None:
        return CertificateStatus.REVOKED
    if cert.superseded_by_id is not None:
        return CertificateStatus.SUPERSEDED
    return by_date(cert.not_after, now)


def store(cert: Certificate, now: datetime, *fields: str) -> None:
    """Save ``cert`` — a new row whole, an existing one's changed ``fields`` — with the status
    and next check time its facts give at ``now``."""
    was = cert.status if cert.pk is not None else None
    cert.status = derive(cert, now)
    cert.next_check_at = next_check(cert.not_after, cert.status)
    if was is None:
        cert.save()
    else:
        cert.save(update_fields=[*fields, "status", "next_check_at"])
        if was in USABLE and cert.status not in USABLE:
            announce(cert)


def announce(cert: Certificate) -> None:
    """certificate_invalidated for ``cert``, once the surrounding transaction commits."""
    status = cert.status
    transaction.on_commit(
        lambda: certificate_invalidated.send(Certificate, certificate=cert, status=status)
    )


@dataclass(frozen=True)
class Advanced:
    expiring: int = 0
    expired: int = 0
    rescheduled: int = 0  # due, but still active (EXPIRING_DAYS was made shorter)


def advance(now: datetime, batch_size: int = BATCH) -> Advanced:
    """Move every certificate whose next check is due to the status its dates give at ``now``
    (active → expiring → expired), in batches of ``batch_size``, each in its own transaction.

    A row is claimed with a conditional UPDATE that only matches while it is still as read, so
    two sweeps running at once never both expire (and announce) the same certificate.
    """
    moved: Counter[str] = Counter()
    while True:
        due = list(
            Certificate.objects.filter(next_check_at__lte=now, status__in=USABLE)
            .order_by("next_check_at")
            .values_list("pk", "status", "not_after")[:batch_size]
        )
        claimed = 0
        with transaction.atomic():
            for pk, was, not_after in due:
                status = by_date(not_after, now)
                if not Certificate.objects.filter(pk=pk, status=was, next_check_at__lte=now).update(
                    status=status, next_check_at=next_check(not_after, status)
                ):
                    continue
                claimed += 1
                moved[status] += 1
                if status == CertificateStatus.EXPIRED:
                    _expired(Certificate.objects.get(pk=pk))
        if len(due) < batch_size or not claimed:
            break
    return Advanced(
        expiring=moved[CertificateStatus.EXPIRING],
        expired=moved[CertificateStatus.EXPIRED],
        rescheduled=moved[CertificateStatus.ACTIVE],
    )


def _expired(cert: Certificate) -> None:
    audit.record(Actor.system(), "certificate.expired", cert, not_after=cert.not_after.isoformat())
    announce(cert)
