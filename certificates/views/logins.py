"""The password doors: every ``authenticate()`` call (the portal's and the Django admin's login
pages) and the password-change form go through the login limits; a refused login gets a page
saying why and until when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.contrib.auth.views import LogoutView, PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.services import logins
from certificates.services.actor import Actor
from certificates.views import reauth
from portal.clientip import client_ip

LOCKED_UNTIL = "login_locked_until"  # set on the request by the backend, read by the middleware


class LimitedModelBackend(ModelBackend):
    """Django's username/password check, run only while the login limits allow it."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        via = "web"
        if request is not None and request.path.startswith(reverse("admin:index")):
            via = "admin"
        actor = Actor(user=None, via=via, ip=client_ip(request) if request is not None else None)
        check = super().authenticate
        try:
            return logins.attempt(
                actor,
                username,
                f"{via} login",
                lambda: check(request, username, password, **kwargs),
            )
        except logins.LockedOut as exc:
            if request is not None:
                setattr(request, LOCKED_UNTIL, exc.until)
            raise PermissionDenied from exc  # Django stops asking other backends


def lockout_page(request: HttpRequest, until: datetime) -> HttpResponse:
    context = {
        "until": logins.until_text(until),
        "limit": settings.LOGIN_FAILURE_LIMIT,
        "minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response


class LoginLockoutMiddleware:
    """Replaces the login form's "did not match" with the lockout page when the backend
    refused to check the password at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        until = getattr(request, LOCKED_UNTIL, None)
        return lockout_page(request, until) if until is not None else response


class LimitedPasswordChangeForm(PasswordChangeForm):
    """The old password is checked like the one asked before a key export: within the login
    limits, and the session that reaches them is ended."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        refusal = reauth.confirm(
            self.request,
            old_password,
            needed_for=_("changing it needs the current one."),
            nothing_made=_("your password was not changed"),
        )
        if refusal is not None:
            raise ValidationError(refusal, code="password_incorrect")
        return old_password


class LimitedPasswordChangeView(PasswordChangeView):
    """Django's password-change page with the limited form, for the portal and the admin."""

    form_class = LimitedPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        if not self.request.user.is_authenticated:  # logged out after too many wrong passwords
            messages.error(self.request, " ".join(map(str, form.errors.get("old_password", []))))
            return redirect("login")
        return super().form_invalid(form)


class PortalLogoutView(LogoutView):
    """Django's logout, then a line on the login page saying it happened (the message outlives
    the session it ends: it travels in the messages cookie)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You are logged out."))
        return response
