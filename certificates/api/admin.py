"""Certificate admins only: trust anchors, managed mail domains, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from certificates.api.auth import actor
from certificates.api.pagination import Page, PageParams, paginate
from certificates.api.schemas import NAME, PEM_TEXT, USERNAME, In
from certificates.models import AuditEvent, Domain, TrustAnchor
from certificates.services import anchors, audit, domains
from certificates.services.access import require_admin

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


class DomainOut(Schema):
    id: int
    name: str
    base_url: str
    dns_ttl: int
    dnssec_signed: bool
    created_at: datetime


class AuditFilters(PageParams):
    actor: str | None = Field(None, max_length=USERNAME, description="Username, or 'system'")
    action: str | None = Field(None, max_length=64, description="For example certificate.revoked")
    object: str | None = Field(
        None, max_length=129, description="TYPE or TYPE:ID, e.g. certificate:12"
    )


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


@router.get("/trust-anchors", response=Page[TrustAnchorOut], summary="Trusted roots")
def list_trust_anchors(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    require_admin(request.user)
    return paginate(TrustAnchor.objects.all(), page)


@router.post("/trust-anchors", response={201: TrustAnchorOut}, summary="Trust a root")
def add_trust_anchor(request: HttpRequest, body: TrustAnchorIn) -> Status[Any]:
    anchor = anchors.add(actor(request), body.name, body.pem.encode())
    return Status(201, anchor)


@router.delete(
    "/trust-anchors/{int:anchor_id}",
    response=AnchorRemovedOut,
    summary="Stop trusting a root; certificates that chain only to it become untrusted-root",
)
def remove_trust_anchor(request: HttpRequest, anchor_id: int) -> AnchorRemovedOut:
    anchor, untrusted = anchors.remove(actor(request), anchor_id)
    return AnchorRemovedOut(id=anchor_id, name=anchor.name, untrusted=[c.pk for c in untrusted])


@router.get("/domains", response=Page[DomainOut], summary="Managed mail domains")
def list_domains(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    require_admin(request.user)
    return paginate(Domain.objects.all(), page)


@router.post("/domains", response={201: DomainOut}, summary="Manage a mail domain")
def add_domain(request: HttpRequest, body: DomainIn) -> Status[Any]:
    domain = domains.add_domain(  # checks that the caller is an admin
        actor(request),
        body.name,
        base_url=body.base_url,
        dns_ttl=body.dns_ttl,
        dnssec_signed=body.dnssec_signed,
    )
    return Status(201, domain)


@router.delete(
    "/domains/{name}",
    response={204: None},
    summary="Stop managing a mail domain (refused while live certificates or open requests use it)",
)
def remove_domain(request: HttpRequest, name: str) -> Status[None]:
    domains.remove_domain(actor(request), name)
    return Status(204, None)


@router.get("/audit", response=Page[AuditOut], summary="Audit events, newest first")
def list_audit(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    kind, _, pk = (filters.object or "").partition(":")
    queryset = audit.search(
        request.user,
        actor=filters.actor or "",
        action=filters.action or "",
        object_type=kind,
        object_id=pk,
    )
    return paginate(queryset, filters)
