"""/api/v1/requests: creating requests, reading them and moving them through the state table."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import AuditEvent, CertificateRequest
from tests.factories import OWNER_EMAIL, make_csr, openssl_csr, post_json

URL = "/api/v1/requests"


def create(client: Client, **body: Any) -> Any:
    return post_json(client, URL, {"email": OWNER_EMAIL, "key_source": "server", **body})


def test_create_with_server_key_answers_the_request_and_a_matching_csr(
    owner_api: Client, server_request: dict[str, Any]
) -> None:
    body = server_request
    assert body["state"] == "csr_ready"
    assert body["owner"] == "alice"
    assert body["email"] == OWNER_EMAIL
    assert body["key_source"] == "server"
    assert body["key_type"] == "ec-p256"
    assert body["subject"] == {
        "common_name": "Alice Example",
        "given_name": "Alice",
        "surname": "Example",
    }
    assert body["ca_name"] == body["order_ref"] == ""
    assert body["certificate_id"] is None
    assert [e["action"] for e in body["timeline"]] == ["request.created"]
    assert body["timeline"][0]["actor"] == "alice"
    assert body["timeline"][0]["details"]["via"] == "api"
    generated = AuditEvent.objects.get(action="key.generated")
    assert (generated.object_type, generated.actor_label) == ("storedkey", "alice")
    assert generated.details["request"] == body["id"]
    assert generated.details["key_type"] == "ec-p256"
    csr = x509.load_pem_x509_csr(body["csr_pem"].encode())
    assert csr.is_signature_valid
    assert isinstance(csr.public_key(), ec.EllipticCurvePublicKey)
    assert csr.public_key().curve.name == "secp256r1"
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == [OWNER_EMAIL]
    assert csr.subject.get_attributes_for_oid(NameOID.GIVEN_NAME)[0].value == "Alice"


def test_create_defaults_to_rsa_3072_and_a_mailbox_subject(owner_api: Client) -> None:
    response = create(owner_api)
    assert response.status_code == 201
    csr = x509.load_pem_x509_csr(response.json()["csr_pem"].encode())
    assert isinstance(csr.public_key(), rsa.RSAPublicKey)
    assert csr.public_key().key_size == 3072
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == OWNER_EMAIL


def test_create_from_uploaded_csr_keeps_its_key(owner_api: Client) -> None:
    csr_pem = make_csr()
    response = create(owner_api, key_source="upload", csr_pem=csr_pem)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["key_source"] == "upload"
    assert body["key_type"] == "ec-p256"
    stored = x509.load_pem_x509_csr(body["csr_pem"].encode())
    assert stored.public_key() == x509.load_pem_x509_csr(csr_pem.encode()).public_key()
    assert not AuditEvent.objects.filter(action="key.generated").exists()  # the key is theirs


@pytest.mark.parametrize(
    ("csr", "message"),
    [
        # cryptography refuses to sign with SHA-1, so this one comes from the openssl CLI
        (lambda: openssl_csr("-sha1"), "signature uses SHA-1, which CAs no longer accept"),
        (
            lambda: make_csr(extra=[x509.NameAttribute(NameOID.ORGANIZATION_NAME, "N/A")]),
            "Organization 'N/A' is a placeholder",
        ),
        (
            lambda: make_csr("mallory@example.com"),
            "This CSR is for mallory@example.com, but this request is for",
        ),
        (lambda: make_csr(key=rsa.generate_private_key(65537, 1024)), "1024"),  # noqa: S505
        (
            lambda: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----",
            "not a CSR",
        ),
    ],
    ids=["sha1", "placeholder", "other-address", "rsa-1024", "garbage"],
)
def test_bad_csr_is_refused_and_nothing_stored(owner_api: Client, csr: Any, message: str) -> None:
    response = create(owner_api, key_source="upload", csr_pem=csr())
    assert response.status_code == 422, response.content
    assert message in response.json()["detail"]
    assert CertificateRequest.objects.count() == 0


def test_placeholder_in_the_subject_is_refused(owner_api: Client) -> None:
    response = create(owner_api, subject={"organization": "N/A"})
    assert response.status_code == 422
    assert "placeholder" in response.json()["detail"]
    assert "S/MIME BR 7.1.4.2" in response.json()["detail"]
    assert CertificateRequest.objects.count() == 0


@pytest.mark.parametrize(
    "hidden",
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "N/A"),
        x509.NameAttribute(NameOID.TITLE, "N/A"),
        x509.NameAttribute(NameOID.STREET_ADDRESS, "-"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "u" * 300),
        x509.NameAttribute(NameOID.COMMON_NAME, "\u202eAlice\n\x00<b>"),
    ],
    ids=["second-o", "title", "street", "second-ou", "second-cn"],
)
def test_every_subject_value_of_an_uploaded_csr_is_checked(
    owner_api: Client, hidden: x509.NameAttribute
) -> None:
    """The issue's CSRs: each problem sat behind an acceptable first value of its kind."""
    first = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Sales"),
    ]
    response = create(owner_api, key_source="upload", csr_pem=make_csr(extra=[*first, hidden]))
    assert response.status_code == 422, response.content
    assert len(response.json()["errors"]) == 1
    assert CertificateRequest.objects.count() == 0


def test_all_problems_of_a_csr_are_reported_together(owner_api: Client) -> None:
    extra = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "N/A"),
        x509.NameAttribute(NameOID.TITLE, "N/A"),
        x509.NameAttribute(NameOID.COMMON_NAME, "\u202eAlice"),
    ]
    response = create(owner_api, key_source="upload", csr_pem=make_csr(extra=extra))
    assert response.status_code == 422
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [
        "subject.organization",
        "subject.title",
        "subject.common_name",
    ]
    assert body["errors"][0]["loc"] == ["subject", "organization"]
    assert body["detail"] == "3 problems: " + " ".join(e["msg"] for e in body["errors"])
    assert body["errors"][1]["msg"].startswith("Title 'N/A' is a placeholder")
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in body["errors"][2]["msg"]


def test_address_of_someone_else_or_outside_managed_domains_is_refused(owner_api: Client) -> None:
    other = create(owner_api, email="bob@example.com")
    assert other.status_code == 422
    assert "is not the address of account 'alice'" in other.json()["detail"]
    foreign = create(owner_api, email="alice@elsewhere.org")
    assert foreign.status_code == 422
    assert "elsewhere.org is not a mail domain this portal manages" in foreign.json()["detail"]
    assert CertificateRequest.objects.count() == 0


def test_unknown_key_type_names_the_choices(owner_api: Client) -> None:
    response = create(owner_api, key_type="rsa-1024")
    assert response.status_code == 422
    assert "rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384" in response.json()["detail"]


def test_admin_creates_a_request_on_behalf_of_an_employee(admin_api: Client, owner: User) -> None:
    response = create(admin_api, owner="alice", key_type="ec-p256")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"] == "alice"
    assert body["timeline"][0]["actor"] == "carol"


def test_employee_cannot_create_for_someone_else(owner_api: Client, colleague: User) -> None:
    response = post_json(
        owner_api, URL, {"email": "bob@example.com", "key_source": "server", "owner": "bob"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only certificate admins can act on behalf of another user."
    assert CertificateRequest.objects.count() == 0


def test_list_is_paginated_filtered_and_own_only(
    owner_api: Client, colleague_api: Client, admin_api: Client
) -> None:
    ids = [create(owner_api, key_type="ec-p256").json()["id"] for _ in range(3)]
    post_json(owner_api, f"{URL}/{ids[0]}/cancel")
    page = owner_api.get(URL, {"limit": 2, "offset": 0}).json()
    assert page["count"] == 3
    assert [r["id"] for r in page["items"]] == ids[::-1][:2]  # newest first
    assert [r["id"] for r in owner_api.get(URL, {"offset": 2}).json()["items"]] == [ids[0]]
    cancelled = owner_api.get(URL, {"state": "cancelled"}).json()
    assert [r["id"] for r in cancelled["items"]] == [ids[0]]
    assert [e["action"] for e in cancelled["items"][0]["timeline"]] == [
        "request.created",
        "request.cancelled",
    ]
    assert colleague_api.get(URL).json() == {"count": 0, "items": []}
    assert admin_api.get(URL).json()["count"] == 3


def test_list_refuses_bad_state_and_limits(owner_api: Client) -> None:
    state = owner_api.get(URL, {"state": "done"})
    assert state.status_code == 422
    assert state.json()["detail"].startswith(
        "Query parameter 'state': Input should be 'awaiting_approval', 'csr_ready'"
    )
    limit = owner_api.get(URL, {"limit": 501})
    assert limit.status_code == 422
    assert limit.json()["detail"] == (
        "Query parameter 'limit': Input should be less than or equal to 500."
    )


def test_get_and_download_the_csr(owner_api: Client, server_request: dict[str, Any]) -> None:
    rid = server_request["id"]
    assert owner_api.get(f"{URL}/{rid}").json() == server_request
    response = owner_api.get(f"{URL}/{rid}/csr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pkcs10"
    assert response["Content-Disposition"] == f'attachment; filename="request-{rid}.csr"'
    original = x509.load_pem_x509_csr(server_request["csr_pem"].encode())
    assert x509.load_pem_x509_csr(response.content).public_key() == original.public_key()


def test_submit_then_cancel_and_nothing_after(
    owner_api: Client, server_request: dict[str, Any]
) -> None:
    rid = server_request["id"]
    submitted = post_json(
        owner_api, f"{URL}/{rid}/submit", {"ca_name": "Sectigo", "order_ref": "ORD-42"}
    )
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert (submitted.json()["ca_name"], submitted.json()["order_ref"]) == ("Sectigo", "ORD-42")
    again = post_json(owner_api, f"{URL}/{rid}/submit", {"ca_name": "Sectigo"})
    assert again.status_code == 409
    assert again.json()["detail"] == (
        f"Request #{rid} is 'submitted', so it cannot become 'submitted' (only from 'csr_ready')."
    )
    cancelled = post_json(owner_api, f"{URL}/{rid}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    for action, body in (("submit", {"ca_name": "X"}), ("cancel", {}), ("reject", {"reason": "x"})):
        response = post_json(owner_api, f"{URL}/{rid}/{action}", body)
        assert response.status_code in (403, 409)
    response = post_json(owner_api, f"{URL}/{rid}/cancel")
    assert response.status_code == 409
    assert "is 'cancelled', so it cannot become 'cancelled'" in response.json()["detail"]
    assert CertificateRequest.objects.get(pk=rid).state == "cancelled"


def test_submit_needs_a_ca_name(owner_api: Client, server_request: dict[str, Any]) -> None:
    missing = post_json(owner_api, f"{URL}/{server_request['id']}/submit", {})
    assert missing.status_code == 422
    assert missing.json()["detail"] == "Field 'ca_name': Field required."
    assert missing.json()["errors"][0]["field"] == "ca_name"
    blank = post_json(owner_api, f"{URL}/{server_request['id']}/submit", {"ca_name": " "})
    assert blank.status_code == 422
    assert blank.json()["detail"] == "Name the CA the CSR was sent to (for example Sectigo)."


def test_only_admins_reject_with_a_reason(
    owner_api: Client, admin_api: Client, server_request: dict[str, Any]
) -> None:
    rid = server_request["id"]
    by_owner = post_json(owner_api, f"{URL}/{rid}/reject", {"reason": "duplicate"})
    assert by_owner.status_code == 403
    assert by_owner.json()["detail"] == "Only certificate admins can do this."
    rejected = post_json(admin_api, f"{URL}/{rid}/reject", {"reason": "Wrong department"})
    assert rejected.status_code == 200
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["reject_reason"] == "Wrong department"
    after = post_json(admin_api, f"{URL}/{rid}/submit", {"ca_name": "Sectigo"})
    assert after.status_code == 409
    assert "is 'rejected', so it cannot become 'submitted'" in after.json()["detail"]


def test_colleague_gets_404_on_every_request_route(
    colleague_api: Client, server_request: dict[str, Any]
) -> None:
    rid = server_request["id"]
    expected = f"There is no certificate request #{rid} that you can see."
    calls = [
        colleague_api.get(f"{URL}/{rid}"),
        colleague_api.get(f"{URL}/{rid}/csr"),
        post_json(colleague_api, f"{URL}/{rid}/submit", {"ca_name": "Sectigo"}),
        post_json(colleague_api, f"{URL}/{rid}/cancel"),
        post_json(colleague_api, f"{URL}/{rid}/reject", {"reason": "x"}),
        post_json(colleague_api, f"{URL}/{rid}/certificate", {"pem": "x"}),
    ]
    for response in calls:
        assert response.status_code == 404
        assert response.json() == {"detail": expected}
    assert CertificateRequest.objects.get(pk=rid).state == "csr_ready"
