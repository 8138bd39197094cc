"""Sessions end after 30 idle minutes and 10 hours after the login (they unlock private keys);
Django's password reset by mail is off unless switched on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.views.conftest import text


def logged_in_by_password(owner: User) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-pass-1234"})
    assert response.status_code == 302
    return client


def test_defaults_are_short(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_MAX_HOURS == 10
    assert settings.PASSWORD_RESET_ENABLED is False


def test_session_ends_after_30_idle_minutes(owner: User) -> None:
    client = logged_in_by_password(owner)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # moves the deadline
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        assert client.get("/")["Location"] == "/accounts/login/?next=/"


def test_session_ends_10_hours_after_the_login_however_busy(owner: User, settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 24 * 3600  # idle deadline out of the way
    client = logged_in_by_password(owner)
    start = timezone.now()
    with time_machine.travel(start + timedelta(hours=9, minutes=59), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(hours=10, minutes=1), tick=False):
        response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/"
    assert "sessions end 10 hours after logging in" in text(response)
    assert "_auth_user_id" not in client.session


def test_session_without_a_login_time_is_ended(owner_web: Client) -> None:
    session = owner_web.session
    del session["login_at"]
    session.save()
    assert owner_web.get("/").status_code == 302


def test_password_reset_is_off_by_default(client: Client, owner: User) -> None:
    for url in ("/accounts/password_reset/", "/accounts/reset/done/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Ask a certificate admin to set a new one" in text(response)
    assert client.post("/accounts/password_reset/", {"email": owner.email}).status_code == 404
    assert mail.outbox == []


def test_password_reset_can_be_switched_on(client: Client, owner: User, settings: Any) -> None:
    settings.PASSWORD_RESET_ENABLED = True
    assert client.get("/accounts/password_reset/").status_code == 200
