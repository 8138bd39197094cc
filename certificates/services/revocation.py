"""Revocation checks: OCSP first (from AIA), the CRL second (from CRLDP), recorded on the
certificate and in its history. A revoked finding revokes the certificate through the one
lifecycle function and tells its owner and the admins; unknown stays unknown, never good."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from certificates import fetcher
from certificates.models import AuditEvent, Certificate, RevocationCheck
from certificates.models.certificates import CertificateStatus
from certificates.pki import ocsp
from certificates.pki.crl import CrlIndex
from certificates.pki.errors import PkiError
from certificates.pki.revocation import Finding, Method, RevocationStatus
from certificates.services import crl_cache, issuance, notifications
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


class Issuers:
    """Issuer certificates by stored chain: a batch of one issuer's certificates parses it once."""

    def __init__(self) -> None:
        self._by_chain: dict[str, x509.Certificate | None] = {}

    def target(self, cert: Certificate) -> Target:
        if cert.chain_pem not in self._by_chain:
            chain = (
                x509.load_pem_x509_certificates(cert.chain_pem.encode()) if cert.chain_pem else []
            )
            self._by_chain[cert.chain_pem] = chain[0] if chain else None
        return Target(
            pk=cert.pk,
            serial=int(cert.serial_hex, 16),
            issuer=self._by_chain[cert.chain_pem],
            ocsp_urls=list(cert.ocsp_urls),
            crl_urls=list(cert.crl_urls),
        )


@dataclass
class Crls:
    """The CRLs one sweep (or one check) reads, each loaded once however many certificates
    point at it; ``downloads`` counts the ones actually fetched over the network."""

    now: datetime
    downloads: int = 0
    _loaded: dict[tuple[str, bytes], CrlIndex | crl_cache.CrlUnavailable] = field(
        default_factory=dict
    )

    def lookup(self, url: str, issuer: x509.Certificate, serial: int) -> Finding:
        key = (url, issuer.fingerprint(hashes.SHA256()))
        if key not in self._loaded:
            try:
                index, downloaded = crl_cache.load(url, issuer, self.now)
            except crl_cache.CrlUnavailable as exc:
                self._loaded[key] = exc
            else:
                self._loaded[key] = index
                self.downloads += downloaded
        loaded = self._loaded[key]
        if isinstance(loaded, crl_cache.CrlUnavailable):
            return Finding(RevocationStatus.UNKNOWN, loaded.reason, transient=loaded.transient)
        return loaded.lookup(serial)


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
        finding = replace(finding, detail=f"CRL: {finding.detail}")  # it names the URL
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
        answer = fetcher.fetch(
            url,
            method="POST",
            body=ocsp.build_request(serial, issuer, nonce),
            content_type=ocsp.CONTENT_TYPE,
            accept="application/ocsp-response",
            max_bytes=ocsp.MAX_RESPONSE_BYTES,
            timeout=OCSP_TIMEOUT,
            allow_private=settings.FETCH_ALLOW_PRIVATE_NETWORKS,
        )
        finding = ocsp.verify_response(
            answer.body, serial=serial, issuer=issuer, nonce=nonce, now=now
        )
    except fetcher.FetchError as exc:
        return Finding(RevocationStatus.UNKNOWN, f"OCSP: {exc.reason}", transient=exc.transient)
    except PkiError as exc:
        return Finding(RevocationStatus.UNKNOWN, f"OCSP {url}: {exc.message}")
    return replace(finding, detail=f"OCSP {url}: {finding.detail}")


def next_check(finding: Finding, now: datetime) -> datetime:
    if finding.status == RevocationStatus.UNKNOWN:
        return now + RECHECK_UNKNOWN
    until = finding.next_update or now + RECHECK_WITHOUT_NEXT_UPDATE
    return max(until, now + RECHECK_AT_LEAST).replace(second=0, microsecond=0)


def record(
    results: Iterable[tuple[Certificate, Finding]], now: datetime, via: str, actor: Actor
) -> list[RevocationCheck]:
    """Store each finding in the history and on its certificate, in bulk: one UPDATE per
    distinct outcome. Revoked findings revoke their certificate one by one (they are rare)."""
    results = list(results)
    checks = RevocationCheck.objects.bulk_create(
        RevocationCheck(
            certificate_id=cert.pk,
            checked_at=now,
            status=finding.status,
            method=finding.method or "",
            detail=finding.detail,
            revoked_at=finding.revoked_at,
            next_update=finding.next_update,
            via=via,
        )
        for cert, finding in results
    )
    outcomes: dict[tuple[str, str, datetime], list[int]] = defaultdict(list)
    for cert, finding in results:
        if finding.status == RevocationStatus.REVOKED:
            _revoke(actor, cert.pk, finding, now)
        else:
            outcomes[(finding.status, finding.method or "", next_check(finding, now))].append(
                cert.pk
            )
    for (status, method, next_at), ids in outcomes.items():
        # A certificate already revoked (declared, or found before) keeps its revocation.
        Certificate.objects.filter(pk__in=ids).exclude(status=CertificateStatus.REVOKED).update(
            revocation_status=status,
            revocation_method=method,
            revocation_checked_at=now,
            next_check_at=next_at,
        )
    return checks


def _revoke(actor: Actor, pk: int, finding: Finding, now: datetime) -> None:
    method = finding.method or ""
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().select_related("owner").get(pk=pk)
        if cert.status == CertificateStatus.REVOKED:
            return
        cert.revocation_checked_at = now
        cert.next_check_at = None  # a revocation is final: nothing left to check
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
    finding = cached_ocsp(cert, now) or find(Issuers().target(cert), Crls(now), now)
    (check,) = record([(cert, finding)], now, actor.via, actor)
    return check
