"""The API's JSON shapes: what callers send (``*In``) and what they get back (``*Out``).

Input schemas forbid unknown fields, so a typo such as ``commonName`` is a 422 naming the field
instead of a silently ignored value. Output schemas read model rows themselves (their
``resolve_*`` methods compute what is not a plain field), so every endpoint answers the same
shape for an object.
Shapes only one router uses (tokens, admin objects) live in that router's module.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from certificates.models import AuditEvent, Certificate, CertificateRequest
from certificates.models.keys import RequestKeySource
from certificates.pki import pkcs12
from certificates.pki.keys import KeyType
from certificates.pki.pkcs12 import Profile
from certificates.pki.text import LINE_BREAKS_AND_TABS, describe, first_invisible
from certificates.services import audit

_KEY_TYPE_HELP = f"One of {', '.join(KeyType)}; server keys only (a CSR carries its own)."


# Fields that hold PEM text keep their line breaks; everywhere else a control or format
# character is a mistake or a spoof (pki.text), and NUL is refused by PostgreSQL as a 500.
MULTILINE_FIELDS = frozenset({"csr_pem", "pem", "encrypted_key"})
NAME = 200  # ca_name, order_ref, trust anchor names, subject attributes
LONG_TEXT = 2000  # reasons a person writes
PEM_TEXT = 256 * 1024  # far above any CSR or certificate chain
ENCRYPTED_KEY_TEXT = 16 * 1024  # pki.encrypted_key.MAX_ENCRYPTED_KEY_BYTES
_ENCRYPTED_KEY_HELP = (
    "key_source browser only, optional: the key encrypted in the browser with the owner's key "
    "passphrase (PEM ENCRYPTED PRIVATE KEY, PKCS#8 PBES2), kept for the owner, never opened"
)
USERNAME = 150  # django.contrib.auth
EMAIL = 254


class Clean(Schema):
    """Input (bodies, queries) whose strings carry no control or format characters, checked in
    one place (the services check again for the other doors)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        multiline = info.field_name in MULTILINE_FIELDS
        allow = LINE_BREAKS_AND_TABS if multiline else frozenset()
        for text in value if isinstance(value, list) else [value]:
            found = first_invisible(text, allow=allow) if isinstance(text, str) else None
            if found:
                allowed = (
                    "only line breaks and tabs are allowed"
                    if multiline
                    else "send plain text on one line"
                )
                raise PydanticCustomError(
                    "control_character",
                    f"contains the control or format character {describe(found)}; {allowed}",
                )
        return value


class In(Clean):
    model_config = ConfigDict(extra="forbid")


class SubjectIn(In):
    common_name: str | None = Field(default=None, max_length=NAME)
    given_name: str | None = Field(default=None, max_length=NAME)
    surname: str | None = Field(default=None, max_length=NAME)
    organization: str | None = Field(default=None, max_length=NAME)
    organizational_unit: str | None = Field(default=None, max_length=NAME)
    country: str | None = Field(
        default=None, max_length=NAME, description="Two-letter ISO 3166 code"
    )
    state_or_province: str | None = Field(default=None, max_length=NAME)
    locality: str | None = Field(default=None, max_length=NAME)


class RequestIn(In):
    email: str = Field(max_length=EMAIL)
    subject: SubjectIn = Field(default_factory=SubjectIn)
    key_source: RequestKeySource
    key_type: str | None = Field(None, max_length=16, description=_KEY_TYPE_HELP)
    csr_pem: str | None = Field(
        None, max_length=PEM_TEXT, description="PEM CSR, for key_source browser or upload"
    )
    encrypted_key: str | None = Field(
        None, max_length=ENCRYPTED_KEY_TEXT, description=_ENCRYPTED_KEY_HELP
    )
    owner: str | None = Field(
        None, max_length=USERNAME, description="Username of the owner (certificate admins only)"
    )


class SubmitIn(In):
    ca_name: str = Field(max_length=NAME)
    order_ref: str = Field("", max_length=NAME)


class RejectIn(In):
    reason: str = Field(max_length=LONG_TEXT)


class CertificateUploadIn(In):
    pem: str = Field(
        max_length=PEM_TEXT, description="The certificate and its chain as PEM, in any order"
    )
    owner: str | None = Field(
        None, max_length=USERNAME, description="Import only: username (certificate admins)"
    )


class RenewIn(In):
    key_source: RequestKeySource = RequestKeySource.SERVER
    key_type: str | None = Field(default=None, max_length=16, description=_KEY_TYPE_HELP)
    csr_pem: str | None = Field(default=None, max_length=PEM_TEXT)
    encrypted_key: str | None = Field(
        default=None, max_length=ENCRYPTED_KEY_TEXT, description=_ENCRYPTED_KEY_HELP
    )
    reuse_key: bool = Field(
        default=False, description="Sign a new CSR with the key the portal holds"
    )


class RevokeIn(In):
    reason: str = Field(
        max_length=NAME,  # Certificate.revocation_reason
        description="For example: lost device, key compromise",
    )


class Pkcs12In(In):
    password: str = Field(
        max_length=pkcs12.MAX_PASSWORD_LENGTH,
        description=f"Protects the bundle; never stored. At least {pkcs12.MIN_PASSWORD_LENGTH} "
        "characters (a copied bundle can be attacked offline).",
    )
    profile: Profile = Profile.MODERN


class TimelineItem(Schema):
    at: datetime = Field(alias="created_at")
    action: str
    actor: str = Field(alias="actor_label")
    details: dict[str, Any]


class RequestOut(Schema):
    id: int
    state: str
    owner: str
    email: str
    subject: dict[str, str]
    key_source: str
    key_type: str
    csr_pem: str
    ca_name: str
    order_ref: str
    reject_reason: str
    warnings: list[str]
    certificate_id: int | None
    renewal_of: int | None = Field(alias="renewal_of_id")
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineItem]

    @staticmethod
    def resolve_owner(req: CertificateRequest) -> str:
        return req.owner.get_username()

    @staticmethod
    def resolve_certificate_id(req: CertificateRequest) -> int | None:
        cert = getattr(req, "certificate", None)  # the reverse one-to-one raises when empty
        return cert.pk if cert is not None else None

    @staticmethod
    def resolve_timeline(req: CertificateRequest) -> list[AuditEvent]:
        loaded = getattr(req, TIMELINE, None)
        return loaded if loaded is not None else list(audit.timeline(req))


TIMELINE = "loaded_timeline"


def with_timelines(reqs: list[CertificateRequest]) -> None:
    """Load a page of requests' timelines in one query (RequestOut reads them)."""
    grouped = audit.timelines(reqs)
    for req in reqs:
        setattr(req, TIMELINE, grouped.get(str(req.pk), []))


class RevocationOut(Schema):
    status: str | None = Field(alias="revocation_status")
    reason: str | None = Field(alias="revocation_reason")
    revoked_at: datetime | None
    method: str | None = Field(alias="revocation_method")
    checked_at: datetime | None = Field(alias="revocation_checked_at")

    @field_validator("status", "reason", "method")
    @classmethod
    def _none_when_empty(cls, value: str | None) -> str | None:
        return value or None


class CertificateOut(Schema):
    id: int
    owner: str
    email: str
    emails: list[str]
    subject: str
    issuer: str
    serial_hex: str
    not_before: datetime
    not_after: datetime
    sha256_fingerprint: str
    key_usage: str
    key_type: str
    key_source: str
    has_server_key: bool
    chain_verdict: str
    chain_reason: str
    trust_anchor: str | None
    warnings: list[str]
    status: str
    superseded_by: int | None = Field(alias="superseded_by_id")
    revocation: RevocationOut
    request_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_owner(cert: Certificate) -> str:
        return cert.owner.get_username()

    @staticmethod
    def resolve_has_server_key(cert: Certificate) -> bool:
        return cert.stored_key_id is not None

    @staticmethod
    def resolve_trust_anchor(cert: Certificate) -> str | None:
        return cert.trust_anchor.name if cert.trust_anchor is not None else None

    @staticmethod
    def resolve_revocation(cert: Certificate) -> Certificate:
        return cert  # RevocationOut reads the revocation_* fields


class SupersededOut(Schema):
    id: int
    email: str
    serial_hex: str
    key_usage: str
    not_after: datetime


class CertificateChangeOut(CertificateOut):
    """A certificate just added or made current, and what that did to the owner's others."""

    superseded: list[SupersededOut] = Field(
        description="The certificates it superseded just now: for an upload, those for the same "
        "address and a use it covers that were issued earlier and are valid shorter (none: "
        "they stay live); for make-current, the ones it replaced"
    )

    @staticmethod
    def resolve_superseded(cert: Certificate, context: dict[str, Any]) -> list[Certificate]:
        superseded: list[Certificate] = context["superseded"]
        return superseded

    @classmethod
    def of(cls, cert: Certificate, superseded: Iterable[Certificate]) -> CertificateChangeOut:
        return cls.model_validate(cert, context={"superseded": list(superseded)})
