"""/api/v1: publish, withdraw and read a publication; a domain's zone snippet. Owner or admin;
a colleague gets 404; refusals say why."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from certificates.models import AuditEvent, Domain
from discovery.models import Publication
from tests.conftest import api_client
from tests.discovery.conftest import publish_via_api
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api, post_json

URL = "/api/v1/certificates"
OWNER_FILE = "https://example.com/.well-known/smime/Alice_Example.crt"


def test_owner_publishes_and_gets_the_url_and_the_txt_record(
    owner_api: Client, published: dict[str, Any]
) -> None:
    assert published["url"] == OWNER_FILE
    assert published["pem_url"] == OWNER_FILE.replace(".crt", ".pem")
    assert published["records"] == [
        {
            "name": "Alice.Example._smime.example.com.",
            "type": "TXT",
            "ttl": 3600,
            "value": f'"{OWNER_FILE}"',
            "in_zone": True,
        }
    ]
    assert published["follow_renewals"] is True
    assert published["dns_state"] == "unknown"
    read = owner_api.get(f"{URL}/{published['certificate_id']}/publication")
    assert read.status_code == 200 and read.json() == published
    event = AuditEvent.objects.get(action="publication.published")
    assert event.details["url"] == OWNER_FILE


def test_dnssec_signed_domain_lists_both_smimea_forms_and_the_domain_chooses_the_zones(
    owner_api: Client, issued_cert: dict[str, Any], domain: Domain
) -> None:
    domain.dnssec_signed = True
    domain.save()
    from discovery.models import DomainPublishing

    DomainPublishing.objects.create(domain=domain, smimea_forms="full", lowercase_owner=False)
    body = publish_via_api(owner_api, issued_cert["id"])
    smimea = [r for r in body["records"] if r["type"] == "SMIMEA"]
    owner = hashlib.sha256(b"Alice.Example").hexdigest()[:56] + "._smimecert.example.com."
    assert {r["name"] for r in smimea} == {owner}
    assert [(r["value"][:6], r["in_zone"]) for r in smimea] == [("3 0 0 ", True), ("3 1 1 ", False)]


def test_publishing_twice_keeps_one_publication_and_changes_the_renewal_choice(
    owner_api: Client, published: dict[str, Any]
) -> None:
    again = publish_via_api(owner_api, published["certificate_id"], follow_renewals=False)
    assert again["follow_renewals"] is False
    assert Publication.objects.count() == 1


def test_colleague_gets_404_for_every_publishing_call(
    colleague_api: Client, published: dict[str, Any]
) -> None:
    cid = published["certificate_id"]
    for response in (
        post_json(colleague_api, f"{URL}/{cid}/publish"),
        colleague_api.get(f"{URL}/{cid}/publication"),
        colleague_api.delete(f"{URL}/{cid}/publish"),
    ):
        assert response.status_code == 404
        assert response.json()["detail"] == f"There is no certificate #{cid} that you can see."
    assert Publication.objects.filter(certificate_id=cid).exists()


def test_admin_publishes_and_withdraws_for_the_owner(
    admin_api: Client, issued_cert: dict[str, Any]
) -> None:
    cid = issued_cert["id"]
    assert publish_via_api(admin_api, cid)["url"] == OWNER_FILE
    response = admin_api.delete(f"{URL}/{cid}/publish")
    assert response.status_code == 204
    assert admin_api.get(f"{URL}/{cid}/publication").status_code == 404
    withdrawn = AuditEvent.objects.get(action="publication.withdrawn")
    assert (
        withdrawn.actor_label == "carol" and withdrawn.details["reason"] == "withdrawn on request"
    )


def test_reading_an_unpublished_certificate_says_how_to_publish(
    owner_api: Client, issued_cert: dict[str, Any]
) -> None:
    response = owner_api.get(f"{URL}/{issued_cert['id']}/publication")
    assert response.status_code == 404
    assert f"POST /api/v1/certificates/{issued_cert['id']}/publish" in response.json()["detail"]


def test_signing_only_certificate_is_refused(
    owner: User, owner_api: Client, trust_anchor: Any, sign_csr: SignCsr
) -> None:
    request = post_json(
        owner_api,
        "/api/v1/requests",
        {"email": OWNER_EMAIL, "key_source": "server", "key_type": "ec-p256", "subject": {}},
    ).json()
    pem = sign_csr(request["csr_pem"], OWNER_EMAIL, key_usage="signing")
    cert = post_json(owner_api, f"/api/v1/requests/{request['id']}/certificate", {"pem": pem})
    response = post_json(owner_api, f"{URL}/{cert.json()['id']}/publish")
    assert response.status_code == 422
    assert "signing only" in response.json()["detail"]


def test_revoked_certificate_cannot_be_published_and_a_published_one_is_withdrawn(
    owner_api: Client,
    published: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    cid = published["certificate_id"]
    with django_capture_on_commit_callbacks(execute=True):
        revoked = post_json(owner_api, f"{URL}/{cid}/revoke", {"reason": "key compromise"})
    assert revoked.status_code == 200
    assert not Publication.objects.exists()
    event = AuditEvent.objects.get(action="publication.withdrawn")
    assert event.actor_label == "system" and event.details["reason"] == "certificate revoked"
    response = post_json(owner_api, f"{URL}/{cid}/publish")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Certificate #{cid} is revoked; only a live certificate is published."
    )


def _person(username: str, email: str) -> Client:
    User.objects.create_user(username, email, password="x-pass-1234")
    return api_client(User.objects.get(username=username))


def test_two_addresses_that_map_to_one_file_are_refused(
    trust_anchor: Any, sign_csr: SignCsr, domain: Domain
) -> None:
    dotted, underscored = _person("ab1", "a.b@example.com"), _person("ab2", "a_b@example.com")
    first = issue_via_api(dotted, sign_csr, "a.b@example.com")[1]
    second = issue_via_api(underscored, sign_csr, "a_b@example.com")[1]
    publish_via_api(dotted, first["id"])
    response = post_json(underscored, f"{URL}/{second['id']}/publish")
    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        f"a_b.crt is already published for a.b@example.com (certificate #{first['id']}); "
        "two addresses that map to one file name cannot both be published."
    )
    assert Publication.objects.get().certificate_id == first["id"]


def _renew(client: Client, sign_csr: SignCsr, cid: int) -> dict[str, Any]:
    renewal = post_json(client, f"{URL}/{cid}/renew").json()
    later = datetime.now(UTC) + timedelta(hours=1)  # issued later, so it supersedes the old one
    pem = sign_csr(renewal["csr_pem"], OWNER_EMAIL, now=later)
    response = post_json(client, f"/api/v1/requests/{renewal['id']}/certificate", {"pem": pem})
    assert response.status_code == 201, response.content
    return response.json()


def test_renewal_takes_the_published_place_in_the_issuing_transaction(
    owner_api: Client,
    sign_csr: SignCsr,
    published: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = published["certificate_id"]
    row = Publication.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        new = _renew(owner_api, sign_csr, old)
    assert Publication.objects.get().pk == row.pk  # the same row: replaced, never absent
    assert Publication.objects.get().certificate_id == new["id"]
    body = owner_api.get(f"{URL}/{new['id']}/publication").json()
    assert body["url"] == OWNER_FILE and body["follow_renewals"] is True
    assert owner_api.get(f"{URL}/{old}/publication").status_code == 404
    reasons = AuditEvent.objects.filter(action="publication.withdrawn").values_list(
        "object_id", "details__reason"
    )
    assert list(reasons) == [(str(old), f"replaced by #{new['id']}")]


def test_owner_who_opted_out_of_renewals_sees_the_old_one_withdrawn_when_superseded(
    owner_api: Client,
    sign_csr: SignCsr,
    issued_cert: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    publish_via_api(owner_api, issued_cert["id"], follow_renewals=False)
    with django_capture_on_commit_callbacks(execute=True):
        new = _renew(owner_api, sign_csr, issued_cert["id"])
    assert not Publication.objects.exists()
    assert owner_api.get(f"{URL}/{new['id']}/publication").status_code == 404
    event = AuditEvent.objects.get(action="publication.withdrawn")
    assert event.details["reason"] == "certificate superseded"


def test_zone_snippet_is_plain_text_for_admins_only(
    admin_api: Client, owner_api: Client, published: dict[str, Any]
) -> None:
    response = admin_api.get("/api/v1/domains/example.com/zone")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f'Alice.Example._smime.example.com. 3600 IN TXT "{OWNER_FILE}"' in text
    assert owner_api.get("/api/v1/domains/example.com/zone").status_code == 403
    missing = admin_api.get("/api/v1/domains/example.org/zone")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "'example.org' is not a managed mail domain."
