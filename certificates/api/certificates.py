"""/api/v1/certificates: import, list, read, download, PKCS#12, renew, revoke, check now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from certificates.api import uploads
from certificates.api.auth import actor, require_scope
from certificates.api.pagination import Page, PageParams, each, paginate
from certificates.api.schemas import (
    EMAIL,
    CertificateOut,
    Pkcs12In,
    RenewIn,
    RequestOut,
    RevokeIn,
    certificate_out,
    request_out,
)
from certificates.models import Certificate
from certificates.models.certificates import CertificateStatus
from certificates.services import access, downloads, export, issuance, revocation
from certificates.services import requests as requests_service
from portal.responses import attachment

router = Router(tags=["certificates"])


class CertificateFilters(PageParams):
    status: CertificateStatus | None = None
    expires_before: datetime | None = Field(None, description="ISO date or date-time (UTC)")
    email: str | None = Field(
        None, max_length=EMAIL, description="Address, matched case-insensitively"
    )


class RevocationCheckOut(Schema):
    status: Literal["good", "revoked", "unknown"]
    method: Literal["ocsp", "crl"] | None
    checked_at: datetime
    detail: str = Field(description="What the responder or CRL said, or why there is no answer")


class DownloadParams(Schema):
    format: Literal["pem", "der", "chain", "p7b"] = "pem"


def _visible(request: HttpRequest) -> QuerySet[Certificate]:
    return access.visible_certificates(request.user).select_related("trust_anchor")


@router.post(
    "",
    response={201: CertificateOut},
    summary="Import a certificate issued elsewhere (JSON pem or multipart file)",
    openapi_extra=uploads.OPENAPI_BODY,
)
def import_certificate(request: HttpRequest) -> Status[Any]:
    upload = uploads.read_certificate_upload(request)
    user = request.user
    owner = access.owner_for(user, upload.owner)
    cert = issuance.import_certificate(actor(request), owner, upload.data)
    return Status(201, certificate_out(cert))


@router.get("", response=Page[CertificateOut], summary="List certificates")
def list_certificates(request: HttpRequest, filters: Query[CertificateFilters]) -> dict[str, Any]:
    queryset = _visible(request)
    if filters.status:
        queryset = queryset.filter(issuance.status_query(filters.status, timezone.now()))
    if filters.expires_before:
        moment = filters.expires_before
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        queryset = queryset.filter(not_after__lt=moment)
    if filters.email:
        queryset = queryset.filter(email__iexact=filters.email.strip())
    return paginate(queryset, filters, each(certificate_out))


@router.get("/{int:certificate_id}", response=CertificateOut, summary="One certificate")
def get_certificate(request: HttpRequest, certificate_id: int) -> dict[str, Any]:
    return certificate_out(access.get_certificate(request.user, certificate_id))


@router.get(
    "/{int:certificate_id}/download",
    response={200: None},
    summary="The certificate (pem, der), its issuing chain (chain) or both as PKCS#7 (p7b)",
    openapi_extra={
        "responses": {
            200: {
                "description": "OK",
                "content": {ctype: {} for ctype, _ in downloads.FORMATS.values()},
            }
        }
    },
)
def download(
    request: HttpRequest, certificate_id: int, params: Query[DownloadParams]
) -> HttpResponse:
    cert = access.get_certificate(request.user, certificate_id)
    file = downloads.certificate_file(cert, params.format)
    return attachment(file.content, file.content_type, file.filename)


@router.post(
    "/{int:certificate_id}/pkcs12",
    response={200: None},
    summary="Key, certificate and chain as PKCS#12 (owner, token scope keys:export)",
    openapi_extra={
        "responses": {200: {"description": "OK", "content": {"application/x-pkcs12": {}}}}
    },
)
def pkcs12(request: HttpRequest, certificate_id: int, body: Pkcs12In) -> HttpResponse:
    require_scope(request, "keys:export")
    cert = access.get_certificate(request.user, certificate_id)
    data = export.export_pkcs12(actor(request), cert, body.password, body.profile)
    return attachment(data, "application/x-pkcs12", export.pkcs12_filename(cert, body.profile))


@router.post(
    "/{int:certificate_id}/renew",
    response={201: RequestOut},
    summary="A new request pre-filled from this certificate (new key by default)",
)
def renew(request: HttpRequest, certificate_id: int, body: RenewIn | None = None) -> Status[Any]:
    body = body or RenewIn()
    cert = access.get_certificate(request.user, certificate_id)
    created = requests_service.renew(
        actor(request),
        cert,
        key_source=body.key_source,
        key_type=body.key_type,
        csr_pem=body.csr_pem,
        reuse_key=body.reuse_key,
    )
    return Status(201, request_out(created))


@router.post("/{int:certificate_id}/revoke", response=CertificateOut, summary="Declare revoked")
def revoke(request: HttpRequest, certificate_id: int, body: RevokeIn) -> dict[str, Any]:
    cert = access.get_certificate(request.user, certificate_id)
    return certificate_out(issuance.declare_revoked(actor(request), cert, body.reason))


@router.post(
    "/{int:certificate_id}/check-revocation",
    response=RevocationCheckOut,
    summary="Check revocation now: OCSP first, then the CRL (unknown is never read as good)",
)
def check_revocation(request: HttpRequest, certificate_id: int) -> dict[str, Any]:
    cert = access.get_certificate(request.user, certificate_id)
    check = revocation.check_now(actor(request), cert)
    return {
        "status": check.status,
        "method": check.method or None,
        "checked_at": check.checked_at,
        "detail": check.detail,
    }
