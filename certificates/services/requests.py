"""Certificate requests: creation (server key, uploaded or browser CSR) and state transitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from cryptography import x509
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import notices
from certificates.models import Certificate, CertificateRequest, StoredKey
from certificates.models.certificates import CertificateStatus
from certificates.models.keys import KeySource
from certificates.models.requests import TRANSITIONS, RequestState
from certificates.pki import csr as pki_csr
from certificates.pki import keys, subject
from certificates.pki.emails import addresses_match
from certificates.pki.errors import PkiError
from certificates.services import audit, domains, drafts, key_copies, keystore
from certificates.services.access import require_admin
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Forbidden, Invalid
from certificates.services.text import single_line

FINAL_STATES = (RequestState.ISSUED, RequestState.CANCELLED, RequestState.REJECTED)
# A CSR nobody sent to the CA for this long is most likely forgotten.
STALE_AFTER = timedelta(days=30)


def create(
    actor: Actor,
    *,
    owner: User,
    email: str,
    subject_fields: Mapping[str, str | None],
    key_source: str,
    key_type: str | None = None,
    csr_pem: str | bytes | None = None,
    renewal_of: Certificate | None = None,
    reuse_key: StoredKey | None = None,
    encrypted_key: str | bytes | None = None,
) -> CertificateRequest:
    """A new request, checked as ``drafts.check`` does. ``encrypted_key`` is the optional
    encrypted copy of a browser-made key, stored with the request or not at all."""
    draft = drafts.check(
        actor,
        owner=owner,
        email=email,
        subject_fields=subject_fields,
        key_source=key_source,
        key_type=key_type,
        csr_pem=csr_pem,
        encrypted_key=encrypted_key,
    )
    if draft.key_source == KeySource.SERVER:
        return _create_with_server_key(actor, draft, renewal_of, reuse_key)
    if draft.signing_request is None:
        raise Invalid(str(drafts.CSR_MISSING))
    return _create_from_csr(actor, draft, renewal_of)


def _create_with_server_key(
    actor: Actor,
    draft: drafts.Draft,
    renewal_of: Certificate | None,
    reuse_key: StoredKey | None,
) -> CertificateRequest:
    if reuse_key is not None:
        private_key = keystore.load(reuse_key)
    else:
        try:
            private_key = keys.generate_private_key(draft.key_type or keys.DEFAULT_KEY_TYPE)
        except PkiError as exc:
            raise Invalid(exc.message) from exc
    # The slow part (an RSA-4096 key takes seconds) stays outside the transaction: SQLite's
    # IMMEDIATE mode holds the write lock for web, worker and beat for a transaction's length.
    signing_request = pki_csr.build_csr(private_key, draft.email, draft.fields)
    info = pki_csr.inspect_csr(signing_request)
    with transaction.atomic():
        stored = reuse_key if reuse_key is not None else keystore.store(draft.owner, private_key)
        return _save_request(
            actor,
            draft,
            signing_request=signing_request,
            info=info,
            renewal_of=renewal_of,
            stored_key=stored,
            new_key=reuse_key is None,
        )


def _create_from_csr(
    actor: Actor, draft: drafts.Draft, renewal_of: Certificate | None
) -> CertificateRequest:
    assert draft.signing_request is not None and draft.info is not None
    with transaction.atomic():
        request = _save_request(
            actor,
            draft,
            signing_request=draft.signing_request,
            info=draft.info,
            renewal_of=renewal_of,
            warnings=draft.warnings,
        )
        if draft.key_copy is not None:
            key_copies.keep(actor, request, draft.key_copy)
        return request


def _save_request(
    actor: Actor,
    draft: drafts.Draft,
    *,
    signing_request: x509.CertificateSigningRequest,
    info: pki_csr.CsrInfo,
    renewal_of: Certificate | None,
    stored_key: StoredKey | None = None,
    new_key: bool = False,
    warnings: list[str] | None = None,
) -> CertificateRequest:
    """The request row and its audit events, whatever made the CSR. ``warnings`` replace the
    CSR's own (a draft's already hold them)."""
    assert actor.user is not None  # the draft let only people through (require_acts_for)
    owner = draft.owner
    request = CertificateRequest.objects.create(
        owner=owner,
        created_by=actor.user,
        email=draft.email,
        subject=draft.fields.as_dict(),
        key_source=draft.key_source,
        key_type=info.key.key_type,
        stored_key=stored_key,
        csr_pem=pki_csr.csr_to_pem(signing_request),
        spki_sha256=info.spki_sha256,
        renewal_of=renewal_of,
        state=draft.rules.state,
        warnings=info.warnings if warnings is None else warnings,
    )
    if new_key and stored_key is not None:
        audit.record(
            actor, "key.generated", stored_key, key_type=stored_key.key_type, request=request.pk
        )
    audit.record(
        actor,
        "request.created",
        request,
        key_source=draft.key_source,
        key_type=request.key_type,
        renewal_of=renewal_of.pk if renewal_of else None,
        owner=owner.get_username(),
        state=draft.rules.state,
    )
    return request


def transition(request: CertificateRequest, target: str) -> None:
    """Move to ``target`` if the state table (models.requests) has that edge; 409 otherwise."""
    check_transition(request, target)
    request.state = target


def check_transition(request: CertificateRequest, target: str) -> None:
    """409 unless the state table has an edge from the request's state to ``target``."""
    allowed = TRANSITIONS.get(target, frozenset())
    if request.state not in allowed:
        sources = " or ".join(f"'{s}'" for s in sorted(allowed))
        final = request.state in FINAL_STATES
        refusal = _(
            "Request #%(id)s is '%(state)s', so it cannot become '%(target)s' (only from "
            "%(sources)s)."
        ) % {"id": request.pk, "state": request.state, "target": target, "sources": sources}
        if final:
            refusal += " " + _("Start a new request instead.")
        raise Conflict(refusal)


def _locked(request: CertificateRequest) -> CertificateRequest:
    return CertificateRequest.objects.select_for_update().get(pk=request.pk)


def submit(
    actor: Actor, request: CertificateRequest, ca_name: str, order_ref: str = ""
) -> CertificateRequest:
    ca_name = single_line("ca_name", _("The CA name"), ca_name)
    order_ref = single_line("order_ref", _("The order reference"), order_ref)
    if not ca_name:
        raise Invalid(_("Name the CA the CSR was sent to (for example Sectigo)."))
    with transaction.atomic():
        request = _locked(request)
        transition(request, RequestState.SUBMITTED)
        request.ca_name, request.order_ref = ca_name[:200], order_ref[:200]
        request.submitted_at = timezone.now()
        request.save(update_fields=["state", "ca_name", "order_ref", "submitted_at", "updated_at"])
        audit.record(actor, "request.submitted", request, ca_name=ca_name, order_ref=order_ref)
    return request


def cancel(actor: Actor, request: CertificateRequest) -> CertificateRequest:
    with transaction.atomic():
        request = _locked(request)
        transition(request, RequestState.CANCELLED)
        request.save(update_fields=["state", "updated_at"])
        event = audit.record(actor, "request.cancelled", request)
        notices.request_cancelled(event, request)
    return request


def reject(actor: Actor, request: CertificateRequest, reason: str) -> CertificateRequest:
    require_admin(actor.user)
    reason = single_line("reason", _("The reason"), reason)
    if not reason:
        raise Invalid(_("Give the reason for the rejection; the requester will read it."))
    with transaction.atomic():
        request = _locked(request)
        transition(request, RequestState.REJECTED)
        request.reject_reason = reason
        request.save(update_fields=["state", "reject_reason", "updated_at"])
        event = audit.record(actor, "request.rejected", request, reason=reason)
        notices.request_rejected(event, request)
    return request


def approve(actor: Actor, request: CertificateRequest) -> CertificateRequest:
    """An admin lets a request that awaits approval go to the CA (csr_ready)."""
    require_admin(actor.user)
    with transaction.atomic():
        request = _locked(request)
        transition(request, RequestState.CSR_READY)
        request.save(update_fields=["state", "updated_at"])
        event = audit.record(actor, "request.approved", request)
        notices.request_approved(event, request)
    return request


def can_hide(request: CertificateRequest, now: datetime) -> bool:
    """Whether the request may leave its owner's list on My certificates: it is finished, or
    its CSR has waited STALE_AFTER without going to the CA."""
    return request.state in FINAL_STATES or (
        request.state == RequestState.CSR_READY and request.created_at <= now - STALE_AFTER
    )


def set_hidden(actor: Actor, request: CertificateRequest, hidden: bool, now: datetime) -> None:
    """Hide the request from its owner's list, or show it there again. Only the owner's own
    list: nothing else changes (it is no state change, so no audit event)."""
    if actor.user is None or request.owner_id != actor.user.pk:
        raise Forbidden(_("Only the request's owner hides it from their list."))
    if hidden and not can_hide(request, now):
        raise Conflict(
            _(
                "Request #%(id)s is still under way; only finished requests and CSRs that waited "
                "%(days)s days without going to the CA can be hidden."
            )
            % {"id": request.pk, "days": STALE_AFTER.days}
        )
    CertificateRequest.objects.filter(pk=request.pk).update(hidden_by_owner=hidden)


def _subject_of(cert: Certificate) -> dict[str, str]:
    """Subject fields of a certificate issued elsewhere, for a pre-filled renewal."""
    name = x509.load_der_x509_certificate(bytes(cert.der)).subject
    fields, _emails = subject.name_to_fields(name)
    if addresses_match(fields.common_name, cert.email):
        fields = replace(fields, common_name="")  # a mailbox CN is the default anyway
    return fields.as_dict()


def renewal_subject(cert: Certificate) -> dict[str, str]:
    """The subject a renewal's new key carries, whether the portal or the browser makes its
    CSR: the certificate's, without the fields the domain's CA product does not carry (the
    organisation may have changed products since)."""
    previous = cert.request.subject if cert.request is not None else _subject_of(cert)
    profile = drafts.ca_profile(domains.managed_domain(cert.email))
    if profile is None:
        return previous
    return subject.fit_profile(subject.SubjectFields.from_dict(previous), profile).as_dict()


def renew(
    actor: Actor,
    cert: Certificate,
    *,
    key_source: str = KeySource.SERVER,
    key_type: str | None = None,
    csr_pem: str | bytes | None = None,
    reuse_key: bool = False,
    encrypted_key: str | bytes | None = None,
) -> CertificateRequest:
    """A new request pre-filled from ``cert``: same owner, address and subject
    (renewal_subject); a new key unless ``reuse_key`` asks to sign a new CSR with the key the
    server already holds. A browser-made key may come with its encrypted copy, as for
    ``create``."""
    stored = None
    if reuse_key:
        if cert.stored_key is None or key_source != KeySource.SERVER:
            raise Conflict(
                _("Only a key the portal holds can be reused; renew with a new key instead.")
            )
        if cert.stored_key.certificates.filter(status=CertificateStatus.REVOKED).exists():
            raise Conflict(
                _(
                    "A certificate for this key was revoked, so the key may be known to "
                    "someone else; renew with a new key."
                )
            )
        stored = cert.stored_key
    if key_source == KeySource.SERVER and key_type is None and not reuse_key:
        key_type = cert.key_type if cert.key_type in list(keys.KeyType) else None
    return create(
        actor,
        owner=cert.owner,
        email=cert.email,
        subject_fields=renewal_subject(cert),
        key_source=key_source,
        key_type=key_type,
        csr_pem=csr_pem,
        renewal_of=cert,
        reuse_key=stored,
        encrypted_key=encrypted_key,
    )
