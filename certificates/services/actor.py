"""Who is acting, through which door, from which address: what every audit event records."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from portal.clientip import client_ip


@dataclass(frozen=True)
class Actor:
    user: User | None
    via: str  # "web", "api", "admin", "command", "system"
    ip: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest, via: str = "web") -> Actor:
        user = request.user if not isinstance(request.user, AnonymousUser) else None
        return cls(user=user, via=via, ip=client_ip(request))

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, via="system")

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        # Nobody logged in: the portal itself, or someone at a page before logging in.
        return "anonymous" if self.via in ("web", "admin") else "system"


def signed_in_user(request: HttpRequest) -> User:
    """The person behind a request that needs one: a page behind ``login_required`` or an API
    call with a valid token. Anonymous never gets this far; should it, the answer is 403."""
    if isinstance(request.user, AnonymousUser):
        raise PermissionDenied("Log in first.")
    return request.user
