"""Bearer-token authentication for the API, and the three things endpoints ask of it.

A bearer token is not sent by browsers on their own, so there is nothing for CSRF to protect:
the API does not use the session cookie at all.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer

from certificates.models import ApiToken
from certificates.services import tokens
from certificates.services.actor import Actor
from certificates.services.errors import Forbidden


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = tokens.authenticate(token.strip())
        if api_token is None:
            return None
        # Requests act as the token's user; the token itself is request.auth (scopes).
        request.user = api_token.user
        return api_token


def actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="api")


def calling_token(request: HttpRequest) -> ApiToken:
    """The token the request authenticated with: ninja keeps what BearerAuth returned as
    ``request.auth``."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise PermissionDenied("This endpoint needs an API token.")
    return token


def require_scope(request: HttpRequest, scope: str) -> None:
    token = calling_token(request)
    if scope not in token.scopes:
        raise Forbidden(
            f"This API token lacks the '{scope}' scope. Create a token with it on the API tokens "
            f"page or with `python manage.py create_api_token USERNAME --scope {scope}`."
        )
