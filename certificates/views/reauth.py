"""Re-authentication before a private key leaves the portal.

Exporting a key needs the account password again; a correct password unlocks exports for
``settings.REAUTH_SECONDS`` in this session. Repeated wrong passwords end the session, so a
stolen session cookie cannot be used to guess the password.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest

SESSION_KEY = "reauth_at"
FAILURES_KEY = "reauth_failures"
MAX_FAILURES = 5


def recently_reauthenticated(request: HttpRequest) -> bool:
    stamp = request.session.get(SESSION_KEY)
    return isinstance(stamp, int | float) and time.time() - stamp < settings.REAUTH_SECONDS


def confirm(
    request: HttpRequest,
    password: str,
    *,
    needed_for: str = "exporting a private key needs it again.",
    nothing_made: str = "no bundle was made",
) -> str | None:
    """None when the person proved it is them; otherwise the sentence to show (HTTP 403).

    A typed password is always checked, even within the grace period. ``needed_for`` and
    ``nothing_made`` word the refusals for what the password unlocks.
    """
    if not password:
        if recently_reauthenticated(request):
            return None
        return f"Type your account password: {needed_for}"
    if request.user.check_password(password):
        request.session[SESSION_KEY] = time.time()
        request.session.pop(FAILURES_KEY, None)
        return None
    failures = request.session.get(FAILURES_KEY, 0) + 1
    if failures >= MAX_FAILURES:
        logout(request)
        return "The account password was wrong too often; you were logged out. Log in again."
    request.session[FAILURES_KEY] = failures
    return f"That is not your account password, so {nothing_made}. Type it again."
