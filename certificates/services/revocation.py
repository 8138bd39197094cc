"""Revocation checks: OCSP first (from AIA), the CRL second (from CRLDP), recorded on the
certificate and in its history. A revoked finding revokes the certificate through the one
lifecycle function and tells its owner and the admins; unknown stays unknown, never good."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache, partial

from cryptography import x509
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from certificates.models import AuditEvent, Certificate, RevocationCheck
from certificates.models.certificates import CertificateStatus
from certificates.pki import ocsp
from certificates.pki.crl import CrlIndex
from certificates.pki.errors import PkiError
from certificates.pki.revocation import Finding, Method, RevocationStatus
from certificates.services import crl_cache, issuance, notifications, outbound
from certificates.services.access import ADMIN_GROUP
from certificates.services.actor import Actor

OCSP_TIMEOUT = 10.0
# An answer holds until its nextUpdate; without one, it is asked again after a day. Never
# sooner than an hour, whatever nextUpdate says, and an unknown result after an hour.
RECHECK_WITHOUT_NEXT_UPDATE = timedelta(days=1)
RECHECK_AT_LEAST = timedelta(hours=1)
RECHECK_UNKNOWN = timedelta(hours=1)
NOTICE = "certificate_revoked"


@dataclass(frozen=True)
class Target:
    """What a check needs from a certificate row; the leaf's DER is not even parsed."""

    pk: int
    serial: int
    issuer: x509.Certificate | None
    ocsp_urls: list[str]
    crl_urls: list[str]


@lru_cache(maxsize=256)
def issuer_of(chain_pem: str) -> x509.Certificate | None:
    """The issuer (first) certificate of a stored chain, parsed once per process: a sweep
    reads thousands of certificates sharing a handful of chains."""
    chain = x509.load_pem_x509_certificates(chain_pem.encode()) if chain_pem else []
    return chain[0] if chain else None


TARGET_FIELDS = ("pk", "serial_hex", "chain_pem", "ocsp_urls", "crl_urls")


def target(pk: int, serial_hex: str, chain_pem: str, ocsp: list[str], crl: list[str]) -> Target:
    """The Target of a certificate row's TARGET_FIELDS (a sweep reads them as plain values)."""
    return Target(pk, int(serial_hex, 16), issuer_of(chain_pem), list(ocsp), list(crl))


@dataclass
class Crls:
    """The CRLs one sweep (or one check) reads, each loaded once however many certificates
    point at it; ``downloads`` counts the ones actually fetched over the network."""

    now: datetime
    downloads: int = 0
    # url -> (the issuer it was checked against, the CRL or why there is none)
    _loaded: dict[str, tuple[x509.Certificate, CrlIndex | Finding]] = field(default_factory=dict)

    def lookup(self, url: str, issuer: x509.Certificate, serial: int) -> Finding:
        loaded = self._loaded.get(url)
        if loaded is None or loaded[0] is not issuer:  # issuer_of hands out one object per chain
            loaded = self._loaded[url] = (issuer, self._load(url, issuer))
        crl = loaded[1]
        return crl if isinstance(crl, Finding) else crl.lookup(serial)

    def _load(self, url: str, issuer: x509.Certificate) -> CrlIndex | Finding:
        try:
            index, downloaded = crl_cache.load(url, issuer, self.now)
        except crl_cache.CrlUnavailable as exc:
            return Finding(RevocationStatus.UNKNOWN, f"CRL: {exc.reason}", transient=exc.transient)
        self.downloads += downloaded
        return index


def find(target: Target, crls: Crls, now: datetime) -> Finding:
    """OCSP first, then the CRL; an unknown result says what every attempt ran into."""
    if target.issuer is None:
        return Finding(
            RevocationStatus.UNKNOWN,
            "The portal holds no issuer certificate for it, so no answer could be verified.",
        )
    if not target.ocsp_urls and not target.crl_urls:
        return Finding(RevocationStatus.UNKNOWN, "It names no OCSP responder and no CRL.")
    failures: list[Finding] = []
    for url in target.ocsp_urls:
        finding = _ask_ocsp(url, target.serial, target.issuer, now)
        if finding.status != RevocationStatus.UNKNOWN:
            return finding
        failures.append(finding)
    for url in target.crl_urls:
        finding = crls.lookup(url, target.issuer, target.serial)
        if finding.status != RevocationStatus.UNKNOWN:
            return _after(finding, failures)
        failures.append(finding)
    return Finding(
        RevocationStatus.UNKNOWN,
        " ".join(f.detail for f in failures),
        transient=any(f.transient for f in failures),
    )


def _after(finding: Finding, failures: list[Finding]) -> Finding:
    if not failures:
        return finding
    return replace(finding, detail=" ".join([finding.detail, *(f.detail for f in failures)]))


def _ask_ocsp(url: str, serial: int, issuer: x509.Certificate, now: datetime) -> Finding:
    nonce = os.urandom(ocsp.NONCE_BYTES)
    try:
        answer = outbound.fetch(
            url,
            method="POST",
            body=ocsp.build_request(serial, issuer, nonce),
            content_type=ocsp.CONTENT_TYPE,
            accept="application/ocsp-response",
            max_bytes=ocsp.MAX_RESPONSE_BYTES,
            timeout=OCSP_TIMEOUT,
        )
        finding = ocsp.verify_response(
            answer.body, serial=serial, issuer=issuer, nonce=nonce, now=now
        )
    except outbound.FetchError as exc:
        return Finding(RevocationStatus.UNKNOWN, f"OCSP: {exc.reason}", transient=exc.transient)
    except PkiError as exc:
        return Finding(RevocationStatus.UNKNOWN, f"OCSP {url}: {exc.message}")
    return replace(finding, detail=f"OCSP {url}: {finding.detail}")


def due_after(finding: Finding, now: datetime) -> datetime:
    """When a certificate with this finding is checked again."""
    if finding.status == RevocationStatus.UNKNOWN:
        return now + RECHECK_UNKNOWN
    until = finding.next_update or now + RECHECK_WITHOUT_NEXT_UPDATE
    return max(until, now + RECHECK_AT_LEAST).replace(second=0, microsecond=0)


def record(
    results: Iterable[tuple[int, Finding]], now: datetime, via: str, actor: Actor
) -> list[RevocationCheck]:
    """Store each finding (by certificate id) in the history and on its certificate, in
    bulk: one UPDATE per distinct outcome. Revoked findings revoke their certificate one by
    one (they are rare)."""
    results = list(results)
    with transaction.atomic():
        return _record(results, now, via, actor)


def _record(
    results: list[tuple[int, Finding]], now: datetime, via: str, actor: Actor
) -> list[RevocationCheck]:
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
        _owe_notices(cert, event)


def _owe_notices(cert: Certificate, event: AuditEvent) -> None:
    # tasks imports the services that call this, so the task is looked up here, at run time.
    from certificates.tasks import send_notification

    for recipient in _recipients(cert):
        notice = notifications.owe(
            NOTICE, f"{NOTICE}:{cert.pk}:{recipient.lower()}", recipient, event
        )
        transaction.on_commit(partial(send_notification.delay, notice.pk), robust=True)


def _recipients(cert: Certificate) -> list[str]:
    """The owner and every certificate admin with an address, each once."""
    admins = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(is_staff=True) | Q(groups__name=ADMIN_GROUP), is_active=True
    )
    addresses = [
        cert.owner.email or cert.email,
        *admins.exclude(email="").values_list("email", flat=True),
    ]
    unique: dict[str, str] = {}
    for address in addresses:
        unique.setdefault(address.lower(), address)
    return list(unique.values())


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
    row = [getattr(cert, name) for name in TARGET_FIELDS]
    finding = cached_ocsp(cert, now) or find(target(*row), Crls(now), now)
    (check,) = record([(cert.pk, finding)], now, actor.via, actor)
    return check
