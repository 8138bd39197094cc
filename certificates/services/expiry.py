"""The expiry sweep: statuses moved on by date, the owners' threshold notices, the admins'
weekly digest. Beat runs it daily; ``manage.py check_expiry`` runs the same in its process.

Everything is worked out from stored facts, never from "today is exactly N days before", so a
sweep that was missed (portal down, worker killed) catches up at the next one, and a sweep run
twice does nothing twice:

- ``status.advance`` moves every certificate whose ``next_check_at`` has come.
- A certificate's owner is mailed when it has passed a threshold of ``EXPIRY_NOTICE_DAYS``
  (days before ``not_after``) nearer than the one stored in ``expiry_notice_days``. Only the
  nearest threshold passed is mailed: after a week of downtime, or for a certificate uploaded
  with 5 days left, that is the 7-day notice (saying 5 days), then the 1-day one — never several
  mails at once. The row is claimed with a conditional UPDATE in the transaction that owes the
  notice, and the notice's key ``expiry:CERT:DAYS`` is unique, so two sweeps never mail twice.
- No notice for a certificate that needs no renewal because its owner holds another live
  certificate for the address that covers its uses and ends later (``supersession.successor``).
  An issued renewal usually supersedes the old certificate, which then gets no notice either
  way; one that does not (the CA issued it for less time than the old one had left) is no
  replacement, so the old one is still mailed — judging by the certificates, not by the
  request's state, closes that gap. Such a certificate is looked at again at every sweep, so
  should its replacement be revoked, the next threshold's mail still goes out.
- This ISO week's digest is owed to each certificate admin by the first sweep of the week.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from certificates import notices
from certificates.models import Certificate
from certificates.services import audit, status, supersession
from certificates.services.actor import Actor

BATCH = 200


@dataclass(frozen=True)
class Swept:
    expiring: int = 0
    expired: int = 0
    notices: dict[int, int] = field(default_factory=dict)  # threshold in days -> notices owed
    not_needed: int = 0  # past a threshold, but renewed already
    digests: int = 0

    def __str__(self) -> str:
        owed = sum(self.notices.values())
        per_threshold = ", ".join(f"{days} days: {n}" for days, n in sorted(self.notices.items()))
        return (
            f"Moved {self.expiring} certificate(s) to expiring and {self.expired} to expired; "
            f"owed {owed} expiry notice(s)"
            + (f" ({per_threshold})" if owed else "")
            + f", {self.not_needed} not needed (renewed); owed {self.digests} weekly digest(s)."
        )


def sweep(now: datetime, batch_size: int = BATCH) -> Swept:
    advanced = status.advance(now)
    owed, not_needed = owe_notices(now, batch_size)
    return Swept(
        expiring=advanced.expiring,
        expired=advanced.expired,
        notices=dict(owed),
        not_needed=not_needed,
        digests=len(notices.weekly_digest(now)),
    )


def owe_notices(now: datetime, batch_size: int = BATCH) -> tuple[Counter[int], int]:
    """Owe each due threshold notice; (notices owed per threshold, certificates skipped as
    renewed). Thresholds are taken nearest first, so a certificate past several gets only the
    nearest: once it is stored, the farther ones no longer match."""
    owed: Counter[int] = Counter()
    not_needed: set[int] = set()  # (one certificate can be due for several thresholds)
    for days in sorted(settings.EXPIRY_NOTICE_DAYS):
        after = 0
        while True:
            batch = list(_due(days, now).filter(pk__gt=after)[:batch_size])
            if not batch:
                break
            after = batch[-1].pk
            with transaction.atomic():
                for cert in batch:
                    if supersession.successor(cert, now) is not None:
                        not_needed.add(cert.pk)
                    elif _claim(cert, days):
                        owed[days] += 1
                        _owe(cert, days, now)
    return owed, len(not_needed)


def _due(days: int, now: datetime) -> QuerySet[Certificate]:
    """Live certificates ending within ``days`` days that were not mailed for this threshold or
    a nearer one."""
    return (
        Certificate.objects.filter(
            Q(expiry_notice_days__isnull=True) | Q(expiry_notice_days__gt=days),
            status__in=status.USABLE,
            not_after__gt=now,
            not_after__lte=now + timedelta(days=days),
        )
        .select_related("owner")
        .order_by("pk")
    )


def _claim(cert: Certificate, days: int) -> bool:
    """True for exactly one sweep: the row still holds the threshold it was read with."""
    # (A filter on None is IS NULL.)
    unchanged = Certificate.objects.filter(pk=cert.pk, expiry_notice_days=cert.expiry_notice_days)
    return bool(unchanged.update(expiry_notice_days=days))


def _owe(cert: Certificate, days: int, now: datetime) -> None:
    left = cert.not_after - now
    event = audit.record(
        Actor.system(),
        "certificate.expiry_notice",
        cert,
        threshold_days=days,
        days_left=left.days,
        not_after=cert.not_after.isoformat(),
    )
    notices.expiry_warning(event, cert, days)
