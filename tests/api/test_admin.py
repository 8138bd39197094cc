"""/api/v1/trust-anchors, /domains and /audit: certificate admins only."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import hashes
from django.test import Client
from django.utils import timezone

from certificates.models import AuditEvent, Domain, TrustAnchor
from tests.factories import (
    OWNER_EMAIL,
    SignCsr,
    create_server_request,
    make_csr,
    post_json,
    to_pem,
)
from tests.testca import SmimeTestCA, other_root

ADMIN_ONLY = {"detail": "Only certificate admins can do this."}


def test_admin_adds_and_lists_trust_anchors(admin_api: Client, test_ca: SmimeTestCA) -> None:
    response = post_json(
        admin_api, "/api/v1/trust-anchors", {"name": "Test Root", "pem": to_pem(test_ca.root)}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Test Root"
    assert body["sha256_fingerprint"] == test_ca.root.fingerprint(hashes.SHA256()).hex()
    assert body["subject"] == test_ca.root.subject.rfc4514_string()
    listed = admin_api.get("/api/v1/trust-anchors").json()
    assert listed == {"count": 1, "items": [body]}

    duplicate = post_json(
        admin_api, "/api/v1/trust-anchors", {"name": "Again", "pem": to_pem(test_ca.root)}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"] == "This root is already a trust anchor."
    two = post_json(
        admin_api,
        "/api/v1/trust-anchors",
        {"name": "Two", "pem": to_pem(*other_root(timezone.now()).chain)},
    )
    assert two.status_code == 422
    assert two.json()["detail"] == "Upload exactly one root certificate; the file holds 2."
    assert TrustAnchor.objects.count() == 1


def test_employees_cannot_touch_admin_objects(owner_api: Client, test_ca: SmimeTestCA) -> None:
    calls = [
        owner_api.get("/api/v1/trust-anchors"),
        post_json(owner_api, "/api/v1/trust-anchors", {"name": "x", "pem": to_pem(test_ca.root)}),
        owner_api.get("/api/v1/domains"),
        post_json(owner_api, "/api/v1/domains", {"name": "evil.example"}),
        owner_api.get("/api/v1/audit"),
        owner_api.delete("/api/v1/domains/example.com"),
    ]
    for response in calls:
        assert response.status_code == 403
        assert response.json() == ADMIN_ONLY
    assert TrustAnchor.objects.count() == 0
    assert not Domain.objects.filter(name="evil.example").exists()


def test_admin_adds_and_lists_domains(admin_api: Client) -> None:
    response = post_json(
        admin_api,
        "/api/v1/domains",
        {
            "name": "Mail.Example.ORG.",
            "base_url": "https://mail.example.org",
            "dns_ttl": 300,
            "dnssec_signed": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["base_url"], body["dns_ttl"], body["dnssec_signed"]) == (
        "mail.example.org",
        "https://mail.example.org",
        300,
        True,
    )
    names = [d["name"] for d in admin_api.get("/api/v1/domains").json()["items"]]
    assert names == ["example.com", "mail.example.org"]
    duplicate = post_json(admin_api, "/api/v1/domains", {"name": "example.com"})
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"] == "example.com is already a managed domain."
    bad_url = post_json(admin_api, "/api/v1/domains", {"name": "x.org", "base_url": "ftp://x"})
    assert bad_url.status_code == 422
    assert bad_url.json()["detail"].startswith("Field 'base_url': String should match pattern")
    bad_name = post_json(admin_api, "/api/v1/domains", {"name": "localhost"})
    assert bad_name.status_code == 422
    assert bad_name.json()["detail"] == "'localhost' is not a domain name such as example.com."


def test_audit_filters(
    admin_api: Client, owner_api: Client, server_request: dict[str, Any]
) -> None:
    rid = server_request["id"]
    post_json(owner_api, f"/api/v1/requests/{rid}/cancel")
    everything = admin_api.get("/api/v1/audit").json()
    assert everything["count"] >= 4  # two tokens, a key, a request, a cancellation
    cancelled = admin_api.get("/api/v1/audit", {"action": "request.cancelled"}).json()
    assert cancelled["count"] == 1
    event = cancelled["items"][0]
    assert (event["actor"], event["object"], event["ip"]) == (
        "alice",
        f"certificaterequest:{rid}",
        "127.0.0.1",
    )
    assert event["details"] == {"via": "api"}
    by_object = admin_api.get("/api/v1/audit", {"object": f"request:{rid}"}).json()
    assert [e["action"] for e in by_object["items"]] == ["request.cancelled", "request.created"]
    by_type = admin_api.get("/api/v1/audit", {"object": "certificaterequest"}).json()
    assert by_type["count"] == 2
    post_json(admin_api, "/api/v1/domains", {"name": "example.net"})
    by_actor = admin_api.get("/api/v1/audit", {"actor": "carol"}).json()
    assert [e["action"] for e in by_actor["items"]] == ["domain.added", "token.created"]
    assert by_actor["items"][0]["object_repr"] == "example.net"
    first = admin_api.get("/api/v1/audit", {"limit": 1}).json()
    assert first["count"] == everything["count"] + 1 and len(first["items"]) == 1


def test_adding_the_root_rejudges_stored_certificates_and_removing_it_undoes_that(
    admin_api: Client, owner_api: Client, sign_csr: SignCsr, test_ca: SmimeTestCA
) -> None:
    imported = post_json(owner_api, "/api/v1/certificates", {"pem": sign_csr(make_csr())}).json()
    assert imported["chain_verdict"] == "untrusted-root"
    untrusted_warning = imported["chain_reason"]
    assert untrusted_warning in imported["warnings"]

    added = post_json(admin_api, "/api/v1/trust-anchors", {"pem": to_pem(test_ca.root)})
    assert added.status_code == 201, added.content
    anchor = added.json()
    assert (anchor["name"], anchor["certificates"]) == ("Test S/MIME Root CA", 1)
    now = owner_api.get(f"/api/v1/certificates/{imported['id']}").json()
    assert (now["chain_verdict"], now["trust_anchor"]) == ("trusted", "Test S/MIME Root CA")
    assert untrusted_warning not in now["warnings"]
    assert AuditEvent.objects.get(action="trust_anchor.added").details["now_trusted"] == 1
    rejudged = AuditEvent.objects.get(action="certificate.rejudged")
    assert (rejudged.object_id, rejudged.details["was"]) == (str(imported["id"]), "untrusted-root")

    removed = admin_api.delete(f"/api/v1/trust-anchors/{anchor['id']}")
    assert removed.status_code == 200, removed.content
    assert removed.json() == {
        "id": anchor["id"],
        "name": "Test S/MIME Root CA",
        "untrusted": [imported["id"]],
    }
    after = owner_api.get(f"/api/v1/certificates/{imported['id']}").json()
    assert (after["chain_verdict"], after["trust_anchor"]) == ("untrusted-root", None)
    assert untrusted_warning in after["warnings"]
    assert AuditEvent.objects.get(action="trust_anchor.removed").details["now_untrusted"] == 1
    assert admin_api.delete(f"/api/v1/trust-anchors/{anchor['id']}").status_code == 404
    assert TrustAnchor.objects.count() == 0


def test_a_root_added_later_completes_a_chain_uploaded_without_it(
    admin_api: Client, owner_api: Client, sign_csr: SignCsr, test_ca: SmimeTestCA
) -> None:
    leaf_and_issuer = sign_csr(make_csr(), chain=False) + to_pem(test_ca.issuing)
    imported = post_json(owner_api, "/api/v1/certificates", {"pem": leaf_and_issuer}).json()
    assert imported["chain_verdict"] == "untrusted-root"
    post_json(admin_api, "/api/v1/trust-anchors", {"pem": to_pem(test_ca.root)})
    chain = owner_api.get(f"/api/v1/certificates/{imported['id']}/download?format=chain")
    assert chain.content.decode() == to_pem(test_ca.issuing, test_ca.root)


def test_a_domain_in_use_is_not_removed(
    admin_api: Client, owner_api: Client, issued: dict[str, Any]
) -> None:
    waiting = create_server_request(owner_api, OWNER_EMAIL)
    refused = admin_api.delete("/api/v1/domains/example.com")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"example.com cannot be removed while 1 live certificate (#{issued['id']}) and 1 open "
        f"request (#{waiting['id']}) use addresses in it. Revoke the certificates or let them "
        "expire and cancel or reject the requests first."
    )
    post_json(owner_api, f"/api/v1/requests/{waiting['id']}/cancel")
    only_certificate = admin_api.delete("/api/v1/domains/example.com").json()["detail"]
    assert only_certificate.endswith("Revoke the certificates or let them expire first.")
    post_json(owner_api, f"/api/v1/certificates/{issued['id']}/revoke", {"reason": "left"})
    assert admin_api.delete("/api/v1/domains/Example.COM").status_code == 204
    assert not Domain.objects.exists()
    event = AuditEvent.objects.get(action="domain.removed")
    assert (event.object_repr, event.actor_label) == ("example.com", "carol")
    missing = admin_api.delete("/api/v1/domains/example.com")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "example.com is not a managed domain."
    refused = admin_api.delete("/api/v1/domains/s)ì")  # a name IDNA refuses: no such domain
    assert refused.status_code == 404
    assert refused.json()["detail"] == "'s)ì' is not a managed domain."


def test_audit_times_with_any_offset_are_compared_in_utc(
    admin_api: Client, server_request: dict[str, Any]
) -> None:
    """ISO 8601 allows offsets up to ±23:59, PostgreSQL only up to ±15:59: both are asked."""
    everything = admin_api.get("/api/v1/audit").json()["count"]
    # 2000-01-01 05:00 at -18:30 is 23:30 UTC that day: every event is later
    since = admin_api.get("/api/v1/audit", {"since": "2000-01-01T05:00:00-18:30"})
    assert since.status_code == 200 and since.json()["count"] == everything
    until = admin_api.get("/api/v1/audit", {"until": "9999-12-31T23:00:00-18:00"})
    assert until.status_code == 200 and until.json()["count"] == everything
    nothing = admin_api.get("/api/v1/audit", {"since": "9999-12-31T23:00:00-18:00"})
    assert nothing.status_code == 200 and nothing.json()["count"] == 0


def test_an_audit_object_id_that_names_nothing_is_a_field_error(admin_api: Client) -> None:
    for url in ("/api/v1/audit", "/api/v1/audit/export.csv"):
        response = admin_api.get(url, {"object": "certificate:abc"})
        assert response.status_code == 422, url
        error = response.json()["errors"][0]
        assert error["field"] == "object"
        assert "An object id is a number, such as 12" in error["msg"]
    assert admin_api.get("/api/v1/audit", {"object": "key:12"}).status_code == 422
    assert admin_api.get("/api/v1/audit", {"object": "certificate:12"}).status_code == 200
