"""/api/v1/requests: certificate requests and their state transitions (models.requests)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from certificates.api import uploads
from certificates.api.auth import actor
from certificates.api.pagination import Page, PageParams, paginate
from certificates.api.refusals import refused
from certificates.api.schemas import (
    CertificateChangeOut,
    RejectIn,
    RequestIn,
    RequestOut,
    SubmitIn,
    with_timelines,
)
from certificates.models import CertificateRequest
from certificates.models.requests import RequestState
from certificates.responses import attachment
from certificates.services import access, browser_keys, issuance, supersession
from certificates.services import requests as service
from certificates.services.actor import signed_in_user
from certificates.services.errors import Invalid

router = Router(tags=["requests"])


class RequestFilters(PageParams):
    state: RequestState | None = None


@router.post(
    "",
    response={201: RequestOut, **refused(403, 404)},
    summary="Create a request (server key or CSR)",
)
def create_request(request: HttpRequest, body: RequestIn) -> Status[Any]:
    user = signed_in_user(request)
    owner = access.owner_for(user, body.owner)
    created = service.create(
        actor(request),
        owner=owner,
        email=body.email,
        subject_fields=body.subject.model_dump(exclude_none=True),
        key_source=body.key_source,
        key_type=body.key_type,
        csr_pem=body.csr_pem,
        encrypted_key=body.encrypted_key,
    )
    return Status(201, created)


@router.get("", response=Page[RequestOut], summary="List requests")
def list_requests(request: HttpRequest, filters: Query[RequestFilters]) -> dict[str, Any]:
    queryset = access.visible_requests(signed_in_user(request)).select_related("certificate")
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    return paginate(queryset, filters, with_timelines)


@router.get("/{int:request_id}", response=RequestOut, summary="One request with its timeline")
def get_request(request: HttpRequest, request_id: int) -> CertificateRequest:
    return access.get_request(signed_in_user(request), request_id)


@router.get(
    "/{int:request_id}/csr",
    summary="The CSR as PEM (application/pkcs10)",
    response={200: None},
    openapi_extra={
        "responses": {200: {"description": "OK", "content": {"application/pkcs10": {}}}}
    },
)
def get_csr(request: HttpRequest, request_id: int) -> HttpResponse:
    req = access.get_request(signed_in_user(request), request_id)
    return attachment(req.csr_pem, "application/pkcs10", f"request-{req.pk}.csr")


@router.get(
    "/{int:request_id}/encrypted-key",
    summary="The owner's encrypted copy of a browser-made key (PEM ENCRYPTED PRIVATE KEY)",
    response={200: None, **refused(403)},
    openapi_extra={"responses": {200: {"description": "OK", "content": {"application/pkcs8": {}}}}},
)
def get_encrypted_key(request: HttpRequest, request_id: int) -> HttpResponse:
    req = access.get_request(signed_in_user(request), request_id)
    pem = browser_keys.download_copy(actor(request), req)
    return attachment(pem, "application/pkcs8", f"request-{req.pk}.key")


@router.post(
    "/{int:request_id}/submit",
    response={200: RequestOut, **refused(409)},
    summary="Mark as sent to a CA",
)
def submit(request: HttpRequest, request_id: int, body: SubmitIn) -> CertificateRequest:
    req = access.get_request(signed_in_user(request), request_id)
    return service.submit(actor(request), req, body.ca_name, body.order_ref)


@router.post(
    "/{int:request_id}/cancel", response={200: RequestOut, **refused(409)}, summary="Cancel"
)
def cancel(request: HttpRequest, request_id: int) -> CertificateRequest:
    req = access.get_request(signed_in_user(request), request_id)
    return service.cancel(actor(request), req)


@router.post(
    "/{int:request_id}/approve",
    response={200: RequestOut, **refused(403, 409)},
    summary="Approve a request awaiting approval, so it can go to the CA (admins)",
)
def approve(request: HttpRequest, request_id: int) -> CertificateRequest:
    req = access.get_request(signed_in_user(request), request_id)
    return service.approve(actor(request), req)


@router.post(
    "/{int:request_id}/reject",
    response={200: RequestOut, **refused(403, 409)},
    summary="Reject (admins)",
)
def reject(request: HttpRequest, request_id: int, body: RejectIn) -> CertificateRequest:
    req = access.get_request(signed_in_user(request), request_id)
    return service.reject(actor(request), req, body.reason)


@router.post(
    "/{int:request_id}/certificate",
    response={201: CertificateChangeOut, **refused(409)},
    summary="Upload the issued certificate (JSON pem or multipart file)",
    openapi_extra=uploads.OPENAPI_BODY,
)
def upload_certificate(request: HttpRequest, request_id: int) -> Status[Any]:
    req = access.get_request(signed_in_user(request), request_id)
    upload = uploads.read_certificate_upload(request)
    if upload.owner is not None:
        raise Invalid("'owner' belongs to imports; a request's certificate is its owner's.")
    cert = issuance.attach_to_request(actor(request), req, upload.data)
    return Status(201, CertificateChangeOut.of(cert, supersession.superseded_by_adding(cert)))
