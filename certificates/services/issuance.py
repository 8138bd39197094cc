"""Signed certificates: upload for a request, import without one, declare revoked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import notices
from certificates.models import AuditEvent, Certificate, CertificateRequest, TrustAnchor
from certificates.models.certificates import CertificateStatus
from certificates.models.keys import KeySource
from certificates.models.requests import RequestState
from certificates.pki import bundle, certinfo, chain
from certificates.pki.errors import PkiError
from certificates.services import audit, chain_completion, domains, status, supersession, verdicts
from certificates.services.access import require_acts_for
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid
from certificates.services.requests import check_transition, transition
from certificates.services.text import single_line
from certificates.signals import certificate_issued


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded certificate file, parsed and judged; nothing of it is stored yet."""

    leaf: x509.Certificate
    verdict: chain.ChainResult
    info: certinfo.CertificateInfo
    warnings: list[str]
    anchor: TrustAnchor | None
    anchors_seen: frozenset[str]  # fingerprints of the trust anchors the verdict was reached with


def _checked_upload(
    data: bytes, email: str, expected_spki: str | None, now: datetime
) -> CheckedUpload:
    """Parse and check an uploaded certificate file; raise Invalid with the reason.

    Runs outside any transaction: parsing and chain checks take time, and on SQLite an open
    write transaction holds the lock for every other writer. A refusal leaves no trace."""
    store = verdicts.TrustStore.load()
    try:
        certs = bundle.load_certificates(data)
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    certs = chain_completion.with_fetched_issuers(certs, store.certificates)  # network
    try:
        leaf, intermediates, warnings = bundle.split_leaf_and_chain(certs)
        warnings = warnings + certinfo.check_leaf(
            leaf, email=email, now=now, expected_spki_sha256=expected_spki
        )
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    verdict = chain.verify_chain(leaf, intermediates, store.certificates, now)
    if verdict.verdict == chain.Verdict.INVALID:
        raise Invalid(
            _("The certificate chain does not validate: %(reason)s") % {"reason": verdict.reason}
        )
    anchor = store.anchor_for(verdict)
    if verdict.verdict == chain.Verdict.UNTRUSTED_ROOT:
        warnings.append(verdict.reason)
    return CheckedUpload(
        leaf,
        verdict,
        certinfo.describe_certificate(leaf),
        warnings,
        anchor,
        frozenset(a.sha256_fingerprint for a, _added in store.anchors),
    )


def _save_certificate(
    actor: Actor,
    *,
    owner: User,
    email: str,
    request: CertificateRequest | None,
    upload: CheckedUpload,
    now: datetime,
) -> Certificate:
    """Store a checked upload; called inside the caller's (short) transaction."""
    anchors_now = TrustAnchor.objects.values_list("sha256_fingerprint", flat=True)
    if frozenset(anchors_now) != upload.anchors_seen:
        raise Conflict(
            _(
                "The trust anchors changed while the certificate was being checked; "
                "nothing was added, so upload it again."
            )
        )
    leaf, verdict, info = upload.leaf, upload.verdict, upload.info
    if Certificate.objects.filter(sha256_fingerprint=info.sha256_fingerprint).exists():
        raise Conflict(_("This certificate is already in the portal; nothing was added."))
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
        trust_anchor=upload.anchor,
        chain_reason=verdict.reason,
        warnings=upload.warnings,
    )
    status.store(cert, now)
    audit.record(
        actor,
        "certificate.added",
        cert,
        serial=info.serial_hex,
        chain_verdict=verdict.verdict,
        request=request.pk if request else None,
    )
    supersession.settle(actor, cert, now)
    certificate_issued.send(Certificate, certificate=cert, renews=request and request.renewal_of)
    return cert


def attach_to_request(
    actor: Actor, request: CertificateRequest, data: bytes, now: datetime | None = None
) -> Certificate:
    now = now or timezone.now()
    check_transition(request, RequestState.ISSUED)  # a wrong state is said before the file
    upload = _checked_upload(data, request.email, request.spki_sha256, now)
    with transaction.atomic():
        request = CertificateRequest.objects.select_for_update().get(pk=request.pk)
        transition(request, RequestState.ISSUED)  # again, under the lock
        cert = _save_certificate(
            actor, owner=request.owner, email=request.email, request=request, upload=upload, now=now
        )
        request.save(update_fields=["state", "updated_at"])
        event = audit.record(actor, "request.issued", request, certificate=cert.pk)
        notices.request_issued(event, request)
    return cert


def import_certificate(
    actor: Actor, owner: User, data: bytes, now: datetime | None = None
) -> Certificate:
    """Track a certificate issued elsewhere (no request, no key held)."""
    require_acts_for(actor.user, owner)
    email = domains.check_address_for(owner, getattr(owner, "email", "") or "")
    now = now or timezone.now()
    upload = _checked_upload(data, email, None, now)
    with transaction.atomic():
        return _save_certificate(
            actor, owner=owner, email=email, request=None, upload=upload, now=now
        )


def declare_revoked(
    actor: Actor, cert: Certificate, reason: str, now: datetime | None = None
) -> Certificate:
    require_acts_for(actor.user, cert.owner)
    reason = single_line("reason", _("The reason"), reason)
    if not reason:
        raise Invalid(
            _("Say why the certificate is revoked (for example: lost device, key compromise).")
        )
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=cert.pk)
        if cert.status == CertificateStatus.REVOKED:
            raise Conflict(_("Certificate #%(id)s is already revoked.") % {"id": cert.pk})
        now = now or timezone.now()
        cert.revocation_checked_at = now
        event = mark_revoked(actor, cert, reason, now, "declared")
        notices.certificate_revoked(event, cert)
    return cert


def mark_revoked(
    actor: Actor, cert: Certificate, reason: str, revoked_at: datetime, method: str
) -> AuditEvent:
    """The one way a certificate becomes revoked: declared by a person, or found by a check
    (method "ocsp" or "crl"). The caller holds the row locked in a transaction and may have set
    the revocation check fields, which are saved with it; the status service announces it."""
    cert.revocation_reason = reason[:200]
    cert.revoked_at = revoked_at
    cert.revocation_status = "revoked"
    cert.revocation_method = method
    status.store(
        cert,
        timezone.now(),
        "revocation_reason",
        "revoked_at",
        "revocation_status",
        "revocation_method",
        "revocation_checked_at",
        "revocation_due_at",
    )
    return audit.record(actor, "certificate.revoked", cert, reason=reason, method=method)
