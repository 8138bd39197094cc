"""Security headers on every page, as a production deployment sends them, and its cookies.

The production values come from the settings module itself, loaded in a new process with
production variables (an https PORTAL_BASE_URL, DATABASE_URL, secrets); the pages are then
asked for over https in this process with those values, by every route the URL resolver
knows (tests/access_routes.py), as anonymous, the owner and an admin: every answer (a page,
a redirect to the login, a refusal, a download) carries a Content-Security-Policy without
inline or eval'd scripts that forbids framing, HSTS, nosniff and a Referrer-Policy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse

from tests.access_routes import Objects, page_routes, page_url
from tests.factories import logged_in
from tests.test_settings import PROD_ENV, manage

pytestmark = pytest.mark.slow  # loads the production settings in a new process

SECURITY_SETTINGS = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
]
STRICT_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin"}
EXTRA_PAGES = [
    "/no-such-page/",  # the 404 page
    "/admin/",
    "/admin/login/",
    "/api/v1/docs",
    "/api/v1/openapi.json",
    "/api/v1/certificates",  # a JSON refusal or list
]


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {SECURITY_SETTINGS}}}))"
    )
    tmp: Path = tmp_path_factory.mktemp("production")
    result = manage("shell", "-c", code, env=PROD_ENV, tmp_path=tmp)
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return values


@pytest.fixture
def in_production(production_settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
    with override_settings(**production_settings):
        yield production_settings


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def check_headers(response: HttpResponse, where: object) -> None:
    policy = directives(response.get("Content-Security-Policy", ""))
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts is not None, (where, "no script-src")
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(scripts), where
    assert policy.get("object-src") == ["'none'"], where
    framing_denied = policy.get("frame-ancestors") == ["'none'"]
    assert framing_denied or response.get("X-Frame-Options") == "DENY", where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") in STRICT_REFERRER_POLICIES, where
    hsts = response.get("Strict-Transport-Security", "")
    assert hsts.startswith("max-age="), where
    assert int(hsts.split(";")[0].split("=")[1]) >= 365 * 24 * 3600, where


def test_production_settings_are_strict(production_settings: dict[str, Any]) -> None:
    assert production_settings["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    for cookie in ("SESSION", "CSRF"):
        assert production_settings[f"{cookie}_COOKIE_SECURE"] is True, cookie
        assert production_settings[f"{cookie}_COOKIE_HTTPONLY"] is True, cookie
        assert production_settings[f"{cookie}_COOKIE_SAMESITE"] in ("Lax", "Strict"), cookie


def test_every_page_carries_the_security_headers(
    owned: Objects, owner: User, admin: User, in_production: dict[str, Any]
) -> None:
    urls = sorted({page_url(name, owned) for name in page_routes()} | set(EXTRA_PAGES))
    answered = 0
    for role, client in (
        ("anonymous", Client()),
        ("owner", logged_in(owner)),
        ("admin", logged_in(admin)),
    ):
        for url in urls:
            response = client.get(url, secure=True)
            check_headers(response, (role, url, response.status_code))
            answered += 1
    assert answered == 3 * len(urls)
    http = Client().get(reverse("login"))  # plain http: sent on to https first
    assert http.status_code == 301 and http["Location"].startswith("https://")


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(
    in_production: dict[str, Any], owner: User
) -> None:
    browser = Client(enforce_csrf_checks=True)
    form = browser.get(reverse("login"), secure=True)
    token = form.context["csrf_token"]
    csrf = form.cookies["csrftoken"]
    response = browser.post(
        reverse("login"),
        {"username": "alice", "password": "alice-pass-1234", "csrfmiddlewaretoken": str(token)},
        secure=True,
        HTTP_REFERER="https://testserver" + reverse("login"),  # checked on https
    )
    assert response.status_code == 302, response.content[:500]
    session = response.cookies["sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] in ("Lax", "Strict"), cookie.key
