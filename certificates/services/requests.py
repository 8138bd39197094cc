"""Certificate requests: creation (server key, uploaded or browser CSR) and state transitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cryptography import x509
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from certificates import notices
from certificates.models import Certificate, CertificateRequest, Domain, StoredKey
from certificates.models.certificates import CertificateStatus
from certificates.models.keys import KeySource
from certificates.models.requests import TRANSITIONS, RequestState
from certificates.pki import csr as pki_csr
from certificates.pki import keys, subject
from certificates.pki.emails import addresses_match
from certificates.pki.errors import PkiError
from certificates.services import audit, domains, key_copies, keystore
from certificates.services.access import is_admin, require_acts_for, require_admin
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid, invalid
from certificates.services.text import single_line

CSR_SOURCES = (KeySource.UPLOAD, KeySource.BROWSER)
FINAL_STATES = (RequestState.ISSUED, RequestState.CANCELLED, RequestState.REJECTED)


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
    """A new request. ``encrypted_key`` is the optional encrypted copy of a browser-made key,
    stored with the request or not at all."""
    require_acts_for(actor.user, owner)
    email = domains.check_address_for(owner, email)
    rules = _DomainRules.of(actor, email)
    try:
        fields = subject.SubjectFields.from_dict(subject_fields)
        subject.check_subject(fields)
        if key_source == KeySource.SERVER:
            rules.check(fields)
    except PkiError as exc:
        raise invalid(exc) from exc
    key_copy = key_copies.checked(encrypted_key, key_source)

    if key_source == KeySource.SERVER:
        if csr_pem:
            raise Invalid("A server-generated key makes its own CSR; leave csr_pem out.")
        return _create_with_server_key(
            actor,
            owner,
            email,
            fields,
            key_type or keys.DEFAULT_KEY_TYPE,
            renewal_of,
            reuse_key,
            rules,
        )
    if key_source in CSR_SOURCES:
        if not csr_pem:
            raise Invalid("Paste or upload the CSR (PEM or DER) made for this address.")
        if key_type:
            raise Invalid("The key type comes from the uploaded CSR; leave key_type out.")
        return _create_from_csr(
            actor, owner, email, key_source, csr_pem, renewal_of, rules, key_copy
        )
    raise Invalid(f"key_source must be one of server, browser, upload, not {key_source!r}.")


@dataclass(frozen=True)
class _DomainRules:
    """What the address's domain asks of a new request: the CA product's profile (None: no
    CA named, any subject goes) and the state it starts in (awaiting approval where the
    domain requires it, unless a certificate admin makes the request)."""

    profile: subject.ValidationProfile | None
    state: RequestState

    @classmethod
    def of(cls, actor: Actor, email: str) -> _DomainRules:
        domain = domains.managed_domain(email)
        waits = domain is not None and domain.requires_approval and not is_admin(actor.user)
        return cls(
            profile=_ca_profile(domain),
            state=RequestState.AWAITING_APPROVAL if waits else RequestState.CSR_READY,
        )

    def check(self, fields: subject.SubjectFields) -> None:
        """PkiError unless ``fields`` fit the CA product's profile (any fit without one)."""
        if self.profile is not None:
            subject.check_profile(fields, self.profile)

    def csr_warnings(self, fields: subject.SubjectFields) -> list[str]:
        """An uploaded CSR keeps the subject its maker chose; say when it does not fit the
        product."""
        try:
            self.check(fields)
        except PkiError as exc:
            return [f"{exc.message} This CSR's subject does not: the CA may refuse it."]
        return []


def _ca_profile(domain: Domain | None) -> subject.ValidationProfile | None:
    """The profile of the CA product the domain orders; None when it names no CA."""
    authority = domain.certificate_authority if domain is not None else None
    return authority.validation_profile if authority is not None else None


def _create_with_server_key(
    actor: Actor,
    owner: User,
    email: str,
    fields: subject.SubjectFields,
    key_type: str,
    renewal_of: Certificate | None,
    reuse_key: StoredKey | None,
    rules: _DomainRules,
) -> CertificateRequest:
    if reuse_key is not None:
        private_key = keystore.load(reuse_key)
    else:
        try:
            private_key = keys.generate_private_key(key_type)
        except PkiError as exc:
            raise Invalid(exc.message) from exc
    # The slow part (an RSA-4096 key takes seconds) stays outside the transaction: SQLite's
    # IMMEDIATE mode holds the write lock for web, worker and beat for a transaction's length.
    signing_request = pki_csr.build_csr(private_key, email, fields)
    info = pki_csr.inspect_csr(signing_request)
    with transaction.atomic():
        stored = reuse_key if reuse_key is not None else keystore.store(owner, private_key)
        return _save_request(
            actor,
            owner=owner,
            email=email,
            key_source=KeySource.SERVER,
            subject_fields=fields.as_dict(),
            signing_request=signing_request,
            info=info,
            renewal_of=renewal_of,
            state=rules.state,
            stored_key=stored,
            new_key=reuse_key is None,
        )


def _create_from_csr(
    actor: Actor,
    owner: User,
    email: str,
    key_source: str,
    csr_pem: str | bytes,
    renewal_of: Certificate | None,
    rules: _DomainRules,
    key_copy: str | None,
) -> CertificateRequest:
    data = csr_pem.encode() if isinstance(csr_pem, str) else csr_pem
    try:
        signing_request = pki_csr.load_csr(data)
        info = pki_csr.validate_csr(signing_request, email)
        if key_source == KeySource.BROWSER:  # its subject is the form's fields
            rules.check(info.fields)
    except PkiError as exc:
        raise invalid(exc) from exc
    with transaction.atomic():
        request = _save_request(
            actor,
            owner=owner,
            email=email,
            key_source=key_source,
            subject_fields=info.fields.as_dict(),
            signing_request=signing_request,
            info=info,
            renewal_of=renewal_of,
            state=rules.state,
            warnings=rules.csr_warnings(info.fields) if key_source == KeySource.UPLOAD else [],
        )
        if key_copy is not None:
            key_copies.keep(actor, request, key_copy)
        return request


def _save_request(
    actor: Actor,
    *,
    owner: User,
    email: str,
    key_source: str,
    subject_fields: dict[str, str],
    signing_request: x509.CertificateSigningRequest,
    info: pki_csr.CsrInfo,
    renewal_of: Certificate | None,
    state: RequestState,
    stored_key: StoredKey | None = None,
    new_key: bool = False,
    warnings: list[str] | None = None,
) -> CertificateRequest:
    """The request row and its audit events, whatever made the CSR."""
    assert actor.user is not None  # create() let only people through (require_acts_for)
    request = CertificateRequest.objects.create(
        owner=owner,
        created_by=actor.user,
        email=email,
        subject=subject_fields,
        key_source=key_source,
        key_type=info.key.key_type,
        stored_key=stored_key,
        csr_pem=pki_csr.csr_to_pem(signing_request),
        spki_sha256=info.spki_sha256,
        renewal_of=renewal_of,
        state=state,
        warnings=info.warnings + (warnings or []),
    )
    if new_key and stored_key is not None:
        audit.record(
            actor, "key.generated", stored_key, key_type=stored_key.key_type, request=request.pk
        )
    audit.record(
        actor,
        "request.created",
        request,
        key_source=key_source,
        key_type=request.key_type,
        renewal_of=renewal_of.pk if renewal_of else None,
        owner=owner.get_username(),
        state=state,
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
        raise Conflict(
            f"Request #{request.pk} is '{request.state}', so it cannot become '{target}' (only "
            f"from {sources})." + (" Start a new request instead." if final else "")
        )


def _locked(request: CertificateRequest) -> CertificateRequest:
    return CertificateRequest.objects.select_for_update().get(pk=request.pk)


def submit(
    actor: Actor, request: CertificateRequest, ca_name: str, order_ref: str = ""
) -> CertificateRequest:
    ca_name = single_line("ca_name", "The CA name", ca_name)
    order_ref = single_line("order_ref", "The order reference", order_ref)
    if not ca_name:
        raise Invalid("Name the CA the CSR was sent to (for example Sectigo).")
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
    reason = single_line("reason", "The reason", reason)
    if not reason:
        raise Invalid("Give the reason for the rejection; the requester will read it.")
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


def _subject_of(cert: Certificate) -> dict[str, str]:
    """Subject fields of a certificate issued elsewhere, for a pre-filled renewal."""
    name = x509.load_der_x509_certificate(bytes(cert.der)).subject
    fields, _ = subject.name_to_fields(name)
    if addresses_match(fields.common_name, cert.email):
        fields = replace(fields, common_name="")  # a mailbox CN is the default anyway
    return fields.as_dict()


def renewal_subject(cert: Certificate) -> dict[str, str]:
    """The subject a renewal's new key carries, whether the portal or the browser makes its
    CSR: the certificate's, without the fields the domain's CA product does not carry (the
    organisation may have changed products since)."""
    previous = cert.request.subject if cert.request is not None else _subject_of(cert)
    profile = _ca_profile(domains.managed_domain(cert.email))
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
                "Only a key the portal holds can be reused; renew with a new key instead."
            )
        if cert.stored_key.certificates.filter(status=CertificateStatus.REVOKED).exists():
            raise Conflict(
                "A certificate for this key was revoked, so the key may be known to someone else; "
                "renew with a new key."
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
