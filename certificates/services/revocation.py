"""Revocation check results, recorded on the certificate and in its history (asking the CA
is revocation_lookup's part). A revoked finding revokes the certificate through the one
lifecycle function and tells its owner and the admins; unknown stays unknown, never good."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from certificates import notices
from certificates.models import Certificate, RevocationCheck
from certificates.models.certificates import CertificateStatus
from certificates.pki.revocation import Finding, Method, RevocationStatus
from certificates.services import issuance
from certificates.services import revocation_lookup as lookup
from certificates.services.actor import Actor

# An answer holds until its nextUpdate; without one, it is asked again after a day. Never
# sooner than an hour, whatever nextUpdate says, and an unknown result after an hour.
RECHECK_WITHOUT_NEXT_UPDATE = timedelta(days=1)
RECHECK_AT_LEAST = timedelta(hours=1)
RECHECK_UNKNOWN = timedelta(hours=1)


def due_after(finding: Finding, now: datetime) -> datetime:
    """When a certificate with this finding is checked again."""
    if finding.status == RevocationStatus.UNKNOWN:
        return now + RECHECK_UNKNOWN
    until = finding.next_update or now + RECHECK_WITHOUT_NEXT_UPDATE
    return max(until, now + RECHECK_AT_LEAST).replace(second=0, microsecond=0)


@transaction.atomic
def record(
    results: Sequence[tuple[int, Finding]], now: datetime, via: str, actor: Actor
) -> list[RevocationCheck]:
    """Store each finding (by certificate id) in the history and on its certificate, in
    bulk: one UPDATE per distinct outcome. Revoked findings revoke their certificate one by
    one (they are rare)."""
    checks = RevocationCheck.objects.bulk_create(
        RevocationCheck(
            certificate_id=pk,
            checked_at=now,
            status=finding.status,
            method=finding.method or "",
            detail=finding.detail,
            revoked_at=finding.revoked_at,
            next_update=finding.next_update,
            via=via,
        )
        for pk, finding in results
    )
    outcomes: dict[tuple[str, str, datetime], list[int]] = defaultdict(list)
    for pk, finding in results:
        if finding.status == RevocationStatus.REVOKED:
            _revoke(actor, pk, finding, now)
        else:
            outcomes[(finding.status, finding.method or "", due_after(finding, now))].append(pk)
    for (status, method, next_at), ids in outcomes.items():
        # A certificate already revoked (declared, or found before) keeps its revocation.
        Certificate.objects.filter(pk__in=ids).exclude(status=CertificateStatus.REVOKED).update(
            revocation_status=status,
            revocation_method=method,
            revocation_checked_at=now,
            revocation_due_at=next_at,
        )
    return checks


def _revoke(actor: Actor, pk: int, finding: Finding, now: datetime) -> None:
    method = finding.method or ""
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().select_related("owner").get(pk=pk)
        if cert.status == CertificateStatus.REVOKED:
            return
        cert.revocation_checked_at = now
        cert.revocation_due_at = None  # a revocation is final: the sweep skips revoked rows
        source = "OCSP responder" if method == Method.OCSP else "CRL"
        reason = f"{finding.reason or 'unspecified'}, according to the CA's {source}"
        event = issuance.mark_revoked(actor, cert, reason, finding.revoked_at or now, method)
        notices.revocation_found(event, cert)


def cached_ocsp(cert: Certificate, now: datetime) -> Finding | None:
    """The certificate's last OCSP answer while it still holds (until its nextUpdate)."""
    last = (
        cert.revocation_checks.filter(method=Method.OCSP, next_update__gt=now)
        .exclude(status=RevocationStatus.UNKNOWN)
        .first()
    )
    if last is None:
        return None
    return Finding(
        RevocationStatus(last.status),
        f"{last.detail} (answer kept until {last.next_update:%Y-%m-%d %H:%M} UTC)",
        Method.OCSP,
        revoked_at=last.revoked_at,
        next_update=last.next_update,
    )


def check_now(actor: Actor, cert: Certificate, now: datetime | None = None) -> RevocationCheck:
    """Check one certificate (the page's "Check now", the API, the command): the caller has
    loaded it through the access rules."""
    now = now or timezone.now()
    finding = cached_ocsp(cert, now)
    if finding is None:
        row = [getattr(cert, name) for name in lookup.TARGET_FIELDS]
        (finding,) = lookup.find_all([lookup.target(*row)], lookup.Session(now))
    (check,) = record([(cert.pk, finding)], now, actor.via, actor)
    return check
