"""The routes the access tests walk, enumerated from Django's URL resolver and the OpenAPI
document, and how each is classified: which of the owner's objects it takes, who may use it.
A route missing here fails tests/test_access.py (classify new routes here)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from certificates.models import CertificateAuthority, TrustAnchor
from certificates.services import tokens
from tests.conftest import actor
from tests.factories import create_browser_key_request, issue_via_api, post_json

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
    "javascript-catalog",  # the page scripts' translated strings: UI text only, on every page
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
# Object routes only the owner acts on: an admin, who sees the object, is refused (403) the
# private key material and the owner's own choices. Tokens are the owner's alone: to an admin
# another person's token does not exist (404), as to anyone else.
OWNER_ONLY_PAGES = {
    "request-hide",
    "request-key-copy",
    "certificate-pkcs12",
    "certificate-browser-material",
    "certificate-test-mail",
}
# Object routes only admins act on: the owner, who sees the object, is refused (403).
ADMIN_ACTION_PAGES = {"request-reject", "request-approve"}
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
OWNER_ONLY_API = {
    ("get", "/api/v1/requests/{request_id}/encrypted-key"),
    ("post", "/api/v1/certificates/{certificate_id}/pkcs12"),
}
ADMIN_ACTION_API = {
    ("post", "/api/v1/requests/{request_id}/reject"),
    ("post", "/api/v1/requests/{request_id}/approve"),
}
# Bodies valid enough to get past schema validation, so that access is what answers.
BODIES: dict[str, dict[str, object]] = {
    "submit": {"ca_name": "Sectigo", "order_ref": "1"},
    "reject": {"reason": "no"},
    "certificate": {"pem": "x"},
    "pkcs12": {"password": "bundle-password", "profile": "legacy"},
    "renew": {},
    "revoke": {"reason": "lost device"},
    "cancel": {},
    "trust-anchors": {"name": "Some root", "pem": "x"},
    "domains": {"name": "example.org"},
    "certificate-authorities": {"name": "Some CA"},
}


def page_body(name: str, user: User) -> dict[str, str]:
    """A form that passes validation where only a valid one shows who may act (a key export
    asks for the account password first); empty elsewhere."""
    if name == "certificate-pkcs12":
        password = "bundle-password-1"
        return {
            "password": password,
            "confirm": password,
            "profile": "modern",
            "account_password": f"{user.username}-pass-1234",  # tests.conftest's accounts
        }
    return {}


@dataclass
class Objects:
    request: int
    certificate: int
    token: int
    authority: int
    well_known: str  # the published certificate's public address


@pytest.fixture
def owned(owner, owner_api, trust_anchor, sign_csr) -> Objects:  # type: ignore[no-untyped-def]
    """The owner's objects, each in a state where every route on it has something to do: an
    issued and published certificate, a request still csr_ready (so every transition has a
    live target) made with a browser key whose encrypted copy the portal keeps, a token of
    their own, and the CA the organisation orders from."""
    _, cert = issue_via_api(owner_api, sign_csr, owner.email)
    published = post_json(owner_api, f"/api/v1/certificates/{cert['id']}/publish")
    assert published.status_code == 200, published.content
    _, other = create_browser_key_request(owner_api, owner.email)
    token, _ = tokens.create(actor(owner), owner, "spare", scopes=[])
    authority = CertificateAuthority.objects.create(name="Sectigo")
    return Objects(
        request=other["id"],
        certificate=cert["id"],
        token=token.pk,
        authority=authority.pk,
        well_known=published.json()["url"],
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
