"""/api/v1/tokens: the caller's own API tokens. The plain token is answered once, at creation;
its hash is never answered at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from certificates.api.auth import actor, calling_token
from certificates.api.pagination import Page, PageParams, paginate
from certificates.api.refusals import refused
from certificates.api.schemas import In
from certificates.models import ApiToken
from certificates.services import tokens as service
from certificates.services.actor import signed_in_user

router = Router(tags=["tokens"])


class TokenIn(In):
    name: str = Field(max_length=100, description="What uses it, for example 'renewal script'")
    scopes: list[str] = Field(
        default_factory=list,
        description="Optional: keys:export, only if the calling token has it",
    )
    expires_days: int = Field(
        service.DEFAULT_EXPIRY_DAYS,
        ge=1,
        le=service.MAX_EXPIRY_DAYS,
        description=f"1-{service.MAX_EXPIRY_DAYS}, no later than the calling token expires; "
        f"left out: {service.DEFAULT_EXPIRY_DAYS} or the calling token's remaining days",
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it")
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown this once; store it now")

    @staticmethod
    def resolve_token(token: ApiToken, context: dict[str, Any]) -> str:
        plain: str = context["plain"]
        return plain


@router.get("", response=Page[TokenOut], summary="Your API tokens")
def list_tokens(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(service.owned_by(signed_in_user(request)), page)


@router.post("", response={201: NewTokenOut, **refused(403)}, summary="Create a token (shown once)")
def create_token(request: HttpRequest, body: TokenIn) -> Status[Any]:
    token, plain = service.create(
        actor(request),
        signed_in_user(request),
        body.name,
        scopes=body.scopes,
        # Left out, it is 90 days or the calling token's remaining lifetime if that is shorter.
        expires_days=body.expires_days if "expires_days" in body.model_fields_set else None,
        via_token=calling_token(request),
    )
    return Status(201, NewTokenOut.model_validate(token, context={"plain": plain}))


@router.delete("/{int:token_id}", response={204: None, **refused(409)}, summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    service.revoke(actor(request), signed_in_user(request), token_id)
    return Status(204, None)
