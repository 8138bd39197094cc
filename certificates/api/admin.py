"""Certificate admins only: trust anchors, managed mail domains, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from certificates.api.auth import actor
from certificates.api.pagination import Page, PageParams, each, paginate
from certificates.api.schemas import NAME, PEM_TEXT, USERNAME, In
from certificates.models import AuditEvent, Domain, TrustAnchor
from certificates.services import anchors, audit, domains
from certificates.services.access import require_admin

router = Router(tags=["admin"])


class TrustAnchorIn(In):
    name: str = Field(max_length=NAME, description="For example 'Sectigo Client Root'")
    pem: str = Field(max_length=PEM_TEXT, description="The root certificate (PEM)")


class TrustAnchorOut(Schema):
    id: int
    name: str
    subject: str
    sha256_fingerprint: str
    not_after: datetime
    created_at: datetime


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
    at: datetime
    actor: str
    action: str
    object: str = Field(description="TYPE:ID, the form ?object= takes")
    object_repr: str
    ip: str | None
    details: dict[str, Any]


def anchor_out(anchor: TrustAnchor) -> dict[str, Any]:
    fields = ("id", "name", "subject", "sha256_fingerprint", "not_after", "created_at")
    return {f: getattr(anchor, f) for f in fields}


def domain_out(domain: Domain) -> dict[str, Any]:
    fields = ("id", "name", "base_url", "dns_ttl", "dnssec_signed", "created_at")
    return {f: getattr(domain, f) for f in fields}


def audit_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.created_at,
        "actor": event.actor_label,
        "action": event.action,
        "object": f"{event.object_type}:{event.object_id}" if event.object_type else "",
        "object_repr": event.object_repr,
        "ip": event.ip,
        "details": event.details,
    }


@router.get("/trust-anchors", response=Page[TrustAnchorOut], summary="Trusted roots")
def list_trust_anchors(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    require_admin(request.user)
    return paginate(TrustAnchor.objects.all(), page, each(anchor_out))


@router.post("/trust-anchors", response={201: TrustAnchorOut}, summary="Trust a root")
def add_trust_anchor(request: HttpRequest, body: TrustAnchorIn) -> Status[Any]:
    anchor = anchors.add(actor(request), body.name, body.pem.encode())
    return Status(201, anchor_out(anchor))


@router.get("/domains", response=Page[DomainOut], summary="Managed mail domains")
def list_domains(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    require_admin(request.user)
    return paginate(Domain.objects.all(), page, each(domain_out))


@router.post("/domains", response={201: DomainOut}, summary="Manage a mail domain")
def add_domain(request: HttpRequest, body: DomainIn) -> Status[Any]:
    domain = domains.add_domain(  # checks that the caller is an admin
        actor(request),
        body.name,
        base_url=body.base_url,
        dns_ttl=body.dns_ttl,
        dnssec_signed=body.dnssec_signed,
    )
    return Status(201, domain_out(domain))


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
    return paginate(queryset, filters, each(audit_out))
