"""Password guessing is limited on every door that checks a password: the login page, the
Django admin's login, the password asked again before a key leaves, and the password change.
Limits hold per account and client address, per address and per account; lockouts are
audited and explained."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.utils import timezone

from certificates.models import AuditEvent, Certificate, LoginFailure
from tests.factories import logged_in
from tests.views.conftest import text

RIGHT = "alice-pass-1234"


def login(
    client: Client,
    password: str,
    *,
    username: str = "alice",
    door: str = "/accounts/login/",
    **extra: str,
) -> Any:
    return client.post(door, {"username": username, "password": password}, **extra)


def guess_wrong(client: Client, times: int, **kwargs: Any) -> None:
    for _ in range(times):
        response = login(client, "wrong", **kwargs)
        assert response.status_code == 200, response.status_code
        assert "Log in" in text(response)


def assert_paused(response: Any) -> None:
    assert response.status_code == 429
    page = text(response)
    assert "Login paused" in page and "Too many wrong passwords" in page
    assert "You can try again after" in page and "UTC (in 15 minutes)" in page
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60


def test_fifth_wrong_password_pauses_the_account_from_that_address(
    client: Client, owner: User, colleague: User
) -> None:
    guess_wrong(client, 5)
    assert_paused(login(client, RIGHT))
    assert "_auth_user_id" not in client.session

    failed = AuditEvent.objects.filter(action="login.failed")
    assert failed.count() == 5
    locked = AuditEvent.objects.get(action="login.locked_out")
    assert (locked.actor, locked.actor_label, locked.ip) == (None, "anonymous", "127.0.0.1")
    assert (locked.object_type, locked.object_id) == ("user", str(owner.pk))
    assert locked.details["username"] == "alice" and locked.details["door"] == "web login"
    assert all(RIGHT not in str(e.details) and "wrong" not in str(e.details) for e in failed)

    # The same account from another address, and another account from this one, still work.
    assert login(Client(REMOTE_ADDR="192.0.2.9"), RIGHT).status_code == 302
    assert login(client, "bob-pass-1234", username="bob").status_code == 302


def test_admin_login_counts_with_the_portal_login(client: Client, owner: User) -> None:
    guess_wrong(client, 3)
    for _ in range(2):
        assert login(client, "wrong", door="/admin/login/").status_code == 200
    assert_paused(login(client, RIGHT, door="/admin/login/"))
    assert_paused(login(client, RIGHT))
    doors = AuditEvent.objects.filter(action="login.failed").values_list("details__door", flat=True)
    assert sorted(doors) == ["admin login"] * 2 + ["web login"] * 3


def test_one_address_guessing_many_accounts_is_paused(client: Client, owner: User) -> None:
    for number in range(20):
        assert login(client, "wrong", username=f"user{number}").status_code == 200
    assert_paused(login(client, RIGHT))


def test_one_account_guessed_from_many_addresses_is_paused(client: Client, owner: User) -> None:
    for number in range(20):
        guess_wrong(Client(REMOTE_ADDR=f"198.51.100.{number}"), 1)
    assert_paused(login(Client(REMOTE_ADDR="192.0.2.1"), RIGHT))


def test_pause_ends_after_the_cool_off(client: Client, owner: User) -> None:
    guess_wrong(client, 5)
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        assert login(client, RIGHT).status_code == 302
    assert not LoginFailure.objects.filter(username="alice").exists()


def test_right_password_clears_the_accounts_failures_from_that_address(
    client: Client, owner: User
) -> None:
    guess_wrong(client, 4)
    assert login(client, RIGHT).status_code == 302
    client.post("/accounts/logout/")
    guess_wrong(client, 4)
    assert login(client, RIGHT).status_code == 302


def test_address_comes_from_the_trusted_proxy(client: Client, owner: User, settings: Any) -> None:
    settings.TRUSTED_PROXIES = 1
    guess_wrong(client, 5, HTTP_X_FORWARDED_FOR="203.0.113.7")
    # A hop the client added in front changes nothing; another client behind the proxy is free.
    assert_paused(login(client, RIGHT, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7"))
    assert login(client, RIGHT, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302
    assert AuditEvent.objects.get(action="login.locked_out").ip == "203.0.113.7"


def test_the_api_has_no_password_door(client: Client, owner: User) -> None:
    schemes = client.get("/api/v1/openapi.json").json()["components"]["securitySchemes"]
    assert [scheme["scheme"] for scheme in schemes.values()] == ["bearer"]
    basic = client.get("/api/v1/requests", HTTP_AUTHORIZATION="Basic YWxpY2U6YWxpY2UtcGFzcy0xMjM0")
    assert basic.status_code == 401


def export_token(client: Client, password: str) -> Any:
    form = {"name": "script", "export_keys": "on", "account_password": password}
    return client.post("/tokens/", form)


def test_wrong_passwords_before_an_export_count_towards_the_login_pause(
    owner_web: Client, owner: User
) -> None:
    for _ in range(4):
        assert export_token(owner_web, "wrong").status_code == 403
    response = export_token(owner_web, "wrong")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert_paused(login(owner_web, RIGHT))
    assert (
        AuditEvent.objects.filter(action="login.failed", details__door="re-authentication").count()
        == 5
    )


def test_password_change_is_limited_like_a_login(owner_web: Client, owner: User) -> None:
    assert owner_web.get("/admin/password_change/")["Location"] == "/accounts/password_change/"
    change = {
        "old_password": "wrong",
        "new_password1": "N3w-passw0rd!",
        "new_password2": "N3w-passw0rd!",
    }
    for _ in range(4):
        response = owner_web.post("/accounts/password_change/", change)
        assert response.status_code == 200 and "your password was not changed" in text(response)
    response = owner_web.post("/accounts/password_change/", change)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    owner.refresh_from_db()
    assert owner.check_password(RIGHT)
    assert_paused(login(owner_web, RIGHT))


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_guesses_on_the_export_form_get_no_more_tries_than_the_limit(
    owner_web: Client, issued: Certificate, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One stolen session, 16 wrong account passwords at once on the PKCS#12 form: at most the
    limit's number of them is checked, the rest are refused unchecked, and the session ends."""
    checks: list[str] = []
    check_password = User.check_password
    monkeypatch.setattr(
        User, "check_password", lambda u, raw: checks.append(raw) or check_password(u, raw)
    )
    cookie = owner_web.cookies["sessionid"].value
    start = threading.Barrier(16)
    statuses: list[int] = []
    form = {"password": "pw", "confirm": "pw", "profile": "modern", "account_password": "wrong"}

    def guess() -> None:
        client = Client()
        client.cookies["sessionid"] = cookie
        try:
            start.wait()
            statuses.append(client.post(f"/certificates/{issued.pk}/pkcs12", form).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    checked = AuditEvent.objects.filter(action="login.failed", details__door="re-authentication")
    # Guesses still in flight count too, so fewer may be checked when they overlap closely.
    assert checked.count() == len(checks) <= settings.LOGIN_FAILURE_LIMIT
    # 403: checked and wrong; 302: logged out; 400: Django's "session ended during the request".
    assert len(statuses) == 16 and set(statuses) <= {302, 400, 403}, statuses
    assert statuses.count(403) < settings.LOGIN_FAILURE_LIMIT
    assert owner_web.get("/").status_code == 302  # the session was ended
    assert not AuditEvent.objects.filter(action="key.exported").exists()


def test_a_certificate_admin_can_end_a_pause(client: Client, owner: User, admin: User) -> None:
    guess_wrong(client, 5)
    admin.is_staff = True
    admin.save()
    admin.user_permissions.add(Permission.objects.get(codename="view_loginfailure"))
    form = {
        "action": "lift_selected",
        "_selected_action": list(LoginFailure.objects.values_list("pk", flat=True)),
    }
    assert logged_in(admin).post("/admin/certificates/loginfailure/", form).status_code == 302
    assert login(client, RIGHT).status_code == 302
    lifted = AuditEvent.objects.get(action="login.lifted")
    assert lifted.actor == admin
    assert lifted.details == {"via": "admin", "username": "alice", "address": "127.0.0.1"}
