"""Every route, enumerated from Django's URL resolver and the OpenAPI document: anonymous
callers get nothing private, a colleague gets 404 for each of the owner's objects, and a
route this test does not know fails it (classify new routes here)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from certificates.models import ApiToken, CertificateAuthority, TrustAnchor
from tests.conftest import api_client
from tests.factories import create_server_request, issue_via_api, logged_in

# Page routes by URL name: which owner object they take (None: no object; "admin": admins only).
PAGES: dict[str, str | None] = {
    "home": None,
    "request-new": None,
    "request-detail": "request",
    "request-csr": "request",
    "request-submit": "request",
    "request-cancel": "request",
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
    "tokens": None,
    "token-revoke": "token",
    "audit": "admin",
    "audit-export": "admin",
    "dashboard": "admin",
    "certificate-list": "admin",
    "certificate-export": "admin",
    "authority-list": "admin",
    "authority-edit": "admin",
    "authority-delete": "admin",
}
PUBLIC_PAGES = {
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# API operations: (method, path) -> owner object, None (own list / create), or "admin".
API: dict[tuple[str, str], str | None] = {
    ("post", "/api/v1/requests"): None,
    ("get", "/api/v1/requests"): None,
    ("get", "/api/v1/requests/{request_id}"): "request",
    ("get", "/api/v1/requests/{request_id}/csr"): "request",
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
    kind = PAGES.get(name)
    if kind in ("request", "certificate", "token"):
        kwargs: dict[str, object] = {"pk": getattr(owned, kind)}
        if name == "certificate-download":
            kwargs["fmt"] = "pem"
        return reverse(name, kwargs=kwargs)
    if name in ("authority-edit", "authority-delete"):
        return reverse(name, kwargs={"pk": owned.authority})
    return reverse(name)


def test_every_page_route_is_classified() -> None:
    unknown = set(page_routes()) - set(PAGES) - PUBLIC_PAGES
    assert not unknown, f"classify these routes in tests/test_access.py: {sorted(unknown)}"
    missing = set(PAGES) - set(page_routes())
    assert not missing, f"routes listed here no longer exist: {sorted(missing)}"


def test_pages_are_private_and_objects_are_the_owners(owned: Objects, colleague) -> None:  # type: ignore[no-untyped-def]
    anonymous = Client()
    peer = logged_in(colleague)
    for name, kind in PAGES.items():
        url = page_url(name, owned)
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url)
            assert response.status_code == 302, (name, method, response.status_code)
            assert response["Location"].startswith(reverse("login")), (name, method)
        if kind in ("request", "certificate", "token"):
            assert peer.post(url).status_code == 404, (name, "post")
            # A POST-only action answers GET with 405 before looking anything up: no leak.
            assert peer.get(url).status_code in (404, 405), (name, "get")
        elif kind == "admin":
            assert peer.get(url).status_code in (403, 404), name
            assert peer.post(url).status_code in (403, 404), (name, "post")


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


def test_api_objects_are_the_owners(owned: Objects, colleague, owner) -> None:  # type: ignore[no-untyped-def]
    anonymous = Client()
    peer = api_client(colleague, ["keys:export"])
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
        elif method == "get":
            assert response.status_code == 200, (method, path)
            owners = {item.get("owner") for item in response.json()["items"]}
            assert owner.username not in owners, path
            ids = {item["id"] for item in response.json()["items"]}
            kind_of_list = path.rsplit("/", 1)[-1].rstrip("s")
            assert getattr(owned, kind_of_list) not in ids, path
