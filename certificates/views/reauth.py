"""Re-authentication before a private key leaves the portal.

Exporting a key needs the account password again; a correct password unlocks exports for
``settings.REAUTH_SECONDS`` in this session. Wrong passwords count towards the same login
limits as the login pages (per account and client address, in the database, so parallel
guesses on one stolen session get no more tries than sequential ones); the guess that reaches
the limit, and any guess while it holds, ends the session.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils.translation import gettext as _

from certificates.services import logins
from certificates.views.shell import web_actor

SESSION_KEY = "reauth_at"


def recently_reauthenticated(request: HttpRequest) -> bool:
    stamp = request.session.get(SESSION_KEY)
    return isinstance(stamp, int | float) and time.time() - stamp < settings.REAUTH_SECONDS


def missing_password(request: HttpRequest, *, needed_for: str | None = None) -> str | None:
    """The sentence for an account password left empty, or None while a recent one holds."""
    if recently_reauthenticated(request):
        return None
    needed_for = needed_for or _("exporting a private key needs it again.")
    return _("Type your account password: %(needed_for)s") % {"needed_for": needed_for}


def confirm(
    request: HttpRequest,
    password: str,
    *,
    needed_for: str | None = None,
    nothing_made: str | None = None,
) -> str | None:
    """None when the person proved it is them; otherwise the sentence to show (HTTP 403).

    A typed password is always checked, even within the grace period. ``needed_for`` and
    ``nothing_made`` word the refusals for what the password unlocks. After a refusal that
    logged the person out, ``request.user`` is anonymous.
    """
    if not password:
        return missing_password(request, needed_for=needed_for)
    user = request.user
    actor = web_actor(request)
    username = user.get_username()
    try:
        proved = logins.attempt(
            actor,
            username,
            "re-authentication",
            lambda: user if user.check_password(password) else None,
        )
    except logins.LockedOut as exc:
        return _logged_out(request, exc.until)
    if proved is not None:
        request.session[SESSION_KEY] = time.time()
        return None
    until = logins.locked_until(username, actor.ip)
    if until is not None:
        return _logged_out(request, until)
    nothing_made = nothing_made or _("no bundle was made")
    return _("That is not your account password, so %(nothing_made)s. Type it again.") % {
        "nothing_made": nothing_made
    }


def _logged_out(request: HttpRequest, until: datetime) -> str:
    logout(request)
    return _(
        "Too many wrong passwords for this account or from your address; you were logged out. "
        "Log in again after %(until)s."
    ) % {"until": logins.until_text(until)}
