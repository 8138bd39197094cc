"""API tokens: shown once, stored as SHA-256, scoped, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import ApiToken
from certificates.models.tokens import TokenScope
from certificates.services import audit
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Forbidden, Invalid, NotFound
from certificates.services.text import single_line

TOKEN_PREFIX = "smp_"  # noqa: S105 (a public marker, not a secret)
DEFAULT_EXPIRY_DAYS = 90
MAX_EXPIRY_DAYS = 730
# last_used_at is written at most this often, so a busy script does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    actor: Actor,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    expires_days: int | None = None,
    *,
    via_token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Returns the token row and the plain token, which exists nowhere else afterwards.

    Every token expires: ``expires_days`` None means DEFAULT_EXPIRY_DAYS.
    ``via_token`` is the API token the caller authenticated with (None for a web session, which
    its page re-authenticates for keys:export, and for management commands). A token can only
    make tokens with a subset of its own scopes that expire no later than itself, so a leaked
    token cannot be turned into a stronger or longer-lived one.
    """
    name = single_line("name", _("The token name"), name)
    if not name:
        raise Invalid(_("Name the token after what uses it (for example 'renewal script')."))
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in TokenScope.values]
    if unknown:
        raise Invalid(
            _("Unknown scope %(unknown)r; the scopes are: %(names)s.")
            % {"unknown": unknown[0], "names": ", ".join(TokenScope.values)}
        )
    now = timezone.now()
    if expires_days is None:  # the default, but never later than the token making this one
        expires_at = now + timedelta(days=DEFAULT_EXPIRY_DAYS)
        if via_token is not None and via_token.expires_at is not None:
            expires_at = min(expires_at, via_token.expires_at)
    elif 1 <= expires_days <= MAX_EXPIRY_DAYS:
        expires_at = now + timedelta(days=expires_days)
    else:
        raise Invalid(
            _("A token expires after 1 to %(maximum)s days.") % {"maximum": MAX_EXPIRY_DAYS}
        )
    if via_token is not None:
        _check_within(via_token, scopes, expires_at, now)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=plain[: len(TOKEN_PREFIX) + 6],
        token_hash=_hash(plain),
        scopes=scopes,
        expires_at=expires_at,
    )
    audit.record(
        actor,
        "token.created",
        token,
        scopes=scopes,
        owner=user.get_username(),
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
        **({"created_with": via_token.prefix} if via_token is not None else {}),
    )
    return token, plain


def _check_within(parent: ApiToken, scopes: list[str], expires_at: datetime, now: datetime) -> None:
    """Refuses a token that would be stronger or longer-lived than the one creating it."""
    missing = [s for s in scopes if s not in parent.scopes]
    if missing:
        raise Forbidden(
            _(
                "The API token you are using lacks the '%(missing)s' scope, so it cannot "
                "create a token with it. Leave '%(missing)s' out, or create the token on "
                "the API tokens page (it asks for your account password) or with `python "
                "manage.py create_api_token USERNAME --scope %(missing)s`."
            )
            % {"missing": missing[0]}
        )
    if parent.expires_at is not None and expires_at > parent.expires_at:
        days_left = (parent.expires_at - now).days
        if days_left >= 1:
            message = _(
                "A token cannot outlive the API token that creates it, which expires at "
                "%(expires_at)s. Ask for expires_days of at most %(days_left)s, or create the "
                "token on the API tokens page or with `python manage.py create_api_token "
                "USERNAME`."
            )
        else:
            message = _(
                "A token cannot outlive the API token that creates it, which expires at "
                "%(expires_at)s. It expires within a day, so create the token on the API "
                "tokens page or with `python manage.py create_api_token USERNAME`."
            )
        expires = parent.expires_at.isoformat(timespec="seconds")
        raise Forbidden(message % {"expires_at": expires, "days_left": days_left})


def owned(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's answers as missing."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(_("You have no API token #%(token_id)s.") % {"token_id": token_id})
    return token


def revoke(actor: Actor, user: User, token_id: int) -> ApiToken:
    token = owned(user, token_id)
    if token.revoked_at is not None:
        raise Conflict(_("Token %(name)r is already revoked.") % {"name": token.name})
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


def owned_by(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))
