"""Limits on password guessing, shared by every door that checks a password.

The login pages (portal and Django admin), the password asked again before a private key
leaves, and the password-change form all go through :func:`attempt`. Failures are counted in
the database (the one store every process shares, also in the embedded mode where the cache is
per process) in three scopes over the last ``LOGIN_LOCKOUT_MINUTES``:

- one account from one client address (``LOGIN_FAILURE_LIMIT``, default 5),
- one client address across accounts (``LOGIN_FAILURE_LIMIT_PER_ADDRESS``, default 20),
- one account across addresses (``LOGIN_FAILURE_LIMIT_PER_ACCOUNT``, default 20).

A scope that reached its limit refuses further passwords, right or wrong, until enough of its
failures are older than the cool-off. A right password clears the failures of that account
from that address.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from certificates.models import LoginFailure
from certificates.services import audit
from certificates.services.access import require_admin
from certificates.services.actor import Actor

T = TypeVar("T")

USERNAME_LENGTH = 150  # LoginFailure.username; longer names are cut, never refused


class LockedOut(Exception):
    """Passwords for this account or from this address are refused until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


def cool_off() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _scopes(username: str, ip: str | None) -> list[tuple[Q, int]]:
    return [
        (Q(username=username, ip=ip), settings.LOGIN_FAILURE_LIMIT),
        (Q(ip=ip), settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS),
        (Q(username=username), settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT),
    ]


def locked_until(
    username: str, ip: str | None, *, now: datetime | None = None, excluding: int | None = None
) -> datetime | None:
    """When the last full scope for ``username`` from ``ip`` frees up; None if none is full.

    A scope is full when it holds its limit of failures within the cool-off; it frees up when
    the oldest of the newest ``limit`` failures passes the cool-off. ``excluding`` leaves one
    row (the caller's own reservation) out of the count.
    """
    now = now or timezone.now()
    recent = LoginFailure.objects.filter(created_at__gt=now - cool_off())
    if excluding is not None:
        recent = recent.exclude(pk=excluding)
    ends = []
    for scope, limit in _scopes(username[:USERNAME_LENGTH], ip):
        newest = recent.filter(scope).order_by("-created_at", "-id")
        oldest_counted = newest.values_list("created_at", flat=True)[limit - 1 : limit]
        ends += [moment + cool_off() for moment in oldest_counted]
    return max(ends, default=None)


def until_text(until: datetime, now: datetime | None = None) -> str:
    """'14:05 UTC (in 12 minutes)': when passwords are checked again."""
    seconds = (until - (now or timezone.now())).total_seconds()
    minutes = max(1, math.ceil(seconds / 60))
    local = timezone.localtime(until)
    return f"{local:%H:%M} {local.tzname()} (in {minutes} minute{'s' if minutes != 1 else ''})"


def attempt(actor: Actor, username: str, door: str, verify: Callable[[], T | None]) -> T | None:
    """Run ``verify`` (a password check answering a value or None) unless a limit is reached.

    Raises LockedOut without calling ``verify`` when a scope is full. The failure is recorded
    before ``verify`` runs and each caller then counts the rows, its own included: of any
    number of parallel guesses at most the limit get checked, whatever their interleaving.
    """
    username = username[:USERNAME_LENGTH]
    now = timezone.now()
    until = locked_until(username, actor.ip, now=now)
    if until is not None:
        raise LockedOut(until)
    reserved = LoginFailure.objects.create(username=username, ip=actor.ip, created_at=now)
    until = locked_until(username, actor.ip, now=now, excluding=reserved.pk)
    if until is not None:
        reserved.delete()
        raise LockedOut(until)
    try:
        result = verify()
    except BaseException:
        reserved.delete()
        raise
    if result is not None:
        LoginFailure.objects.filter(username=username, ip=actor.ip).delete()
        return result
    _failed(actor, username, door, now)
    return None


def _failed(actor: Actor, username: str, door: str, now: datetime) -> None:
    LoginFailure.objects.filter(created_at__lt=now - cool_off()).delete()
    User = get_user_model()
    target = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    audit.record(actor, "login.failed", target, username=username, door=door)
    until = locked_until(username, actor.ip, now=now)
    if until is not None:
        audit.record(
            actor, "login.locked_out", target, username=username, door=door, until=until.isoformat()
        )


def lift(actor: Actor, failures: QuerySet[LoginFailure]) -> int:
    """A certificate admin forgives these failures (a person locked out by a typo or by
    someone else's guessing); the pauses they caused end now. Returns how many were removed."""
    require_admin(actor.user)
    pairs = sorted(set(failures.values_list("username", "ip")), key=str)
    removed, _ = failures.delete()
    for username, ip in pairs:
        audit.record(actor, "login.lifted", username=username, address=ip)
    return removed
