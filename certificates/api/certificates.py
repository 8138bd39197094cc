"""/api/v1/certificates: import, list, read, download, PKCS#12, renew, revoke, make current,
check revocation now."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from certificates.api import uploads
from certificates.api.auth import actor, require_scope
from certificates.api.pagination import Page, PageParams, paginate
from certificates.api.schemas import (
    EMAIL,
    CertificateChangeOut,
    CertificateOut,
    Pkcs12In,
    RenewIn,
    RequestOut,
    RevokeIn,
)
from certificates.models import Certificate
from certificates.models.certificates import CertificateStatus
from certificates.models.tokens import TokenScope
from certificates.responses import attachment
from certificates.services import (
    access,
    certificate_lists,
    downloads,
    export,
    issuance,
    revocation,
    supersession,
)
from certificates.services import requests as requests_service

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


@router.post(
    "",
    response={201: CertificateChangeOut},
    summary="Import a certificate issued elsewhere (JSON pem or multipart file)",
    openapi_extra=uploads.OPENAPI_BODY,
)
def import_certificate(request: HttpRequest) -> Status[Any]:
    upload = uploads.read_certificate_upload(request)
    user = request.user
    owner = access.owner_for(user, upload.owner)
    cert = issuance.import_certificate(actor(request), owner, upload.data)
    return Status(201, CertificateChangeOut.of(cert, supersession.superseded_by_adding(cert)))


@router.get("", response=Page[CertificateOut], summary="List certificates")
def list_certificates(request: HttpRequest, filters: Query[CertificateFilters]) -> dict[str, Any]:
    queryset = certificate_lists.search(
        request.user,
        status=filters.status,
        expires_before=filters.expires_before,
        email=filters.email,
    )
    return paginate(queryset.select_related("trust_anchor"), filters)


@router.get("/{int:certificate_id}", response=CertificateOut, summary="One certificate")
def get_certificate(request: HttpRequest, certificate_id: int) -> Certificate:
    return access.get_certificate(request.user, certificate_id)


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
    require_scope(request, TokenScope.KEYS_EXPORT)
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
        encrypted_key=body.encrypted_key,
    )
    return Status(201, created)


@router.post("/{int:certificate_id}/revoke", response=CertificateOut, summary="Declare revoked")
def revoke(request: HttpRequest, certificate_id: int, body: RevokeIn) -> Certificate:
    cert = access.get_certificate(request.user, certificate_id)
    return issuance.declare_revoked(actor(request), cert, body.reason)


@router.post(
    "/{int:certificate_id}/make-current",
    response=CertificateChangeOut,
    summary="Make this live certificate the current one for its address and use; the ones it "
    "replaces become superseded (owner or admin)",
)
def make_current(request: HttpRequest, certificate_id: int) -> CertificateChangeOut:
    cert = access.get_certificate(request.user, certificate_id)
    replaced = supersession.make_current(actor(request), cert)
    return CertificateChangeOut.of(access.get_certificate(request.user, cert.pk), replaced)


@router.post(
    "/{int:certificate_id}/check-revocation",
    response=RevocationCheckOut,
    summary="Check revocation now: OCSP first, then the CRL (unknown is never read as good)",
)
def check_revocation(request: HttpRequest, certificate_id: int) -> RevocationCheckOut:
    cert = access.get_certificate(request.user, certificate_id)
    check = revocation.check_now(actor(request), cert)
    return RevocationCheckOut(
        status=check.status,
        method=check.method or None,
        checked_at=check.checked_at,
        detail=check.detail,
    )
