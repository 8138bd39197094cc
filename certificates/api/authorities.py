"""/api/v1/certificate-authorities (admins): the CAs the organisation orders from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from certificates.api.auth import actor
from certificates.api.pagination import Page, PageParams, paginate
from certificates.api.refusals import refused
from certificates.api.schemas import NAME, In
from certificates.models import CertificateAuthority
from certificates.models.authorities import Profile
from certificates.services import authorities
from certificates.services.actor import signed_in_user

router = Router(tags=["admin"])

URL_PATTERN = r"^(https?://\S+)?$"


class AuthorityPatch(In):
    """Only the fields sent change; ``domains``, when sent, replaces the served domains."""

    name: str | None = Field(None, max_length=NAME)
    product: str | None = Field(None, max_length=NAME, description="The CA's product name")
    profile: Profile | None = Field(None, description="Decides the subject fields requests ask")
    submit_url: str | None = Field(
        None, max_length=200, pattern=URL_PATTERN, description="Where to send the CSR"
    )
    instructions: str | None = Field(
        None, max_length=authorities.INSTRUCTIONS, description="How, in a sentence or two"
    )
    caa_issuemail: str | None = Field(
        None, max_length=253, description="Domain named in CAA issuemail records"
    )
    domains: list[str] | None = Field(
        None, max_length=1000, description="Managed mail domains that order from this CA"
    )


class AuthorityIn(AuthorityPatch):
    name: str = Field(max_length=NAME)
    profile: Profile = Profile.MAILBOX


class AuthorityOut(Schema):
    id: int
    name: str
    product: str
    profile: str
    submit_url: str
    instructions: str
    caa_issuemail: str
    domains: list[str]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_domains(authority: CertificateAuthority) -> list[str]:
        return sorted(d.name for d in authority.domains.all())


@router.get(
    "",
    response={200: Page[AuthorityOut], **refused(403)},
    summary="The CAs the organisation orders from",
)
def list_authorities(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(authorities.listed(signed_in_user(request)), page)


@router.post("", response={201: AuthorityOut, **refused(403, 409)}, summary="Record a CA")
def add_authority(request: HttpRequest, body: AuthorityIn) -> Status[Any]:
    fields = body.model_dump(exclude_none=True)
    return Status(201, authorities.add(actor(request), **fields))


@router.get("/{int:authority_id}", response={200: AuthorityOut, **refused(403)}, summary="One CA")
def get_authority(request: HttpRequest, authority_id: int) -> CertificateAuthority:
    return authorities.get(signed_in_user(request), authority_id)


@router.patch(
    "/{int:authority_id}", response={200: AuthorityOut, **refused(403, 409)}, summary="Change a CA"
)
def change_authority(
    request: HttpRequest, authority_id: int, body: AuthorityPatch
) -> CertificateAuthority:
    authority = authorities.get(signed_in_user(request), authority_id)
    authorities.change(actor(request), authority, **body.model_dump(exclude_none=True))
    return authorities.get(signed_in_user(request), authority_id)


@router.delete(
    "/{int:authority_id}",
    response={204: None, **refused(403, 409)},
    summary="Forget a CA (its domains then name none; requests keep their CA name)",
)
def remove_authority(request: HttpRequest, authority_id: int) -> Status[None]:
    authorities.remove(actor(request), authorities.get(signed_in_user(request), authority_id))
    return Status(204, None)
