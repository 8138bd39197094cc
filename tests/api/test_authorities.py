"""/api/v1/certificate-authorities: admins record the CAs and which domains each serves."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from certificates.models import AuditEvent, CertificateAuthority, Domain
from tests.factories import post_json

URL = "/api/v1/certificate-authorities"
SECTIGO = {
    "name": "Sectigo",
    "product": "Personal Authentication Pro",
    "profile": "individual",
    "submit_url": "https://order.example/smime",
    "instructions": "Paste the CSR into the order form and pick 'Pro'.",
    "caa_issuemail": "Sectigo.com",
    "domains": ["example.com"],
}


def patch_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, body, content_type="application/json")


def test_admins_record_change_and_remove_a_ca(admin_api: Client, domain: Domain) -> None:
    created = post_json(admin_api, URL, SECTIGO)
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in SECTIGO} == {**SECTIGO, "caa_issuemail": "sectigo.com"}
    ca_id = body["id"]
    assert Domain.objects.get().certificate_authority_id == ca_id
    assert admin_api.get(URL).json()["items"][0]["domains"] == ["example.com"]
    assert admin_api.get(f"{URL}/{ca_id}").json()["name"] == "Sectigo"

    Domain.objects.create(name="example.org")
    changed = patch_json(
        admin_api, f"{URL}/{ca_id}", {"profile": "mailbox", "domains": ["example.org"]}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["profile"] == "mailbox"
    assert changed.json()["domains"] == ["example.org"]
    assert changed.json()["product"] == SECTIGO["product"]  # what was not sent stays
    assert Domain.objects.get(name="example.com").certificate_authority is None

    assert admin_api.delete(f"{URL}/{ca_id}").status_code == 204
    assert not CertificateAuthority.objects.exists()
    assert Domain.objects.get(name="example.org").certificate_authority is None
    actions = list(
        AuditEvent.objects.filter(object_type="certificateauthority").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["authority.added", "authority.changed", "authority.removed"]
    assert admin_api.get(f"{URL}/{ca_id}").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": " "}, 422, "Give the CA a name"),
        ({"name": "X", "domains": ["nowhere.example"]}, 422, "not a managed domain"),
        ({"name": "X", "profile": "extended"}, 422, "profile"),
        ({"name": "X", "submit_url": "ftp://x"}, 422, "submit_url"),
        ({"name": "X", "caa_issuemail": "not a domain"}, 422, "not a domain name"),
        ({"name": "X", "colour": "red"}, 422, "colour"),
        ({"name": "sectigo"}, 409, "already a certificate authority named"),
        ({"name": "HARICA", "domains": ["example.com"]}, 409, "served by Sectigo"),
    ],
)
def test_refusals_say_why(
    admin_api: Client, domain: Domain, body: dict[str, Any], status: int, words: str
) -> None:
    assert post_json(admin_api, URL, SECTIGO).status_code == 201
    response = post_json(admin_api, URL, body)
    assert response.status_code == status, response.content
    assert words in response.json()["detail"]
    assert CertificateAuthority.objects.count() == 1


def test_domains_show_their_ca_and_approval(admin_api: Client, domain: Domain) -> None:
    post_json(admin_api, URL, SECTIGO)
    (listed,) = admin_api.get("/api/v1/domains").json()["items"]
    assert listed["certificate_authority"] == "Sectigo" and listed["requires_approval"] is False
    changed = patch_json(admin_api, "/api/v1/domains/EXAMPLE.com", {"requires_approval": True})
    assert changed.status_code == 200 and changed.json()["requires_approval"] is True
    assert AuditEvent.objects.filter(action="domain.changed").exists()
    assert patch_json(admin_api, "/api/v1/domains/nowhere.example", {}).status_code == 404
    refused = patch_json(admin_api, "/api/v1/domains/example.com", {"name": "other.example"})
    assert refused.status_code == 422
