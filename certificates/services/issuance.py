"""Signed certificates: upload for a request, import without one, supersede older ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from certificates.models import AuditEvent, Certificate, CertificateRequest, TrustAnchor
from certificates.models.certificates import CertificateStatus, ChainVerdict
from certificates.models.keys import KeySource
from certificates.models.requests import RequestState
from certificates.pki import bundle, certinfo, chain
from certificates.pki.errors import PkiError
from certificates.services import audit, chain_completion, domains
from certificates.services.access import require_acts_for
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid
from certificates.services.requests import transition
from certificates.signals import certificate_invalidated

USAGES = {"signing": {"signing"}, "encryption": {"encryption"}, "both": {"signing", "encryption"}}


def status_at(cert: Certificate, now: datetime) -> str:
    """The time-driven status; revoked and superseded stay as they are."""
    if cert.status in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):
        return cert.status
    if now >= cert.not_after:
        return CertificateStatus.EXPIRED
    if now >= cert.not_after - timedelta(days=settings.EXPIRING_DAYS):
        return CertificateStatus.EXPIRING
    return CertificateStatus.ACTIVE


def status_query(status: str, now: datetime) -> Q:
    """The rows that ``status_at`` calls ``status`` at ``now``, as a database filter."""
    sticky = [CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED]
    if status in sticky:
        return Q(status=status)
    live = ~Q(status__in=sticky)
    soon = now + timedelta(days=settings.EXPIRING_DAYS)
    if status == CertificateStatus.EXPIRED:
        return live & Q(not_after__lte=now)
    if status == CertificateStatus.EXPIRING:
        return live & Q(not_after__gt=now, not_after__lte=soon)
    return live & Q(not_after__gt=soon)


def _checked_upload(
    data: bytes, email: str, expected_spki: str | None, now: datetime
) -> tuple[
    x509.Certificate, chain.ChainVerdict, certinfo.CertificateInfo, list[str], TrustAnchor | None
]:
    """Parse and check an uploaded certificate file; raise Invalid with the reason.

    Nothing is stored here: a refusal leaves no trace of the upload."""
    try:
        certs = bundle.load_certificates(data)
        leaf, intermediates, warnings = bundle.split_leaf_and_chain(certs)
        warnings = warnings + certinfo.check_leaf(
            leaf, email=email, now=now, expected_spki_sha256=expected_spki
        )
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    anchors = list(TrustAnchor.objects.all())
    verdict = chain.verify_chain(
        leaf, intermediates, [x509.load_der_x509_certificate(bytes(a.der)) for a in anchors], now
    )
    if verdict.verdict == ChainVerdict.INVALID:
        raise Invalid(f"The certificate chain does not validate: {verdict.reason}")
    anchor = None
    if verdict.anchor is not None:
        fingerprint = verdict.anchor.fingerprint(hashes.SHA256()).hex()
        anchor = next((a for a in anchors if a.sha256_fingerprint == fingerprint), None)
    if verdict.verdict == ChainVerdict.UNTRUSTED_ROOT:
        warnings.append(verdict.reason)
    return leaf, verdict, certinfo.describe_certificate(leaf), warnings, anchor


def _save_certificate(
    actor: Actor,
    *,
    owner: AbstractBaseUser,
    email: str,
    request: CertificateRequest | None,
    data: bytes,
    now: datetime,
) -> Certificate:
    expected_spki = request.spki_sha256 if request is not None else None
    leaf, verdict, info, warnings, anchor = _checked_upload(data, email, expected_spki, now)
    if Certificate.objects.filter(sha256_fingerprint=info.sha256_fingerprint).exists():
        raise Conflict("This certificate is already in the portal; nothing was added.")
    cert = Certificate(
        owner=owner,
        request=request,
        key_source=request.key_source if request is not None else KeySource.IMPORTED,
        stored_key=request.stored_key if request is not None else None,
        email=email,
        der=leaf.public_bytes(serialization.Encoding.DER),
        chain_pem=bundle.certificates_to_pem(verdict.chain),
        serial_hex=info.serial_hex,
        issuer=info.issuer,
        subject=info.subject,
        emails=info.emails,
        key_usage=info.key_usage,
        key_type=info.key.key_type if info.key else "",
        not_before=info.not_before,
        not_after=info.not_after,
        sha256_fingerprint=info.sha256_fingerprint,
        spki_sha256=info.spki_sha256,
        ocsp_urls=info.ocsp_urls,
        crl_urls=info.crl_urls,
        ca_issuers_urls=info.ca_issuers_urls,
        chain_verdict=verdict.verdict,
        trust_anchor=anchor,
        chain_reason=verdict.reason,
        warnings=warnings,
        next_check_at=now,
    )
    cert.status = status_at(cert, now)
    cert.save()
    audit.record(
        actor,
        "certificate.added",
        cert,
        serial=info.serial_hex,
        chain_verdict=verdict.verdict,
        request=request.pk if request else None,
    )
    _settle_supersession(actor, cert, now)
    return cert


def attach_to_request(
    actor: Actor, request: CertificateRequest, data: bytes, now: datetime | None = None
) -> Certificate:
    now = now or timezone.now()
    data = chain_completion.with_fetched_issuers(data)  # network: before the transaction
    with transaction.atomic():
        request = CertificateRequest.objects.select_for_update().get(pk=request.pk)
        transition(request, RequestState.ISSUED)
        cert = _save_certificate(
            actor, owner=request.owner, email=request.email, request=request, data=data, now=now
        )
        request.save(update_fields=["state", "updated_at"])
        audit.record(actor, "request.issued", request, certificate=cert.pk)
    return cert


def import_certificate(
    actor: Actor, owner: AbstractBaseUser, data: bytes, now: datetime | None = None
) -> Certificate:
    """Track a certificate issued elsewhere (no request, no key held)."""
    require_acts_for(actor.user, owner)
    own = getattr(owner, "email", "") or ""
    email = domains.check_address_for(owner, own)
    data = chain_completion.with_fetched_issuers(data)  # network: before the transaction
    with transaction.atomic():
        return _save_certificate(
            actor, owner=owner, email=email, request=None, data=data, now=now or timezone.now()
        )


def _settle_supersession(actor: Actor, new: Certificate, now: datetime) -> None:
    """Per address and use, the most recently issued live certificate is current: older ones
    whose every use the new one covers become superseded, and a certificate uploaded after a
    newer one that covers it is stored as superseded at once."""
    live = Certificate.objects.filter(
        owner=new.owner,
        email__iexact=new.email,
        status__in=[CertificateStatus.ACTIVE, CertificateStatus.EXPIRING],
        not_after__gt=now,
    ).exclude(pk=new.pk)
    uses = USAGES.get(new.key_usage, set())
    newer = [
        c
        for c in live.filter(not_before__gt=new.not_before)
        if uses <= USAGES.get(c.key_usage, set())
    ]
    if newer:
        _mark_superseded(actor, new, by=newer[0])
        return
    for old in live.filter(not_before__lt=new.not_before).select_for_update():
        if USAGES.get(old.key_usage, set()) <= uses:
            _mark_superseded(actor, old, by=new)


def _mark_superseded(actor: Actor, cert: Certificate, by: Certificate) -> None:
    cert.status = CertificateStatus.SUPERSEDED
    cert.superseded_by = by
    cert.save(update_fields=["status", "superseded_by"])
    audit.record(actor, "certificate.superseded", cert, superseded_by=by.pk)
    transaction.on_commit(
        lambda: certificate_invalidated.send(
            Certificate, certificate=cert, status=CertificateStatus.SUPERSEDED
        )
    )


def declare_revoked(
    actor: Actor, cert: Certificate, reason: str, now: datetime | None = None
) -> Certificate:
    reason = reason.strip()
    if not reason:
        raise Invalid(
            "Say why the certificate is revoked (for example: lost device, key compromise)."
        )
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=cert.pk)
        if cert.status == CertificateStatus.REVOKED:
            raise Conflict(f"Certificate #{cert.pk} is already revoked.")
        now = now or timezone.now()
        cert.revocation_checked_at = now
        mark_revoked(actor, cert, reason, now, "declared")
    return cert


def mark_revoked(
    actor: Actor, cert: Certificate, reason: str, revoked_at: datetime, method: str
) -> AuditEvent:
    """The one way a certificate becomes revoked: declared by a person, or found by a check
    (method "ocsp" or "crl"). The caller holds the row locked in a transaction."""
    cert.status = CertificateStatus.REVOKED
    cert.revocation_reason = reason[:200]
    cert.revoked_at = revoked_at
    cert.revocation_status = "revoked"
    cert.revocation_method = method
    cert.save()
    event = audit.record(actor, "certificate.revoked", cert, reason=reason, method=method)
    transaction.on_commit(
        lambda: certificate_invalidated.send(
            Certificate, certificate=cert, status=CertificateStatus.REVOKED
        )
    )
    return event
