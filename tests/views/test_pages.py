"""Every page renders for its owner, answers 404 to a colleague and sends strangers to login."""

from __future__ import annotations

import pytest
from django.test import Client

from certificates.models import Certificate
from tests.factories import OWNER_EMAIL, create_server_request, post_json
from tests.views.conftest import text

PAGES = ["/", "/requests/new/", "/certificates/import/", "/tokens/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_for_an_employee(owner_web: Client, url: str) -> None:
    response = owner_web.get(url)
    assert response.status_code == 200
    assert "Log out" in text(response)


def object_pages(cert: Certificate) -> list[str]:
    req = cert.request_id
    return [
        f"/requests/{req}/",
        f"/requests/{req}/csr",
        f"/certificates/{cert.pk}/",
        *(f"/certificates/{cert.pk}/download/{fmt}" for fmt in ("pem", "der", "chain", "p7b")),
    ]


def test_object_pages_render_for_their_owner(owner_web: Client, issued: Certificate) -> None:
    for url in object_pages(issued):
        assert owner_web.get(url).status_code == 200, url


def test_object_pages_render_for_an_admin(admin_web: Client, issued: Certificate) -> None:
    for url in object_pages(issued):
        assert admin_web.get(url).status_code == 200, url
    assert "alice" in text(admin_web.get(f"/certificates/{issued.pk}/"))


def test_colleague_gets_404_on_every_object_page(
    colleague_web: Client, issued: Certificate
) -> None:
    for url in object_pages(issued):
        response = colleague_web.get(url)
        assert response.status_code == 404, url
        assert "Not found" in text(response)


@pytest.mark.parametrize("action", ["submit", "cancel", "reject", "certificate"])
def test_colleague_gets_404_on_request_actions(
    colleague_web: Client, issued: Certificate, action: str
) -> None:
    response = colleague_web.post(
        f"/requests/{issued.request_id}/{action}", {"ca_name": "X", "reason": "x", "pem": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("action", ["pkcs12", "renew", "revoke"])
def test_colleague_gets_404_on_certificate_actions(
    colleague_web: Client, issued: Certificate, action: str
) -> None:
    response = colleague_web.post(
        f"/certificates/{issued.pk}/{action}",
        {
            "password": "x",
            "confirm": "x",
            "profile": "modern",
            "account_password": "bob-pass-1234",
            "mode": "new",
            "reason": "Lost device",
        },
    )
    assert response.status_code == 404
    issued.refresh_from_db()
    assert issued.status == "active"


def test_missing_objects_answer_404(owner_web: Client, db: None) -> None:
    assert owner_web.get("/requests/999/").status_code == 404
    assert owner_web.get("/certificates/999/").status_code == 404
    response = owner_web.get("/no/such/page")
    assert response.status_code == 404
    assert "Resolver404" not in text(response)


@pytest.mark.parametrize(
    "url",
    [
        *PAGES,
        "/audit/",
        "/requests/1/",
        "/certificates/1/",
        "/requests/1/csr",
        "/certificates/1/download/pem",
    ],
)
def test_anonymous_is_sent_to_login(client: Client, db: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_csrf_is_enforced(owner: object, issued: Certificate) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(issued.owner)
    assert (
        strict.post(f"/certificates/{issued.pk}/revoke", {"reason": "Lost device"}).status_code
        == 403
    )
    issued.refresh_from_db()
    assert issued.status == "active"


def test_pages_load_no_inline_script_or_style(owner_web: Client, issued: Certificate) -> None:
    for url in [*PAGES, *object_pages(issued)[:1], f"/certificates/{issued.pk}/"]:
        html = owner_web.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and "<style" not in html, url
        assert "Content-Security-Policy" in owner_web.get(url).headers


def test_login_page_and_logout(client: Client, owner: object) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'for="id_username"' in page.content.decode()
    assert 'for="id_password"' in page.content.decode()
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-pass-1234"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_login_says_so(client: Client, owner: object) -> None:
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "did not match" in text(response)


def test_oversized_upload_gets_the_413_page(owner_web: Client, issued: Certificate) -> None:
    body = "x" * (1024 * 1024 + 10)
    response = owner_web.post(f"/requests/{issued.request_id}/certificate", {"pem": body})
    assert response.status_code == 413
    assert "larger than 1024 KiB" in text(response)


def test_admin_table_lists_everyones_expiring_certificates_only(
    admin_web: Client,
    owner_api,
    trust_anchor,
    sign_csr,  # type: ignore[no-untyped-def]
) -> None:
    soon = create_server_request(owner_api, OWNER_EMAIL, key_type="ec-p256")
    later = create_server_request(owner_api, OWNER_EMAIL, key_type="ec-p256")
    short = post_json(
        owner_api,
        f"/api/v1/requests/{soon['id']}/certificate",
        {"pem": sign_csr(soon["csr_pem"], OWNER_EMAIL, days=10, key_usage="signing")},
    ).json()
    long = post_json(
        owner_api,
        f"/api/v1/requests/{later['id']}/certificate",
        {"pem": sign_csr(later["csr_pem"], OWNER_EMAIL, key_usage="encryption")},
    ).json()
    expiring = list(admin_web.get("/certificates/?status=expiring").context["page"])
    assert [c.pk for c in expiring] == [short["id"]]
    assert expiring[0].status == "expiring"
    assert long["id"] not in [c.pk for c in expiring]
