"""API tokens: shown once, stored as SHA-256, scoped, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from certificates.models import ApiToken
from certificates.services import audit
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid, NotFound

TOKEN_PREFIX = "smp_"  # noqa: S105 (a public marker, not a secret)
DEFAULT_EXPIRY_DAYS = 90
MAX_EXPIRY_DAYS = 730
# last_used_at is written at most this often, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    actor: Actor,
    user: AbstractBaseUser,
    name: str,
    scopes: list[str] | None = None,
    expires_days: int | None = DEFAULT_EXPIRY_DAYS,
) -> tuple[ApiToken, str]:
    """Returns the token row and the plain token, which exists nowhere else afterwards."""
    name = name.strip()
    if not name:
        raise Invalid("Name the token after what uses it (for example 'renewal script').")
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in ApiToken.SCOPES]
    if unknown:
        raise Invalid(
            f"Unknown scope {unknown[0]!r}; the scopes are: {', '.join(ApiToken.SCOPES)}."
        )
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise Invalid(f"A token expires after 1 to {MAX_EXPIRY_DAYS} days.")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        token_hash=_hash(plain),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None,
    )
    audit.record(
        actor,
        "token.created",
        token,
        scopes=scopes,
        owner=user.get_username(),
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
    )
    return token, plain


def revoke(actor: Actor, user: AbstractBaseUser, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(f"You have no API token #{token_id}.")
    if token.revoked_at is not None:
        raise Conflict(f"Token {token.name!r} is already revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "token.revoked", token)
    return token


def authenticate(plain: str) -> ApiToken | None:
    """The live token for ``plain``, or None (unknown, revoked, expired or inactive user)."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(plain), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def owned_by(user: AbstractBaseUser) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))
