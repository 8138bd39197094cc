"""A new request checked before anything is stored: what the review step of the new-request
page shows, and what ``requests.create`` stores. One set of checks for every door, so a review
that passed is a request that will be made (unless something changed in between)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cryptography import x509
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import CertificateAuthority, Domain
from certificates.models.keys import KeySource
from certificates.models.requests import RequestState
from certificates.pki import csr as pki_csr
from certificates.pki import keys, subject
from certificates.pki.errors import PkiError
from certificates.services import domains, key_copies
from certificates.services.access import is_admin, require_acts_for
from certificates.services.actor import Actor
from certificates.services.errors import Invalid, invalid

CSR_SOURCES = (KeySource.UPLOAD, KeySource.BROWSER)
CSR_MISSING = gettext_lazy("Paste or upload the CSR (PEM or DER) made for this address.")


@dataclass(frozen=True)
class DomainRules:
    """What the address's domain asks of a new request: the CA product's profile (None: no
    CA named, any subject goes) and the state it starts in (awaiting approval where the
    domain requires it, unless a certificate admin makes the request)."""

    profile: subject.ValidationProfile | None
    state: RequestState

    @classmethod
    def of(cls, actor: Actor, email: str) -> DomainRules:
        domain = domains.managed_domain(email)
        waits = domain is not None and domain.requires_approval and not is_admin(actor.user)
        return cls(
            profile=ca_profile(domain),
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


def ca_profile(domain: Domain | None) -> subject.ValidationProfile | None:
    """The profile of the CA product the domain orders; None when it names no CA."""
    authority = domain.certificate_authority if domain is not None else None
    return authority.validation_profile if authority is not None else None


@dataclass(frozen=True)
class Draft:
    """A checked new request. ``fields`` is the subject the certificate will carry (typed, or
    read from the CSR); ``key_type`` is None for a browser key not made yet; ``signing_request``
    is None until there is a CSR (a server key makes its own when the request is stored)."""

    owner: User
    email: str
    key_source: str
    key_type: str | None
    fields: subject.SubjectFields
    rules: DomainRules
    warnings: list[str]
    signing_request: x509.CertificateSigningRequest | None = None
    info: pki_csr.CsrInfo | None = None
    key_copy: str | None = None

    @property
    def profile(self) -> subject.ValidationProfile:
        """The CA product's profile, or the one the subject amounts to without a product."""
        return self.rules.profile or subject.validation_profile(self.fields)

    @property
    def csr_pem(self) -> str:
        return pki_csr.csr_to_pem(self.signing_request) if self.signing_request else ""


def check(
    actor: Actor,
    *,
    owner: User,
    email: str,
    subject_fields: Mapping[str, str | None],
    key_source: str,
    key_type: str | None = None,
    csr_pem: str | bytes | None = None,
    encrypted_key: str | bytes | None = None,
) -> Draft:
    """Everything ``requests.create`` would refuse, with every problem of the subject or the
    CSR at once. A browser key's fields are checked before its CSR exists (the browser builds
    the CSR from them at the last step); an upload needs its CSR."""
    require_acts_for(actor.user, owner)
    email = domains.check_address_for(owner, email)
    rules = DomainRules.of(actor, email)
    typed_warnings: list[str] = []
    try:
        fields = subject.SubjectFields.from_dict(subject_fields)
        subject.check_subject(fields)
        if key_source == KeySource.SERVER or (key_source == KeySource.BROWSER and not csr_pem):
            rules.check(fields)
            typed_warnings = subject.subject_warnings(subject.build_name(fields, email))
    except PkiError as exc:
        raise invalid(exc) from exc
    key_copy = key_copies.checked(encrypted_key, key_source)
    draft = Draft(owner, email, key_source, None, fields, rules, [], key_copy=key_copy)
    if key_source == KeySource.SERVER:
        if csr_pem:
            raise Invalid(_("A server-generated key makes its own CSR; leave csr_pem out."))
        return replace(draft, key_type=key_type or keys.DEFAULT_KEY_TYPE, warnings=typed_warnings)
    if key_source not in CSR_SOURCES:
        raise Invalid(
            _("key_source must be one of server, browser, upload, not %(source)r.")
            % {"source": key_source}
        )
    if not csr_pem and key_source == KeySource.BROWSER:
        return replace(draft, warnings=typed_warnings)
    if not csr_pem:
        raise Invalid(str(CSR_MISSING))
    if key_type:
        raise Invalid(_("The key type comes from the uploaded CSR; leave key_type out."))
    return _with_csr(draft, csr_pem)


def _with_csr(draft: Draft, csr_pem: str | bytes) -> Draft:
    data = csr_pem.encode() if isinstance(csr_pem, str) else csr_pem
    try:
        signing_request = pki_csr.load_csr(data)
        info = pki_csr.validate_csr(signing_request, draft.email)
    except PkiError as exc:
        raise invalid(exc, in_csr=True) from exc
    try:
        if draft.key_source == KeySource.BROWSER:  # its subject is the form's fields
            draft.rules.check(info.fields)
    except PkiError as exc:
        raise invalid(exc) from exc
    profile_warnings = (
        draft.rules.csr_warnings(info.fields) if draft.key_source == KeySource.UPLOAD else []
    )
    return replace(
        draft,
        key_type=info.key.key_type,
        fields=info.fields,
        warnings=info.warnings + profile_warnings,
        signing_request=signing_request,
        info=info,
    )


def suggested_subject(owner: User, authority: CertificateAuthority | None) -> subject.SubjectFields:
    """The subject the new-request form starts from: the account's name where the CA product
    carries one (or where no product is named), nothing the product does not carry, and
    nothing at all when the account's name is not a valid subject value."""
    first = str(getattr(owner, "first_name", "") or "").strip()
    last = str(getattr(owner, "last_name", "") or "").strip()
    full = " ".join(part for part in (first, last) if part)
    fields = subject.SubjectFields(common_name=full, given_name=first, surname=last)
    if authority is not None:
        fields = subject.fit_profile(fields, authority.validation_profile)
    try:
        subject.check_subject(fields)
    except PkiError:
        return subject.SubjectFields()
    return fields
