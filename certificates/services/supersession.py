"""Which of an owner's certificates is current for an address and use.

A certificate supersedes another of the same owner and address (matched as
``pki.emails.addresses_match`` does) when it covers every use of the other (signing,
encryption) **and** was issued later **and** is valid longer. So a short-lived import never
demotes a working certificate: both stay live, and the owner or an admin chooses with
``make_current``.

A superseded certificate comes back only through ``make_current``, by its owner's or an
admin's choice: its ``superseded_by`` is cleared, its status follows its dates again, the live
certificates it covers become superseded by it, and one ``certificate.made_current`` event
records what it replaced and what had superseded it. Nothing comes back on its own: when the
current certificate is revoked or expires, its page offers the still-valid older ones
(``fallbacks``) instead.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from certificates.models.certificates import CertificateStatus
from certificates.pki.certinfo import KeyUsage
from certificates.pki.emails import addresses_match
from certificates.services import audit, status
from certificates.services.access import require_acts_for
from certificates.services.actor import Actor
from certificates.services.errors import Conflict


def _same_address(cert: Certificate, rows: QuerySet[Certificate]) -> list[Certificate]:
    """The owner's other certificates among ``rows`` for ``cert``'s address."""
    rows = rows.filter(owner_id=cert.owner_id).exclude(pk=cert.pk)
    return [c for c in rows if addresses_match(c.email, cert.email)]


def _usable(cert: Certificate, now: datetime) -> bool:
    # Dates, not only the stored status: a sweep may not have expired it yet.
    return cert.status in status.USABLE and cert.not_after > now


def _live_beside(cert: Certificate, now: datetime, *, lock: bool = False) -> list[Certificate]:
    rows = Certificate.objects.filter(status__in=status.USABLE, not_after__gt=now)
    return _same_address(cert, rows.select_for_update() if lock else rows)


def _covers(cert: Certificate, other: Certificate) -> bool:
    return KeyUsage(cert.key_usage).covers(KeyUsage(other.key_usage))


def supersedes(new: Certificate, old: Certificate) -> bool:
    return _covers(new, old) and new.not_before > old.not_before and new.not_after > old.not_after


def successor(cert: Certificate, now: datetime) -> Certificate | None:
    """A live certificate beside ``cert`` that covers its uses and ends later, whatever its
    issue date: with it, ``cert`` running out needs no renewal."""
    return next(
        (c for c in _live_beside(cert, now) if _covers(c, cert) and c.not_after > cert.not_after),
        None,
    )


def settle(actor: Actor, new: Certificate, now: datetime) -> None:
    """After ``new`` is stored: the live certificates it supersedes become superseded by it;
    or, uploaded after a certificate that supersedes it, it is superseded at once."""
    live = _live_beside(new, now, lock=True)
    newer = next((c for c in live if supersedes(c, new)), None)
    if newer is not None:
        mark_superseded(actor, new, newer, now)
        return
    for old in live:
        if supersedes(new, old):
            mark_superseded(actor, old, new, now)


def mark_superseded(actor: Actor, cert: Certificate, by: Certificate, now: datetime) -> None:
    cert.superseded_by = by
    status.store(cert, now, "superseded_by")
    audit.record(actor, "certificate.superseded", cert, superseded_by=by.pk)


def superseded_by_adding(cert: Certificate) -> QuerySet[Certificate]:
    """The certificates ``cert`` superseded (right after it was added or made current)."""
    return Certificate.objects.filter(superseded_by=cert).order_by("-not_after")


def would_replace(cert: Certificate, now: datetime) -> list[Certificate]:
    """The live certificates that making ``cert`` current would supersede: those for its
    address whose every use it covers."""
    return [c for c in _live_beside(cert, now) if _covers(cert, c)]


def can_make_current(cert: Certificate, now: datetime) -> bool:
    if cert.revoked_at is not None or cert.not_after <= now:
        return False
    return cert.superseded_by_id is not None or bool(would_replace(cert, now))


def fallbacks(cert: Certificate, now: datetime) -> list[Certificate]:
    """When ``cert`` is no longer usable (revoked, expired) and no usable certificate covers
    its uses: the superseded certificates for its address that share a use with it and are
    still valid and not revoked, which could be made current again."""
    if _usable(cert, now):
        return []
    others = _same_address(cert, Certificate.objects.all())
    if any(_usable(c, now) and _covers(c, cert) for c in others):
        return []
    usage = KeyUsage(cert.key_usage)
    return [
        c
        for c in others
        if c.status == CertificateStatus.SUPERSEDED
        and c.revoked_at is None
        and c.not_after > now
        and usage.overlaps(KeyUsage(c.key_usage))
    ]


def make_current(actor: Actor, cert: Certificate, now: datetime | None = None) -> list[Certificate]:
    """``cert`` becomes the current certificate for its address and use: a superseded one comes
    back, and the live ones it covers become superseded by it (returned). Owner or admin."""
    require_acts_for(actor.user, cert.owner)
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=cert.pk)
        now = now or timezone.now()
        if cert.revoked_at is not None:
            raise Conflict(
                _("Certificate #%(id)s is revoked, so it cannot be current again.")
                % {"id": cert.pk}
            )
        if cert.not_after <= now:
            raise Conflict(
                _(
                    "Certificate #%(id)s expired on %(not_after)s, so it cannot be current "
                    "again; renew it instead."
                )
                % {"id": cert.pk, "not_after": f"{cert.not_after:%Y-%m-%d}"}
            )
        replaced = [c for c in _live_beside(cert, now, lock=True) if _covers(cert, c)]
        previous = cert.superseded_by_id
        if previous is None and not replaced:
            raise Conflict(
                _(
                    "Certificate #%(id)s is already current for %(email)s: no other live "
                    "certificate for its use would be replaced."
                )
                % {"id": cert.pk, "email": cert.email}
            )
        if previous is not None:
            cert.superseded_by = None
            status.store(cert, now, "superseded_by")
        for old in replaced:
            mark_superseded(actor, old, cert, now)
        audit.record(
            actor,
            "certificate.made_current",
            cert,
            replaced=[c.pk for c in replaced],
            was_superseded_by=previous,
        )
    return replaced
