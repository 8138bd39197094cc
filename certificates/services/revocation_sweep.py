"""The revocation sweep: what is due comes from the database (``revocation_due_at``), split into
batches per issuer and CRL URL so that N workers share them and each CRL is read once.

The Celery tasks and ``manage.py check_revocation`` run these same functions; the command
runs every batch in one process with one lookup ``Session``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from certificates.models import Certificate
from certificates.models.certificates import CertificateStatus
from certificates.pki.revocation import RevocationStatus
from certificates.services import crl_cache
from certificates.services.actor import Actor
from certificates.services.revocation import record
from certificates.services.revocation_lookup import TARGET_FIELDS, Session, find_all, target

BATCH_SIZE = 2000


@dataclass
class Summary:
    checked: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)
    crl_downloads: int = 0
    transient: list[int] = field(default_factory=list)  # unknown for a network fault

    def add(self, other: Summary) -> None:
        self.checked += other.checked
        self.statuses.update(other.statuses)
        self.methods.update(other.methods)
        self.crl_downloads += other.crl_downloads
        self.transient += other.transient

    def __str__(self) -> str:
        counts = ", ".join(f"{self.statuses[s]} {s}" for s in RevocationStatus)
        how = ", ".join(f"{n} by {m}" for m, n in sorted(self.methods.items()))
        return (
            f"Checked {self.checked} certificate(s): {counts}"
            + (f" ({how})" if how else "")
            + f"; {self.crl_downloads} CRL download(s)."
        )


def live(now: datetime) -> QuerySet[Certificate]:
    """Certificates worth checking: not revoked, superseded or expired."""
    return Certificate.objects.filter(
        status__in=[CertificateStatus.ACTIVE, CertificateStatus.EXPIRING], not_after__gt=now
    )


def plan(now: datetime) -> list[list[int]]:
    """The ids due at ``now``, grouped per issuer and CRL URL, in batches of BATCH_SIZE."""
    due = live(now).filter(Q(revocation_due_at__lte=now) | Q(revocation_due_at__isnull=True))
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, issuer, crl_urls in due.order_by("pk").values_list("pk", "issuer", "crl_urls"):
        groups[(issuer, crl_urls[0] if crl_urls else "")].append(pk)
    return [
        ids[start : start + BATCH_SIZE]
        for ids in groups.values()
        for start in range(0, len(ids), BATCH_SIZE)
    ]


def check_batch(
    ids: list[int], *, checked_before: datetime, session: Session | None = None
) -> Summary:
    """Check the certificates among ``ids`` still live and not checked since
    ``checked_before``, so a batch delivered twice checks nothing twice."""
    now = timezone.now()
    session = session or Session(now)
    downloads_before = session.crl_downloads
    rows = (
        live(now)
        .filter(pk__in=ids)
        .filter(Q(revocation_checked_at__isnull=True) | Q(revocation_checked_at__lt=checked_before))
        .values_list(*TARGET_FIELDS)
    )
    targets = [target(*row) for row in rows]
    results = list(zip([t.pk for t in targets], find_all(targets, session), strict=True))
    record(results, now, "sweep", Actor.system())
    summary = Summary(checked=len(results), crl_downloads=session.crl_downloads - downloads_before)
    for pk, finding in results:
        summary.statuses[finding.status] += 1
        if finding.method:
            summary.methods[finding.method] += 1
        if finding.transient:
            summary.transient.append(pk)
    return summary


def start(now: datetime) -> list[list[int]]:
    """A sweep's first step: free the CRLs no longer current, then plan the batches."""
    crl_cache.drop_expired(now)
    return plan(now)


def sweep(now: datetime | None = None) -> Summary:
    """Every due batch, here and now (the management command and the benchmark)."""
    now = now or timezone.now()
    session = Session(now)
    summary = Summary()
    for ids in start(now):
        summary.add(check_batch(ids, checked_before=now, session=session))
    return summary
