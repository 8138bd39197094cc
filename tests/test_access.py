"""The access matrix: every route, enumerated from Django's URL resolver and the OpenAPI
document (classified in tests/access_routes.py), for four callers. Anonymous callers reach the
public pages and published certificates only, and get the login page or a 401 elsewhere;
another employee (a colleague, or a staff member without permissions) gets 404 for each of
the owner's objects and 403/404 for admin routes; the owner and admins reach every object (a
page, a redirect, or a refusal of the input), save what the classification reserves for the
owner (key material) or for admins (approving, rejecting, the admin pages). A route this test
does not know fails it. No page answers 405: a GET on a POST-only action (where the login
page sends someone whose session ran out as they sent its form) leads to the page of that
form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from certificates.account_urls import RESET_PAGES
from certificates.models import Certificate
from tests.access_routes import (
    ADMIN_ACTION_API,
    ADMIN_ACTION_PAGES,
    API,
    BODIES,
    OWNER_ONLY_API,
    OWNER_ONLY_PAGES,
    PAGES,
    PUBLIC_PAGES,
    REDIRECTS,
    Objects,
    api_url,
    openapi_operations,
    page_body,
    page_routes,
    page_url,
)
from tests.conftest import api_client
from tests.factories import logged_in
from tests.views.conftest import text


@pytest.fixture(params=["colleague", "staff"])
def peer_user(request: pytest.FixtureRequest, colleague: User) -> User:
    """Someone who must not see the owner's objects: a colleague, and a staff member with no
    permissions (staff status opens the Django admin, it makes nobody a certificate admin)."""
    if request.param == "colleague":
        return colleague
    return User.objects.create_user("dave", "dave@example.com", "dave-pass-1234", is_staff=True)


def test_every_page_route_is_classified() -> None:
    unknown = set(page_routes()) - set(PAGES) - PUBLIC_PAGES
    assert not unknown, f"classify these routes in tests/test_access.py: {sorted(unknown)}"
    missing = set(PAGES) - set(page_routes())
    assert not missing, f"routes listed here no longer exist: {sorted(missing)}"


def test_pages_are_private_and_objects_are_the_owners(owned: Objects, peer_user: User) -> None:
    anonymous = Client()
    peer = logged_in(peer_user)
    for name, kind in PAGES.items():
        url = page_url(name, owned)
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            assert response.status_code == 302, (name, method, response.status_code)
            assert response["Location"].startswith(reverse("login")), (name, method)
        if kind in ("request", "certificate", "token"):
            assert peer.post(url).status_code == 404, (name, "post")
            assert peer.get(url).status_code == 404, (name, "get")
        elif kind in ("admin", "authority"):
            assert peer.get(url).status_code in (403, 404), name
            assert peer.post(url).status_code in (403, 404), (name, "post")
        elif kind == "domain":
            assert peer.post(url).status_code == 403, name


def test_admin_site_is_for_staff_only(owned: Objects, colleague) -> None:  # type: ignore[no-untyped-def]
    peer = logged_in(colleague)
    for url in (
        "/admin/",
        "/admin/certificates/certificate/",
        "/admin/certificates/storedkey/",
        f"/admin/certificates/certificate/{owned.certificate}/change/",
    ):
        for client in (Client(), peer):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_every_api_operation_is_classified(owner_api) -> None:  # type: ignore[no-untyped-def]
    operations = openapi_operations(owner_api)
    assert not operations - set(API), f"classify in tests/test_access.py: {operations - set(API)}"
    assert not set(API) - operations, f"no longer in the API: {set(API) - operations}"


def test_api_objects_are_the_owners(owned: Objects, peer_user: User, owner: User) -> None:
    anonymous = Client()
    peer = api_client(peer_user, ["keys:export"])
    for (method, path), kind in API.items():
        url = api_url(path, owned)
        body = BODIES.get(path.rsplit("/", 1)[-1], {})
        send = getattr(anonymous, method)
        response = (
            send(url, body, content_type="application/json")
            if method in ("post", "patch")
            else send(url)
        )
        assert response.status_code == 401, (method, path, response.status_code)
        assert "detail" in response.json()

        send = getattr(peer, method)
        response = (
            send(url, body, content_type="application/json")
            if method in ("post", "patch")
            else send(url)
        )
        if kind in ("request", "certificate", "token"):
            assert response.status_code == 404, (method, path, response.status_code)
            assert "detail" in response.json()
        elif kind == "admin":
            assert response.status_code == 403, (method, path, response.status_code)
        elif kind == "anyone":  # past authentication: here the missing query is the problem
            assert response.status_code == 422, (method, path, response.status_code)
        elif method == "get":
            assert response.status_code == 200, (method, path)
            owners = {item.get("owner") for item in response.json()["items"]}
            assert owner.username not in owners, path
            ids = {item["id"] for item in response.json()["items"]}
            kind_of_list = path.rsplit("/", 1)[-1].rstrip("s")
            assert getattr(owned, kind_of_list) not in ids, path


LOGIN = {"username": "alice", "password": "alice-pass-1234"}
NOTHING_CHANGED = "Nothing was changed: that address only takes a form sent from this page."


def object_page(kind: str | None, owned: Objects) -> str | None:
    """Where an object's forms are: its page (tokens are on the tokens page)."""
    if kind == "request":
        return reverse("request-detail", args=[owned.request])
    if kind == "certificate":
        return reverse("certificate-detail", args=[owned.certificate])
    if kind == "token":
        return reverse("tokens")
    return None


def test_no_page_route_answers_a_get_with_405(owned: Objects, owner: User) -> None:
    browser = logged_in(owner)
    for name in page_routes():
        url = page_url(name, owned)
        response = browser.get(url, follow=True)
        assert all(status == 302 for _, status in response.redirect_chain), (name, url)
        expected = 403 if PAGES.get(name) in ("admin", "domain", "authority") else 200
        if name in RESET_PAGES:  # off unless PASSWORD_RESET_ENABLED: a 404 with a sentence
            expected = 404
        assert response.status_code == expected, (name, url, response.status_code)
        if name in REDIRECTS:
            assert response.redirect_chain[-1][0] == reverse(REDIRECTS[name]), (name, url)
        elif response.redirect_chain:  # a POST-only action: its form's page, saying so
            page = object_page(PAGES.get(name), owned) or reverse("home")
            assert response.redirect_chain[-1][0] == page, (name, url)
            assert NOTHING_CHANGED in text(response), name


def test_after_logging_in_again_a_form_address_leads_to_the_objects_page(
    owned: Objects, owner: User
) -> None:
    """The session ran out, the form was sent, the person logged in: the page, not a 405."""
    landed = 0
    for name in page_routes():
        page = object_page(PAGES.get(name), owned)
        if page is None:
            continue
        url = page_url(name, owned)
        browser = Client()  # the session is gone
        sent = browser.post(url)
        assert sent.status_code == 302, name
        login_page = sent["Location"]
        assert login_page.startswith(reverse("login") + "?next="), name
        response = browser.post(login_page, LOGIN, follow=True)
        assert response.status_code == 200, (name, response.redirect_chain)
        final = response.redirect_chain[-1][0]
        assert final in (url, page), (name, final)
        landed += final == page
    assert landed >= 8  # submit, cancel, reject, upload, pkcs12, renew, revoke, token revoke


# The owner and admins: each reaches every object route (a page, a redirect, or a refusal
# of the input, never a refusal of the person), except where the classification says who
# is refused. Each call is rolled back, so every call meets the objects as the fixture made
# them (a cancel does not leave the next route a cancelled request).
REFUSALS = (401, 403, 404)


def isolated(send: Any, url: str, *args: Any, **kwargs: Any) -> HttpResponse:
    with transaction.atomic():
        response: HttpResponse = send(url, *args, **kwargs)
        transaction.set_rollback(True)
    return response


def reached(response: HttpResponse) -> bool:
    if response.status_code == 302:
        return not response["Location"].startswith(reverse("login"))
    return response.status_code not in REFUSALS and response.status_code < 500


def expected_page_answer(name: str, role: str, method: str) -> str:
    """'reach', or the refusal the role gets: 403 or 404."""
    kind = PAGES[name]
    if kind in ("admin", "domain", "authority"):
        return "reach" if role == "admin" else "403"
    if kind == "token" and role == "admin":
        return "404"  # another person's token does not exist for an admin either
    if role == "admin" and name in OWNER_ONLY_PAGES:
        return "403" if method == "post" else "403 or back to the object"
    if role == "owner" and name in ADMIN_ACTION_PAGES and method == "post":
        return "403"
    return "reach"


def test_the_owner_and_admins_reach_every_private_page(
    owned: Objects, owner: User, admin: User
) -> None:
    checked = 0
    for role, user in (("owner", owner), ("admin", admin)):
        browser = logged_in(user)
        for name in PAGES:
            url = page_url(name, owned)
            for method in ("get", "post"):
                if method == "get":
                    response = isolated(browser.get, url)
                else:
                    response = isolated(browser.post, url, page_body(name, user))
                expected = expected_page_answer(name, role, method)
                where = (role, name, method, response.status_code, expected)
                if expected == "reach":
                    assert reached(response), where
                elif expected == "403 or back to the object":  # a GET on a form's address
                    assert response.status_code == 403 or (
                        response.status_code == 302 and reached(response)
                    ), where
                else:
                    assert response.status_code == int(expected), where
                checked += 1
    assert checked == 2 * 2 * len(PAGES)


def expected_api_answer(operation: tuple[str, str], role: str) -> int | None:
    """None: the role reaches the operation; else the status it is refused with."""
    kind = API[operation]
    if kind == "admin":
        return None if role == "admin" else 403
    if kind == "token" and role == "admin":
        return 404
    if role == "admin" and operation in OWNER_ONLY_API:
        return 403
    if role == "owner" and operation in ADMIN_ACTION_API:
        return 403
    return None


def test_the_owner_and_admins_reach_every_api_operation(
    owned: Objects, owner: User, admin: User
) -> None:
    for role, user in (("owner", owner), ("admin", admin)):
        client = api_client(user, ["keys:export"])
        for method, path in API:
            url = api_url(path, owned)
            send = getattr(client, method)
            if method in ("post", "patch"):
                body = BODIES.get(path.rsplit("/", 1)[-1], {})
                response = isolated(send, url, body, content_type="application/json")
            else:
                response = isolated(send, url)
            refusal = expected_api_answer((method, path), role)
            where = (role, method, path, response.status_code)
            if refusal is None:
                assert reached(response), where
            else:
                assert response.status_code == refusal, where
                assert response.json()["detail"], where


# Pages anonymous callers reach without logging in, and the ones under accounts/ that need a
# session although they take no object (a password change is the logged-in person's own).
SIGNED_IN_ACCOUNT_PAGES = {"password_change", "password_change_done", "admin-password-change"}


@pytest.mark.parametrize("reset_enabled", [False, True])
def test_anonymous_reaches_the_public_pages_and_the_published_certificates(
    owned: Objects, settings: Any, reset_enabled: bool
) -> None:
    settings.PASSWORD_RESET_ENABLED = reset_enabled
    anonymous = Client()
    for name in sorted(PUBLIC_PAGES):
        response = anonymous.get(page_url(name, owned), follow=True)
        to_login = (
            any(url.startswith(reverse("login")) for url, _ in response.redirect_chain)
            and name != "logout"
        )
        if name in SIGNED_IN_ACCOUNT_PAGES:
            assert to_login, name
            continue
        assert not to_login, name
        expected = 404 if name in RESET_PAGES and not reset_enabled else 200
        assert response.status_code == expected, (name, response.status_code)
    public = urlsplit(owned.well_known)
    response = anonymous.get(public.path, HTTP_HOST=public.hostname)
    assert response.status_code == 200
    assert x509.load_der_x509_certificate(response.content).serial_number
    assert Certificate.objects.get(pk=owned.certificate).der == response.content
