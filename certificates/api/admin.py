"""Certificate admins only: trust anchors, managed mail domains, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from certificates.api.auth import actor
from certificates.api.pagination import Page, PageParams, paginate
from certificates.api.refusals import refused
from certificates.api.schemas import NAME, PEM_TEXT, USERNAME, Clean, In
from certificates.models import AuditEvent, Domain, TrustAnchor
from certificates.responses import streamed_csv
from certificates.services import anchors, audit, csv_exports, domains
from certificates.services.access import require_admin
from certificates.services.actor import signed_in_user

router = Router(tags=["admin"])


class TrustAnchorIn(In):
    name: str = Field(
        "",
        max_length=NAME,
        description="For example 'Sectigo Client Root'; left out, the root's common name",
    )
    pem: str = Field(max_length=PEM_TEXT, description="The root certificate (PEM)")


class TrustAnchorOut(Schema):
    id: int
    name: str
    subject: str
    sha256_fingerprint: str
    not_after: datetime
    created_at: datetime
    certificates: int = Field(description="Stored certificates trusted through it")

    @staticmethod
    def resolve_certificates(anchor: TrustAnchor) -> int:
        return anchors.trusting(anchor).count()


class AnchorRemovedOut(Schema):
    id: int
    name: str
    untrusted: list[int] = Field(
        description="Certificates that chained only to it: now untrusted-root, with a warning"
    )


class DomainIn(In):
    name: str = Field(max_length=253, description="A mail domain, e.g. example.com")
    base_url: str = Field(
        "",
        max_length=200,  # Domain.base_url
        pattern=r"^(https?://\S+)?$",
        description="Public base URL serving /.well-known/smime/",
    )
    dns_ttl: int = Field(3600, ge=60, le=604800)
    dnssec_signed: bool = False
    requires_approval: bool = Field(
        False, description="New requests wait for an admin's approval before going to the CA"
    )


class DomainPatch(In):
    """The settings of a managed domain that can change (its name cannot)."""

    base_url: str | None = Field(None, max_length=200, pattern=r"^(https?://\S+)?$")
    dns_ttl: int | None = Field(None, ge=60, le=604800)
    dnssec_signed: bool | None = None
    requires_approval: bool | None = None


class DomainOut(Schema):
    id: int
    name: str
    base_url: str
    dns_ttl: int
    dnssec_signed: bool
    requires_approval: bool
    certificate_authority: str | None = Field(description="The CA its certificates come from")
    created_at: datetime

    @staticmethod
    def resolve_certificate_authority(domain: Domain) -> str | None:
        authority = domain.certificate_authority
        return authority.name if authority is not None else None


class AuditQuery(Clean):
    """The filters of audit.search, shared by the list and the CSV export."""

    actor: str | None = Field(None, max_length=USERNAME, description="Username, or 'system'")
    action: str | None = Field(None, max_length=64, description="For example certificate.revoked")
    object: str | None = Field(
        None, max_length=129, description="TYPE or TYPE:ID, e.g. certificate:12"
    )
    since: datetime | None = Field(None, description="From this time on (a date: its midnight UTC)")
    until: datetime | None = Field(
        None, description="Before this time (a date: its midnight UTC, so that day is left out)"
    )

    @field_validator("object")
    @classmethod
    def _names_an_object(cls, value: str | None) -> str | None:
        kind, _, pk = (value or "").partition(":")
        problem = audit.object_id_problem(kind, pk)
        if problem:
            raise PydanticCustomError("object_id", problem)
        return value

    def search_filters(self) -> dict[str, Any]:
        kind, _, pk = (self.object or "").partition(":")
        return {
            "actor": self.actor or "",
            "action": self.action or "",
            "object_type": kind,
            "object_id": pk,
            "since": self.since,
            "until": self.until,
        }


class AuditFilters(PageParams, AuditQuery):
    pass


class AuditOut(Schema):
    id: int
    at: datetime = Field(alias="created_at")
    actor: str = Field(alias="actor_label")
    action: str
    object: str = Field(description="TYPE:ID, the form ?object= takes")
    object_repr: str
    ip: str | None
    details: dict[str, Any]

    @staticmethod
    def resolve_object(event: AuditEvent) -> str:
        return f"{event.object_type}:{event.object_id}" if event.object_type else ""


@router.get(
    "/trust-anchors", response={200: Page[TrustAnchorOut], **refused(403)}, summary="Trusted roots"
)
def list_trust_anchors(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    require_admin(request.user)
    return paginate(TrustAnchor.objects.all(), page)


@router.post(
    "/trust-anchors", response={201: TrustAnchorOut, **refused(403, 409)}, summary="Trust a root"
)
def add_trust_anchor(request: HttpRequest, body: TrustAnchorIn) -> Status[Any]:
    anchor = anchors.add(actor(request), body.name, body.pem.encode())
    return Status(201, anchor)


@router.delete(
    "/trust-anchors/{int:anchor_id}",
    response={200: AnchorRemovedOut, **refused(403)},
    summary="Stop trusting a root; certificates that chain only to it become untrusted-root",
)
def remove_trust_anchor(request: HttpRequest, anchor_id: int) -> AnchorRemovedOut:
    anchor, untrusted = anchors.remove(actor(request), anchor_id)
    return AnchorRemovedOut(id=anchor_id, name=anchor.name, untrusted=[c.pk for c in untrusted])


@router.get(
    "/domains", response={200: Page[DomainOut], **refused(403)}, summary="Managed mail domains"
)
def list_domains(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    require_admin(request.user)
    return paginate(Domain.objects.select_related("certificate_authority"), page)


@router.post(
    "/domains", response={201: DomainOut, **refused(403, 409)}, summary="Manage a mail domain"
)
def add_domain(request: HttpRequest, body: DomainIn) -> Status[Any]:
    domain = domains.add_domain(  # checks that the caller is an admin
        actor(request),
        body.name,
        base_url=body.base_url,
        dns_ttl=body.dns_ttl,
        dnssec_signed=body.dnssec_signed,
        requires_approval=body.requires_approval,
    )
    return Status(201, domain)


@router.patch(
    "/domains/{name}",
    response={200: DomainOut, **refused(403)},
    summary="Change a managed domain's settings",
)
def change_domain(request: HttpRequest, name: str, body: DomainPatch) -> Domain:
    domain = domains.get_domain(signed_in_user(request), name)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return domains.change_domain(actor(request), domain, **changes) if changes else domain


@router.delete(
    "/domains/{name}",
    response={204: None, **refused(403, 409)},
    summary="Stop managing a mail domain (refused while live certificates or open requests use it)",
)
def remove_domain(request: HttpRequest, name: str) -> Status[None]:
    domains.remove_domain(actor(request), name)
    return Status(204, None)


@router.get(
    "/audit", response={200: Page[AuditOut], **refused(403)}, summary="Audit events, newest first"
)
def list_audit(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    return paginate(audit.search(signed_in_user(request), **filters.search_filters()), filters)


@router.get(
    "/audit/export.csv",
    response={200: None, **refused(403)},
    summary="The audit events the same filters find, as CSV (streamed)",
    openapi_extra={"responses": {200: {"description": "OK", "content": {"text/csv": {}}}}},
)
def export_audit(request: HttpRequest, filters: Query[AuditQuery]) -> StreamingHttpResponse:
    lines = csv_exports.audit_csv(signed_in_user(request), **filters.search_filters())
    return streamed_csv(lines, "audit.csv")
