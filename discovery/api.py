"""/api/v1: publish and withdraw certificates, a domain's zone snippet, live DNS checks, and the
sender-side lookup of anyone's certificate.

Mounted on the portal's API (portal/api.py), with its bearer auth and error contract.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema, Status

from certificates.api.auth import actor
from certificates.api.refusals import refused
from certificates.api.schemas import EMAIL, Clean, In
from certificates.services import access
from certificates.services.actor import signed_in_user
from certificates.services.domains import get_domain
from certificates.services.errors import NotFound
from discovery import lookup, recipient
from discovery.models import Publication
from discovery.services import lookup as lookups
from discovery.services import published, publishing, verification

router = Router(tags=["publishing"])


class PublishIn(In):
    follow_renewals: bool = Field(
        default=True,
        description="Publish this certificate's renewal in its place when it is issued",
    )


class RecordOut(Schema):
    name: str = Field(description="Owner name, absolute")
    type: str
    ttl: int
    value: str = Field(description="RDATA as in a zone file")
    in_zone: bool = Field(description="Whether the domain's settings put it into its zone")


class CheckOut(Schema):
    name: str
    type: str
    value: str
    status: str = Field(description="ok, missing, mismatch or error")
    authenticated: bool | None = Field(description="DNSSEC-authenticated answer (AD bit)")
    detail: str


class PushOut(Schema):
    ok: bool
    detail: str
    at: datetime


class PublicationOut(Schema):
    certificate_id: int
    email: str
    url: str = Field(description="The certificate (DER) under /.well-known/smime/")
    pem_url: str
    records: list[RecordOut]
    follow_renewals: bool
    published_at: datetime
    dns_state: str = Field(description="unknown, ok or problem")
    dns_checked_at: datetime | None
    checks: list[CheckOut]
    push: PushOut | None = Field(description="The last RFC 2136 update, if the domain has one")
    replaced_certificate_id: int | None = Field(
        default=None,
        description="On publish: the certificate for the same address that was published until "
        "now and is withdrawn by this call (no confirmation is asked, even when it was valid "
        "longer); null otherwise",
    )


class VerifiedPublicationOut(Schema):
    certificate_id: int
    email: str
    dns_state: str
    checks: list[CheckOut]


class DomainVerifyOut(Schema):
    domain: str
    publications: list[VerifiedPublicationOut]


def publication_out(publication: Publication) -> dict[str, Any]:
    cert, domain = publication.certificate, publication.domain
    push = None
    if publication.pushed_at is not None:
        push = {
            "ok": publication.push_ok,
            "detail": publication.push_detail,
            "at": publication.pushed_at,
        }
    return {
        "certificate_id": cert.pk,
        "email": cert.email,
        "url": published.url(cert, domain),
        "pem_url": published.url(cert, domain, ".pem"),
        "records": published.listed_records(cert, domain),
        "follow_renewals": publication.follow_renewals,
        "published_at": publication.published_at,
        "dns_state": publication.dns_state,
        "dns_checked_at": publication.dns_checked_at,
        "checks": publication.dns_checks,
        "push": push,
    }


def _publication(request: HttpRequest, certificate_id: int) -> Publication:
    cert = access.get_certificate(signed_in_user(request), certificate_id)
    publication = publishing.publication_of(cert)
    if publication is None:
        raise NotFound(
            f"Certificate #{cert.pk} is not published; publish it with "
            f"POST /api/v1/certificates/{cert.pk}/publish."
        )
    return publication


@router.post(
    "/certificates/{int:certificate_id}/publish",
    response={200: PublicationOut, **refused(409)},
    summary="Publish for discovery: /.well-known/smime/, TXT and SMIMEA records",
)
def publish(
    request: HttpRequest, certificate_id: int, body: PublishIn | None = None
) -> dict[str, Any]:
    body = body or PublishIn()
    cert = access.get_certificate(signed_in_user(request), certificate_id)
    publication, replaced = publishing.publish_replacing(
        actor(request), cert, follow_renewals=body.follow_renewals
    )
    return {**publication_out(publication), "replaced_certificate_id": replaced and replaced.pk}


@router.delete(
    "/certificates/{int:certificate_id}/publish",
    response={204: None, **refused(409)},
    summary="Withdraw the publication",
)
def withdraw(request: HttpRequest, certificate_id: int) -> Status[None]:
    publication = _publication(request, certificate_id)
    publishing.withdraw_by_request(actor(request), publication.certificate)
    return Status(204, None)


@router.get(
    "/certificates/{int:certificate_id}/publication",
    response=PublicationOut,
    summary="Where and how the certificate is published, and the last DNS check",
)
def get_publication(request: HttpRequest, certificate_id: int) -> dict[str, Any]:
    return publication_out(_publication(request, certificate_id))


@router.get(
    "/domains/{name}/zone",
    response={200: None, **refused(403)},
    summary="Zone snippet: every published record and the suggested CAA (admin)",
    openapi_extra={"responses": {200: {"description": "OK", "content": {"text/plain": {}}}}},
)
def zone(request: HttpRequest, name: str) -> HttpResponse:
    domain = get_domain(signed_in_user(request), name)
    return HttpResponse(published.zone_text(domain), content_type="text/plain; charset=utf-8")


@router.post(
    "/domains/{name}/verify",
    response={200: DomainVerifyOut, **refused(403)},
    summary="Check every published record of the domain in live DNS now (admin)",
)
def verify(request: HttpRequest, name: str) -> dict[str, Any]:
    domain = get_domain(signed_in_user(request), name)
    done = verification.verify_domain(actor(request), domain)
    return {
        "domain": domain.name,
        "publications": [
            {
                "certificate_id": p.certificate_id,
                "email": p.certificate.email,
                "dns_state": verification.state_of(checks),
                "checks": [c.as_dict() for c in checks],
            }
            for p, checks in done
        ],
    }


class LookupParams(Clean):
    email: str = Field(max_length=EMAIL, description="Anyone's address, e.g. jane@example.org")


class LookupStepOut(Schema):
    step: lookup.StepName
    status: lookup.Status
    asked: str = Field(description="The DNS name or the URL asked")
    detail: str
    authenticated: bool | None = Field(description="DNSSEC-authenticated answer (AD bit)")
    found: list[str] = Field(description="The values DNS held, shortened")
    warnings: list[str]


class FoundCertificateOut(Schema):
    subject: str
    issuer: str
    serial_hex: str
    not_before: datetime
    not_after: datetime
    emails: list[str]
    key: str
    key_usage: str = Field(description="signing, encryption, both or none")
    sha256_fingerprint: str
    sha1_fingerprint: str
    spki_sha256: str
    pem: str | None = Field(
        description="The certificate, parsed and written out again; only when it is usable"
    )


class LookupOut(Schema):
    email: str
    usable: bool = Field(description="An S/MIME certificate for the address, valid now")
    dnssec: bool = Field(description="An SMIMEA record in a DNSSEC-authenticated answer matches it")
    summary: str
    steps: list[LookupStepOut] = Field(description="txt, certificate and smimea, in that order")
    certificate: FoundCertificateOut | None = Field(description="What was found, usable or not")


def lookup_out(result: lookup.Result) -> dict[str, Any]:
    found = None
    if result.certificate is not None:
        found = asdict(recipient.details(result.certificate))
        found["pem"] = found["pem"] if result.usable else None
    return {
        "email": result.email,
        "usable": result.usable,
        "dnssec": result.vouched,
        "summary": result.summary,
        "steps": [{**asdict(step), "step": step.name} for step in result.steps],
        "certificate": found,
    }


@router.get(
    "/discovery",
    response={200: LookupOut, **refused(429)},
    summary="Sender-side lookup: TXT, the certificate at its URL, SMIMEA match, DNSSEC status",
)
def discovery(request: HttpRequest, params: Query[LookupParams]) -> Any:
    try:
        result = lookups.look_up(actor(request), params.email)
    except lookups.TooManyLookups as exc:
        response = JsonResponse({"detail": exc.detail}, status=exc.status)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return lookup_out(result)
