"""The API's JSON shapes: what callers send (``*In``) and what they get back (``*Out``).

Input schemas forbid unknown fields, so a typo such as ``commonName`` is a 422 naming the field
instead of a silently ignored value. Output schemas are built from model rows by the
``*_out`` functions at the bottom, so every endpoint answers the same shape for an object.
Shapes only one router uses (tokens, admin objects) live in that router's module.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from certificates.models import AuditEvent, Certificate, CertificateRequest
from certificates.pki.keys import KEY_TYPES
from certificates.services import audit
from certificates.services.issuance import status_at

_KEY_TYPE_HELP = f"One of {', '.join(KEY_TYPES)}; server keys only (a CSR carries its own)."


# Fields that hold PEM text keep their line breaks; everywhere else a control character is
# a mistake (and NUL is refused by PostgreSQL as a 500 instead of a 422).
MULTILINE_FIELDS = frozenset({"csr_pem", "pem", "encrypted_key"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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
    """Input (bodies, queries) whose strings carry no control characters, checked in one place."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        pattern = _CONTROL_MULTILINE if info.field_name in MULTILINE_FIELDS else _CONTROL
        for text in value if isinstance(value, list) else [value]:
            found = pattern.search(text) if isinstance(text, str) else None
            if found:
                allowed = (
                    "only line breaks and tabs are allowed"
                    if info.field_name in MULTILINE_FIELDS
                    else "send plain text on one line"
                )
                raise PydanticCustomError(
                    "control_character",
                    f"contains the control character U+{ord(found.group()):04X}; {allowed}",
                )
        return value


class In(Clean):
    model_config = ConfigDict(extra="forbid")


class SubjectIn(In):
    common_name: str | None = Field(None, max_length=NAME)
    given_name: str | None = Field(None, max_length=NAME)
    surname: str | None = Field(None, max_length=NAME)
    organization: str | None = Field(None, max_length=NAME)
    organizational_unit: str | None = Field(None, max_length=NAME)
    country: str | None = Field(None, max_length=NAME, description="Two-letter ISO 3166 code")
    state_or_province: str | None = Field(None, max_length=NAME)
    locality: str | None = Field(None, max_length=NAME)


class RequestIn(In):
    email: str = Field(max_length=EMAIL)
    subject: SubjectIn = Field(default_factory=SubjectIn)
    key_source: Literal["server", "browser", "upload"]
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
    key_source: Literal["server", "browser", "upload"] = "server"
    key_type: str | None = Field(None, max_length=16, description=_KEY_TYPE_HELP)
    csr_pem: str | None = Field(None, max_length=PEM_TEXT)
    encrypted_key: str | None = Field(
        None, max_length=ENCRYPTED_KEY_TEXT, description=_ENCRYPTED_KEY_HELP
    )
    reuse_key: bool = Field(False, description="Sign a new CSR with the key the portal holds")


class RevokeIn(In):
    reason: str = Field(
        max_length=NAME,  # Certificate.revocation_reason
        description="For example: lost device, key compromise",
    )


class Pkcs12In(In):
    password: str = Field(max_length=1024, description="Protects the bundle; never stored")
    profile: Literal["modern", "legacy"] = "modern"


class TimelineItem(Schema):
    at: datetime
    action: str
    actor: str
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
    renewal_of: int | None
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineItem]


class RevocationOut(Schema):
    status: str | None
    reason: str | None
    revoked_at: datetime | None
    method: str | None
    checked_at: datetime | None


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
    superseded_by: int | None
    revocation: RevocationOut
    request_id: int | None
    created_at: datetime


def _timelines(reqs: list[CertificateRequest]) -> dict[str, list[dict[str, Any]]]:
    """audit.timeline() for many requests in one query (a list page would otherwise do one each)."""
    if len(reqs) == 1:
        events: Iterable[AuditEvent] = audit.timeline(reqs[0])
    else:
        events = AuditEvent.objects.filter(
            object_type=CertificateRequest._meta.model_name,
            object_id__in=[str(r.pk) for r in reqs],
        ).order_by("created_at", "id")
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        grouped[e.object_id].append(
            {"at": e.created_at, "action": e.action, "actor": e.actor_label, "details": e.details}
        )
    return grouped


def requests_out(reqs: Iterable[CertificateRequest]) -> list[dict[str, Any]]:
    reqs = list(reqs)
    certificates = dict(
        Certificate.objects.filter(request__in=reqs).values_list("request_id", "pk")
    )
    timelines = _timelines(reqs) if reqs else {}
    return [
        {
            "id": req.pk,
            "state": req.state,
            "owner": req.owner.get_username(),
            "email": req.email,
            "subject": req.subject,
            "key_source": req.key_source,
            "key_type": req.key_type,
            "csr_pem": req.csr_pem,
            "ca_name": req.ca_name,
            "order_ref": req.order_ref,
            "reject_reason": req.reject_reason,
            "warnings": req.warnings,
            "certificate_id": certificates.get(req.pk),
            "renewal_of": req.renewal_of_id,
            "created_at": req.created_at,
            "updated_at": req.updated_at,
            "timeline": timelines.get(str(req.pk), []),
        }
        for req in reqs
    ]


def request_out(req: CertificateRequest) -> dict[str, Any]:
    return requests_out([req])[0]


def certificate_out(cert: Certificate) -> dict[str, Any]:
    return {
        "id": cert.pk,
        "owner": cert.owner.get_username(),
        "email": cert.email,
        "emails": cert.emails,
        "subject": cert.subject,
        "issuer": cert.issuer,
        "serial_hex": cert.serial_hex,
        "not_before": cert.not_before,
        "not_after": cert.not_after,
        "sha256_fingerprint": cert.sha256_fingerprint,
        "key_usage": cert.key_usage,
        "key_type": cert.key_type,
        "key_source": cert.key_source,
        "has_server_key": cert.stored_key_id is not None,
        "chain_verdict": cert.chain_verdict,
        "chain_reason": cert.chain_reason,
        "trust_anchor": cert.trust_anchor.name if cert.trust_anchor else None,
        "warnings": cert.warnings,
        # Time moves on between background sweeps; report what is true now.
        "status": status_at(cert, timezone.now()),
        "superseded_by": cert.superseded_by_id,
        "revocation": {
            "status": cert.revocation_status or None,
            "reason": cert.revocation_reason or None,
            "revoked_at": cert.revoked_at,
            "method": cert.revocation_method or None,
            "checked_at": cert.revocation_checked_at,
        },
        "request_id": cert.request_id,
        "created_at": cert.created_at,
    }
