"""Every route, enumerated from Django's URL resolver and the OpenAPI document: anonymous
callers get nothing private, a colleague gets 404 for each of the owner's objects, and a
route this test does not know fails it (classify new routes here). No page answers 405: a GET
on a POST-only action (where the login page sends someone whose session ran out as they sent
its form) leads to the page of that form."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from certificates.account_urls import RESET_PAGES
from certificates.models import ApiToken, CertificateAuthority, TrustAnchor
from tests.conftest import api_client
from tests.factories import create_server_request, issue_via_api, logged_in
from tests.views.conftest import text

# Page routes by URL name: which owner object they take (None: no object; "admin": admins only;
# "domain": admins only, for a managed domain's name; "authority": admins only, for a CA).
PAGES: dict[str, str | None] = {
    "home": None,
    "request-new": None,
    "request-detail": "request",
    "request-csr": "request",
    "request-submit": "request",
    "request-cancel": "request",
    "request-hide": "request",
    "request-reject": "request",
    "request-approve": "request",
    "request-upload": "request",
    "certificate-import": None,
    "certificate-detail": "certificate",
    "certificate-download": "certificate",
    "certificate-pkcs12": "certificate",
    "certificate-renew": "certificate",
    "certificate-revoke": "certificate",
    "certificate-make-current": "certificate",
    "certificate-check-revocation": "certificate",
    "certificate-test-mail": "certificate",
    "tokens": None,
    "token-revoke": "token",
    "audit": "admin",
    "browser-keys": None,
    "browser-keys-material": None,
    "certificate-browser-material": "certificate",
    "request-key-copy": "request",
    "certificate-publish": "certificate",
    "certificate-withdraw": "certificate",
    "certificate-follow-renewals": "certificate",
    "certificate-check-dns": "certificate",
    "domains": "admin",
    "domain-detail": "domain",
    "domain-zone": "domain",
    "domain-verify": "domain",
    "domain-push": "domain",
    "audit-export": "admin",
    "dashboard": "admin",
    "certificate-list": "admin",
    "certificate-export": "admin",
    "authority-list": "admin",
    "authority-edit": "authority",
    "authority-delete": "authority",
}
PUBLIC_PAGES = {
    "healthz",
    "login",
    "logout",
    "password_change",
    "admin-password-change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "lookup",  # the sender-side lookup: public data, limited per client address
    "lookup-download",
    "guides",  # the install guides: no secrets, and read on phones not logged in
    "guide",
}
# Routes whose file the owned objects do not have (a 404 that says so).
ABSENT_FOR_OWNED = {"request-key-copy"}  # the owned request has a server key: no browser copy
# Routes that only send the browser on to another page (not form actions).
REDIRECTS = {"admin-password-change": "password_change", "lookup-download": "lookup"}
# API operations: (method, path) -> owner object, None (own list / create), "admin", or "anyone"
# (any token holder, no object).
API: dict[tuple[str, str], str | None] = {
    ("post", "/api/v1/requests"): None,
    ("get", "/api/v1/requests"): None,
    ("get", "/api/v1/requests/{request_id}"): "request",
    ("get", "/api/v1/requests/{request_id}/csr"): "request",
    ("get", "/api/v1/requests/{request_id}/encrypted-key"): "request",
    ("post", "/api/v1/requests/{request_id}/submit"): "request",
    ("post", "/api/v1/requests/{request_id}/cancel"): "request",
    ("post", "/api/v1/requests/{request_id}/reject"): "request",
    ("post", "/api/v1/requests/{request_id}/approve"): "request",
    ("post", "/api/v1/requests/{request_id}/certificate"): "request",
    ("post", "/api/v1/certificates"): None,
    ("get", "/api/v1/certificates"): None,
    ("get", "/api/v1/certificates/export.csv"): "admin",
    ("get", "/api/v1/certificates/{certificate_id}"): "certificate",
    ("get", "/api/v1/certificates/{certificate_id}/download"): "certificate",
    ("post", "/api/v1/certificates/{certificate_id}/pkcs12"): "certificate",
    ("post", "/api/v1/certificates/{certificate_id}/renew"): "certificate",
    ("post", "/api/v1/certificates/{certificate_id}/revoke"): "certificate",
    ("post", "/api/v1/certificates/{certificate_id}/make-current"): "certificate",
    ("post", "/api/v1/certificates/{certificate_id}/check-revocation"): "certificate",
    ("get", "/api/v1/trust-anchors"): "admin",
    ("post", "/api/v1/trust-anchors"): "admin",
    ("delete", "/api/v1/trust-anchors/{anchor_id}"): "admin",
    ("get", "/api/v1/domains"): "admin",
    ("post", "/api/v1/domains"): "admin",
    ("delete", "/api/v1/domains/{name}"): "admin",
    ("patch", "/api/v1/domains/{name}"): "admin",
    ("get", "/api/v1/audit"): "admin",
    ("get", "/api/v1/audit/export.csv"): "admin",
    ("get", "/api/v1/dashboard"): "admin",
    ("get", "/api/v1/certificate-authorities"): "admin",
    ("post", "/api/v1/certificate-authorities"): "admin",
    ("get", "/api/v1/certificate-authorities/{authority_id}"): "admin",
    ("patch", "/api/v1/certificate-authorities/{authority_id}"): "admin",
    ("delete", "/api/v1/certificate-authorities/{authority_id}"): "admin",
    ("get", "/api/v1/tokens"): None,
    ("post", "/api/v1/tokens"): None,
    ("delete", "/api/v1/tokens/{token_id}"): "token",
    ("post", "/api/v1/certificates/{certificate_id}/publish"): "certificate",
    ("delete", "/api/v1/certificates/{certificate_id}/publish"): "certificate",
    ("get", "/api/v1/certificates/{certificate_id}/publication"): "certificate",
    ("get", "/api/v1/domains/{name}/zone"): "admin",
    ("post", "/api/v1/domains/{name}/verify"): "admin",
    ("get", "/api/v1/discovery"): "anyone",
}
# Bodies valid enough to get past schema validation, so that access is what answers.
BODIES: dict[str, dict[str, object]] = {
    "submit": {"ca_name": "Sectigo", "order_ref": "1"},
    "reject": {"reason": "no"},
    "certificate": {"pem": "x"},
    "pkcs12": {"password": "pw", "profile": "legacy"},
    "renew": {},
    "revoke": {"reason": "lost device"},
    "cancel": {},
    "trust-anchors": {"name": "Some root", "pem": "x"},
    "domains": {"name": "example.org"},
    "certificate-authorities": {"name": "Some CA"},
}


@pytest.fixture(params=["colleague", "staff"])
def peer_user(request: pytest.FixtureRequest, colleague: User) -> User:
    """Someone who must not see the owner's objects: a colleague, and a staff member with no
    permissions (staff status opens the Django admin, it makes nobody a certificate admin)."""
    if request.param == "colleague":
        return colleague
    return User.objects.create_user("dave", "dave@example.com", "dave-pass-1234", is_staff=True)


@dataclass
class Objects:
    request: int
    certificate: int
    token: int
    authority: int


@pytest.fixture
def owned(owner, owner_api, trust_anchor, sign_csr) -> Objects:  # type: ignore[no-untyped-def]
    _, cert = issue_via_api(owner_api, sign_csr, owner.email)
    # still csr_ready, so every request transition has a live target
    other = create_server_request(owner_api, owner.email)
    token = ApiToken.objects.filter(user=owner).first()
    assert token is not None
    authority = CertificateAuthority.objects.create(name="Sectigo")
    return Objects(
        request=other["id"], certificate=cert["id"], token=token.pk, authority=authority.pk
    )


def page_routes() -> dict[str, URLPattern]:
    """Named routes outside the admin site and the API (tested on their own)."""
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for item in patterns:
            if isinstance(item, URLResolver):
                if item.namespace in ("admin", "api"):
                    continue
                walk(item.url_patterns)
            elif str(item.pattern).lstrip("^").startswith("api/"):
                continue  # the API's JSON 404 for unknown paths; the API is checked below
            elif item.name is None:
                raise AssertionError(f"route {item.pattern} has no name; name it and classify it")
            else:
                found[item.name] = item

    walk(get_resolver().url_patterns)
    return found


def page_url(name: str, owned: Objects) -> str:
    """The route's address for the owner's object (pk), a real format, placeholders else."""
    kwargs: dict[str, object] = {}
    for key in page_routes()[name].pattern.converters:
        if key == "pk":
            kwargs[key] = getattr(owned, str(PAGES[name]))
        else:
            kwargs[key] = {"fmt": "pem", "name": "example.com", "slug": "thunderbird"}.get(
                key, "x"
            )  # reset: uidb64, token
    return reverse(name, kwargs=kwargs)


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


def openapi_operations(client: Client) -> set[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").json()
    return {(method, path) for path, item in spec["paths"].items() for method in item}


def api_url(path: str, owned: Objects) -> str:
    params = {
        "{request_id}": str(owned.request),
        "{certificate_id}": str(owned.certificate),
        "{token_id}": str(owned.token),
        "{anchor_id}": str(TrustAnchor.objects.get().pk),
        "{authority_id}": str(owned.authority),
        "{name}": "example.com",
    }
    for param, value in params.items():
        path = path.replace(param, value)
    return path + ("?format=pem" if path.endswith("/download") else "")


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
        if name in ABSENT_FOR_OWNED:
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
        expected = 404 if name in ABSENT_FOR_OWNED else 200
        assert response.status_code == expected, (name, response.redirect_chain)
        final = response.redirect_chain[-1][0]
        assert final in (url, page), (name, final)
        landed += final == page
    assert landed >= 8  # submit, cancel, reject, upload, pkcs12, renew, revoke, token revoke
