"""The API for keys made in a browser: the CSR with an optional encrypted key copy, which only
its owner downloads; nothing half-written when the copy is refused."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from certificates.models import AuditEvent, CertificateRequest, EncryptedKeyCopy
from tests.factories import OWNER_EMAIL, SignCsr, make_csr, post_json, upload_certificate

PASSPHRASE = b"key passphrase"


def browser_key() -> tuple[str, str]:
    """A CSR and its key encrypted as the page encrypts it (PBES2 PKCS#8)."""
    key = ec.generate_private_key(ec.SECP256R1())
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE),
    )
    return make_csr(OWNER_EMAIL, key=key), encrypted.decode()


def create(client: Client, **body: Any) -> Any:
    return post_json(
        client, "/api/v1/requests", {"email": OWNER_EMAIL, "key_source": "browser", **body}
    )


def test_browser_request_keeps_the_encrypted_copy_for_its_owner(owner_api: Client) -> None:
    csr, encrypted = browser_key()
    response = create(owner_api, csr_pem=csr, encrypted_key=encrypted)
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    assert [e["action"] for e in response.json()["timeline"]] == [
        "request.created",
        "key.copy_stored",
    ]
    copy = owner_api.get(f"/api/v1/requests/{request_id}/encrypted-key")
    assert copy.status_code == 200
    assert copy["Content-Type"].startswith("application/pkcs8")
    key = serialization.load_pem_private_key(copy.content, PASSPHRASE)
    assert key.public_key() == x509.load_pem_x509_csr(csr.encode()).public_key()
    assert CertificateRequest.objects.get(pk=request_id).stored_key is None
    assert AuditEvent.objects.filter(action="key.copy_downloaded").count() == 1


def test_only_the_owner_downloads_the_copy(
    owner_api: Client, colleague_api: Client, admin_api: Client
) -> None:
    csr, encrypted = browser_key()
    request_id = create(owner_api, csr_pem=csr, encrypted_key=encrypted).json()["id"]
    url = f"/api/v1/requests/{request_id}/encrypted-key"
    assert colleague_api.get(url).status_code == 404
    refused = admin_api.get(url)
    assert refused.status_code == 403
    assert "Only the owner" in refused.json()["detail"]
    assert not AuditEvent.objects.filter(action="key.copy_downloaded").exists()


def test_request_without_copy_answers_404_for_the_copy(owner_api: Client) -> None:
    csr, _ = browser_key()
    request_id = create(owner_api, csr_pem=csr).json()["id"]
    missing = owner_api.get(f"/api/v1/requests/{request_id}/encrypted-key")
    assert missing.status_code == 404
    assert "no encrypted key copy" in missing.json()["detail"]


def test_unencrypted_key_is_refused_and_nothing_is_stored(owner_api: Client) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    plain = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    response = create(owner_api, csr_pem=make_csr(OWNER_EMAIL, key=key), encrypted_key=plain)
    assert response.status_code == 422
    assert "unencrypted private key" in response.json()["detail"]
    assert not CertificateRequest.objects.exists()
    assert not EncryptedKeyCopy.objects.exists()


def test_copy_is_refused_for_other_key_sources(owner_api: Client) -> None:
    _, encrypted = browser_key()
    response = post_json(
        owner_api,
        "/api/v1/requests",
        {"email": OWNER_EMAIL, "key_source": "server", "encrypted_key": encrypted},
    )
    assert response.status_code == 422
    assert "key_source 'browser'" in response.json()["detail"]
    assert not CertificateRequest.objects.exists()


def test_a_refused_csr_leaves_no_copy_behind(owner_api: Client) -> None:
    _, encrypted = browser_key()
    response = create(owner_api, csr_pem=make_csr("bob@example.com"), encrypted_key=encrypted)
    assert response.status_code == 422
    assert not EncryptedKeyCopy.objects.exists()


def test_renewal_with_a_browser_key_keeps_its_copy(
    owner_api: Client, sign_csr: SignCsr, trust_anchor: Any
) -> None:
    csr, encrypted = browser_key()
    first = create(owner_api, csr_pem=csr, encrypted_key=encrypted).json()
    cert = upload_certificate(owner_api, sign_csr, first)
    assert cert["key_source"] == "browser"
    new_csr, new_encrypted = browser_key()
    renewed = post_json(
        owner_api,
        f"/api/v1/certificates/{cert['id']}/renew",
        {"key_source": "browser", "csr_pem": new_csr, "encrypted_key": new_encrypted},
    )
    assert renewed.status_code == 201, renewed.content
    assert EncryptedKeyCopy.objects.count() == 2
    old_copy = owner_api.get(f"/api/v1/requests/{first['id']}/encrypted-key")
    assert old_copy.content.decode() == encrypted
