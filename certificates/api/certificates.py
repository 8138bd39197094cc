"""/api/v1/certificates: import, list, read, download, PKCS#12, renew, revoke, make current,
check revocation now."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Field, Query, Router, Schema, Status

from certificates.api import uploads
from certificates.api.auth import actor, require_scope
from certificates.api.pagination import Page, PageParams, paginate
from certificates.api.refusals import refused
from certificates.api.schemas import (
    EMAIL,
    NAME,
    CertificateChangeOut,
    CertificateOut,
    Clean,
    Pkcs12In,
    RenewIn,
    RequestOut,
    RevokeIn,
)
from certificates.models import Certificate
from certificates.models.certificates import CertificateStatus
from certificates.models.keys import KeySource
from certificates.models.tokens import TokenScope
from certificates.pki.revocation import Method, RevocationStatus
from certificates.responses import attachment, streamed_csv
from certificates.services import (
    access,
    certificate_lists,
    csv_exports,
    downloads,
    export,
    issuance,
    revocation,
    supersession,
)
from certificates.services import requests as requests_service
from certificates.services.actor import signed_in_user
from certificates.services.certificate_lists import RevocationFilter, Sort

router = Router(tags=["certificates"])


class CertificateQuery(Clean):
    """The filters of certificate_lists.search, shared by the list and the CSV export."""

    q: str | None = Field(
        None,
        max_length=NAME,
        description="A name or address (subject, address, username), or the first hex digits "
        "of a serial number or SHA-256 fingerprint",
    )
    status: CertificateStatus | None = None
    domain: str | None = Field(None, max_length=253, description="Mail domain of the address")
    issuer: str | None = Field(None, max_length=NAME, description="Part of the issuer's name")
    key_source: KeySource | None = None
    expiring_within: int | None = Field(
        None,
        ge=1,
        le=certificate_lists.MAX_WITHIN_DAYS,
        description="Days: only certificates whose end is that close",
    )
    revocation: RevocationFilter | None = Field(
        None, description="Result of the last revocation check; unchecked: none yet"
    )
    expires_before: datetime | None = Field(None, description="ISO date or date-time (UTC)")
    email: str | None = Field(
        None, max_length=EMAIL, description="Address, matched case-insensitively"
    )
    sort: Sort = Sort.NEWEST

    def search_filters(self) -> dict[str, Any]:
        return self.model_dump(include=set(CertificateQuery.model_fields))


class CertificateFilters(PageParams, CertificateQuery):
    pass


class RevocationCheckOut(Schema):
    status: RevocationStatus
    method: Method | None
    checked_at: datetime
    detail: str = Field(description="What the responder or CRL said, or why there is no answer")


class DownloadParams(Schema):
    format: Literal["pem", "der", "chain", "p7b"] = "pem"


@router.post(
    "",
    response={201: CertificateChangeOut, **refused(403, 404, 409)},
    summary="Import a certificate issued elsewhere (JSON pem or multipart file)",
    openapi_extra=uploads.OPENAPI_BODY,
)
def import_certificate(request: HttpRequest) -> Status[Any]:
    upload = uploads.read_certificate_upload(request)
    user = signed_in_user(request)
    owner = access.owner_for(user, upload.owner)
    cert = issuance.import_certificate(actor(request), owner, upload.data)
    return Status(201, CertificateChangeOut.of(cert, supersession.superseded_by_adding(cert)))


@router.get("", response=Page[CertificateOut], summary="List certificates (filtered, sorted)")
def list_certificates(request: HttpRequest, filters: Query[CertificateFilters]) -> dict[str, Any]:
    queryset = certificate_lists.search(signed_in_user(request), **filters.search_filters())
    return paginate(queryset.select_related("trust_anchor"), filters)


@router.get(
    "/export.csv",
    response={200: None, **refused(403)},
    summary="Admins: the certificates the same filters find, as CSV (streamed)",
    openapi_extra={"responses": {200: {"description": "OK", "content": {"text/csv": {}}}}},
)
def export_certificates(
    request: HttpRequest, filters: Query[CertificateQuery]
) -> StreamingHttpResponse:
    lines = csv_exports.certificates_csv(signed_in_user(request), **filters.search_filters())
    return streamed_csv(lines, "certificates.csv")


@router.get("/{int:certificate_id}", response=CertificateOut, summary="One certificate")
def get_certificate(request: HttpRequest, certificate_id: int) -> Certificate:
    return access.get_certificate(signed_in_user(request), certificate_id)


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
    cert = access.get_certificate(signed_in_user(request), certificate_id)
    file = downloads.certificate_file(cert, params.format)
    return attachment(file.content, file.content_type, file.filename)


@router.post(
    "/{int:certificate_id}/pkcs12",
    response={200: None, **refused(403, 409)},
    summary="Key, certificate and chain as PKCS#12 (owner, token scope keys:export)",
    openapi_extra={
        "responses": {200: {"description": "OK", "content": {"application/x-pkcs12": {}}}}
    },
)
def pkcs12(request: HttpRequest, certificate_id: int, body: Pkcs12In) -> HttpResponse:
    require_scope(request, TokenScope.KEYS_EXPORT)
    cert = access.get_certificate(signed_in_user(request), certificate_id)
    data = export.export_pkcs12(actor(request), cert, body.password, body.profile)
    return attachment(data, "application/x-pkcs12", export.pkcs12_filename(cert, body.profile))


@router.post(
    "/{int:certificate_id}/renew",
    response={201: RequestOut, **refused(409)},
    summary="A new request pre-filled from this certificate (new key by default)",
)
def renew(request: HttpRequest, certificate_id: int, body: RenewIn | None = None) -> Status[Any]:
    body = body or RenewIn()
    cert = access.get_certificate(signed_in_user(request), certificate_id)
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


@router.post(
    "/{int:certificate_id}/revoke",
    response={200: CertificateOut, **refused(409)},
    summary="Declare revoked",
)
def revoke(request: HttpRequest, certificate_id: int, body: RevokeIn) -> Certificate:
    cert = access.get_certificate(signed_in_user(request), certificate_id)
    return issuance.declare_revoked(actor(request), cert, body.reason)


@router.post(
    "/{int:certificate_id}/make-current",
    response={200: CertificateChangeOut, **refused(409)},
    summary="Make this live certificate the current one for its address and use; the ones it "
    "replaces become superseded (owner or admin)",
)
def make_current(request: HttpRequest, certificate_id: int) -> CertificateChangeOut:
    cert = access.get_certificate(signed_in_user(request), certificate_id)
    replaced = supersession.make_current(actor(request), cert)
    return CertificateChangeOut.of(
        access.get_certificate(signed_in_user(request), cert.pk), replaced
    )


@router.post(
    "/{int:certificate_id}/check-revocation",
    response=RevocationCheckOut,
    summary="Check revocation now: OCSP first, then the CRL (unknown is never read as good)",
)
def check_revocation(request: HttpRequest, certificate_id: int) -> RevocationCheckOut:
    cert = access.get_certificate(signed_in_user(request), certificate_id)
    check = revocation.check_now(actor(request), cert)
    return RevocationCheckOut(
        status=RevocationStatus(check.status),
        method=Method(check.method) if check.method else None,
        checked_at=check.checked_at,
        detail=check.detail,
    )
