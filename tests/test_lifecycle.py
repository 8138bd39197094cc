"""Renewal, superseding and revocation over a certificate's life, and the rule that an owner
keeps the keys of old certificates: encrypted mail from years ago still needs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.test import Client

from tests.factories import (
    OWNER_EMAIL,
    OWNER_SUBJECT,
    create_server_request,
    issue_via_api,
    post_json,
)

LATER = datetime.now(UTC) + timedelta(minutes=5)  # validity is in whole seconds


def export(client: Client, cert: dict[str, Any]) -> pkcs12.PKCS12KeyAndCertificates:
    response = post_json(
        client,
        f"/api/v1/certificates/{cert['id']}/pkcs12",
        {"password": "old-mail-bundle", "profile": "modern"},
    )
    assert response.status_code == 200, response.content
    return pkcs12.load_pkcs12(response.content, b"old-mail-bundle")


def certificate(client: Client, cert: dict[str, Any]) -> dict[str, Any]:
    return client.get(f"/api/v1/certificates/{cert['id']}").json()


def issue_for(client: Client, sign_csr, request: dict[str, Any], **options: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = post_json(
        client,
        f"/api/v1/requests/{request['id']}/certificate",
        {"pem": sign_csr(request["csr_pem"], OWNER_EMAIL, **options)},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_renewal_supersedes_and_the_old_key_stays_exportable(
    owner_api,
    trust_anchor,
    sign_csr,  # type: ignore[no-untyped-def]
) -> None:
    request, old = issue_via_api(owner_api, sign_csr, OWNER_EMAIL, subject=OWNER_SUBJECT)
    renewal = post_json(owner_api, f"/api/v1/certificates/{old['id']}/renew", {})
    assert renewal.status_code == 201
    assert renewal.json()["subject"] == OWNER_SUBJECT  # pre-filled
    assert renewal.json()["key_type"] == "ec-p256"
    new_csr = x509.load_pem_x509_csr(renewal.json()["csr_pem"].encode())
    old_csr = x509.load_pem_x509_csr(request["csr_pem"].encode())
    assert new_csr.public_key() != old_csr.public_key()  # a new key by default

    new = issue_for(owner_api, sign_csr, renewal.json(), now=LATER)
    old_now = certificate(owner_api, old)
    assert old_now["status"] == "superseded"
    assert old_now["superseded_by"] == new["id"]
    assert certificate(owner_api, new)["status"] == "active"

    bundle = export(owner_api, old)
    assert bundle.key is not None and bundle.cert is not None
    assert bundle.key.public_key() == old_csr.public_key()
    assert bundle.cert.certificate.serial_number == int(old["serial_hex"], 16)


def test_renewal_can_keep_the_key_the_portal_holds(owner_api, trust_anchor, sign_csr) -> None:  # type: ignore[no-untyped-def]
    request, old = issue_via_api(owner_api, sign_csr, OWNER_EMAIL)
    renewal = post_json(owner_api, f"/api/v1/certificates/{old['id']}/renew", {"reuse_key": True})
    assert renewal.status_code == 201
    same = x509.load_pem_x509_csr(renewal.json()["csr_pem"].encode()).public_key()
    assert same == x509.load_pem_x509_csr(request["csr_pem"].encode()).public_key()


def test_signing_and_encryption_certificates_coexist_until_a_dual_use_one_arrives(
    owner_api,
    trust_anchor,
    sign_csr,  # type: ignore[no-untyped-def]
) -> None:
    signing = issue_for(
        owner_api, sign_csr, create_server_request(owner_api, OWNER_EMAIL), key_usage="signing"
    )
    encryption = issue_for(
        owner_api,
        sign_csr,
        create_server_request(owner_api, OWNER_EMAIL),
        key_usage="encryption",
        now=LATER,
    )
    assert certificate(owner_api, signing)["status"] == "active"
    assert certificate(owner_api, encryption)["status"] == "active"

    both = issue_for(
        owner_api,
        sign_csr,
        create_server_request(owner_api, OWNER_EMAIL),
        now=LATER + timedelta(minutes=5),
    )
    assert certificate(owner_api, signing)["status"] == "superseded"
    assert certificate(owner_api, encryption)["status"] == "superseded"
    assert certificate(owner_api, both)["status"] == "active"

    # A newer signing-only certificate leaves the dual-use one in place: it still encrypts.
    newer_signing = issue_for(
        owner_api,
        sign_csr,
        create_server_request(owner_api, OWNER_EMAIL),
        key_usage="signing",
        now=LATER + timedelta(minutes=10),
    )
    assert certificate(owner_api, both)["status"] == "active"
    assert certificate(owner_api, newer_signing)["status"] == "active"


def test_a_declared_revocation_is_recorded_and_the_key_stays_with_its_owner(
    owner_api,
    colleague_api,
    trust_anchor,
    sign_csr,  # type: ignore[no-untyped-def]
) -> None:
    _, cert = issue_via_api(owner_api, sign_csr, OWNER_EMAIL)
    revoked = post_json(
        owner_api, f"/api/v1/certificates/{cert['id']}/revoke", {"reason": "key compromise"}
    )
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revocation"]["method"] == "declared"
    assert revoked.json()["revocation"]["reason"] == "key compromise"
    again = post_json(owner_api, f"/api/v1/certificates/{cert['id']}/revoke", {"reason": "x"})
    assert again.status_code == 409
    assert export(owner_api, cert).key is not None
    stranger = post_json(
        colleague_api,
        f"/api/v1/certificates/{cert['id']}/pkcs12",
        {"password": "x", "profile": "modern"},
    )
    assert stranger.status_code == 404


def test_a_revoked_key_cannot_be_kept_for_a_renewal(owner_api, trust_anchor, sign_csr) -> None:  # type: ignore[no-untyped-def]
    _, cert = issue_via_api(owner_api, sign_csr, OWNER_EMAIL)
    post_json(owner_api, f"/api/v1/certificates/{cert['id']}/revoke", {"reason": "key compromise"})
    kept = post_json(owner_api, f"/api/v1/certificates/{cert['id']}/renew", {"reuse_key": True})
    assert kept.status_code == 409
    assert "renew with a new key" in kept.json()["detail"]
    fresh = post_json(owner_api, f"/api/v1/certificates/{cert['id']}/renew", {})
    assert fresh.status_code == 201


def test_the_same_certificate_is_not_added_twice(owner_api, trust_anchor, sign_csr) -> None:  # type: ignore[no-untyped-def]
    request = create_server_request(owner_api, OWNER_EMAIL)
    pem = sign_csr(request["csr_pem"], OWNER_EMAIL)
    first = post_json(owner_api, "/api/v1/certificates", {"pem": pem})
    assert first.status_code == 201
    again = post_json(owner_api, "/api/v1/certificates", {"pem": pem})
    assert again.status_code == 409
    assert again.json()["detail"] == "This certificate is already in the portal; nothing was added."
    assert owner_api.get("/api/v1/certificates").json()["count"] == 1


def test_an_older_certificate_uploaded_late_does_not_displace_the_current_one(
    owner_api,
    trust_anchor,
    sign_csr,  # type: ignore[no-untyped-def]
) -> None:
    newer = issue_for(owner_api, sign_csr, create_server_request(owner_api, OWNER_EMAIL), now=LATER)
    older = issue_for(owner_api, sign_csr, create_server_request(owner_api, OWNER_EMAIL))
    assert certificate(owner_api, newer)["status"] == "active"
    assert certificate(owner_api, older)["status"] == "superseded"
    assert certificate(owner_api, older)["superseded_by"] == newer["id"]
