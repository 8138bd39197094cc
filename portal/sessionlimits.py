"""Sessions end on an absolute deadline as well as when idle.

The idle limit is Django's own (``SESSION_COOKIE_AGE``, renewed on every request by
``SESSION_SAVE_EVERY_REQUEST``). Django has no absolute limit, so the login time goes into the
session and the middleware ends sessions older than ``SESSION_MAX_HOURS``, or without a login
time (made before this rule existed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

LOGIN_AT = "login_at"


@receiver(user_logged_in)
def remember_login_time(sender: object, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = time.time()


class SessionLifetimeMiddleware:
    """Logs out a session past its absolute lifetime; the page then asks for a login as usual
    (or answers as to anyone not logged in)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            age = time.time() - started if isinstance(started, int | float) else None
            if age is None or age >= settings.SESSION_MAX_HOURS * 3600:
                logout(request)
                messages.info(
                    request,
                    f"You were logged out: sessions end {settings.SESSION_MAX_HOURS} hours "
                    "after logging in. Log in again.",
                )
        return self.get_response(request)
