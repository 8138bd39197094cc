"""POST /api/v1/requests/{id}/certificate: the issued certificate, and every refusal of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate, CertificateRequest, TrustAnchor
from certificates.services import anchors
from tests.conftest import actor
from tests.factories import OWNER_EMAIL, SignCsr, make_csr, post_json, to_pem
from tests.testca import SmimeTestCA, other_root


def url(request: dict[str, Any]) -> str:
    return f"/api/v1/requests/{request['id']}/certificate"


def upload_file(client: Client, request: dict[str, Any], data: bytes, name: str) -> Any:
    return client.post(url(request), {"file": SimpleUploadedFile(name, data)})


def test_json_pem_upload_issues_the_request(
    owner_api: Client, server_request: dict[str, Any], sign_csr: SignCsr, trust_anchor: TrustAnchor
) -> None:
    pem = sign_csr(server_request["csr_pem"])
    response = post_json(owner_api, url(server_request), {"pem": pem})
    assert response.status_code == 201, response.content
    body = response.json()
    leaf = x509.load_pem_x509_certificate(pem.encode())
    assert body["serial_hex"] == f"{leaf.serial_number:x}".zfill(len(body["serial_hex"]))
    assert int(body["serial_hex"], 16) == leaf.serial_number
    assert body["email"] == OWNER_EMAIL
    assert body["owner"] == "alice"
    assert body["request_id"] == server_request["id"]
    assert body["key_source"] == "server"
    assert body["has_server_key"] is True
    assert body["chain_verdict"] == "trusted"
    assert body["trust_anchor"] == "Test S/MIME Root"
    assert body["status"] == "active"
    assert body["key_usage"] == "both"
    assert body["revocation"] == {
        "status": None,
        "reason": None,
        "revoked_at": None,
        "method": None,
        "checked_at": None,
    }
    after = owner_api.get(f"/api/v1/requests/{server_request['id']}").json()
    assert after["state"] == "issued"
    assert after["certificate_id"] == body["id"]
    assert [e["action"] for e in after["timeline"]][-1] == "request.issued"


def test_multipart_pkcs7_upload(
    owner_api: Client,
    server_request: dict[str, Any],
    test_ca: SmimeTestCA,
    trust_anchor: TrustAnchor,
) -> None:
    csr = x509.load_pem_x509_csr(server_request["csr_pem"].encode())
    leaf = test_ca.issue(csr, OWNER_EMAIL, now=timezone.now())
    p7b = pkcs7.serialize_certificates([leaf, *test_ca.chain], serialization.Encoding.DER)
    response = upload_file(owner_api, server_request, p7b, "cert.p7b")
    assert response.status_code == 201, response.content
    assert response.json()["sha256_fingerprint"] == leaf.fingerprint(hashes.SHA256()).hex()


def test_multipart_der_upload_of_the_leaf_alone_when_the_issuer_is_trusted(
    owner_api: Client, server_request: dict[str, Any], test_ca: SmimeTestCA, admin: User
) -> None:
    issuing = test_ca.issuing.public_bytes(serialization.Encoding.PEM)
    anchors.add(actor(admin), "Test Issuing CA", issuing)
    csr = x509.load_pem_x509_csr(server_request["csr_pem"].encode())
    der = test_ca.issue(csr, OWNER_EMAIL, now=timezone.now()).public_bytes(
        serialization.Encoding.DER
    )
    response = upload_file(owner_api, server_request, der, "cert.cer")
    assert response.status_code == 201, response.content
    assert response.json()["chain_verdict"] == "trusted"
    assert response.json()["trust_anchor"] == "Test Issuing CA"


def test_untrusted_root_is_stored_with_a_warning(
    owner_api: Client, server_request: dict[str, Any], trust_anchor: TrustAnchor
) -> None:
    other = other_root(timezone.now())
    csr = x509.load_pem_x509_csr(server_request["csr_pem"].encode())
    leaf = other.issue(csr, OWNER_EMAIL, now=timezone.now())
    response = post_json(owner_api, url(server_request), {"pem": to_pem(leaf, *other.chain)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["chain_verdict"] == "untrusted-root"
    assert body["trust_anchor"] is None
    assert any("not a configured trust anchor" in w for w in body["warnings"])


# Each refusal: (how to build the upload from the request's CSR, words of the detail).
Build = Callable[[dict[str, Any], SignCsr, SmimeTestCA], bytes]


def _signed(**kw: Any) -> Build:
    return lambda req, sign_csr, ca: sign_csr(req["csr_pem"], **kw).encode()


def _two_leaves(req: dict[str, Any], sign_csr: SignCsr, ca: SmimeTestCA) -> bytes:
    other = sign_csr(make_csr(), chain=False)
    return (sign_csr(req["csr_pem"]) + other).encode()


def _with_private_key(req: dict[str, Any], sign_csr: SignCsr, ca: SmimeTestCA) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return sign_csr(req["csr_pem"]).encode() + key


REFUSALS: dict[str, tuple[Build, str]] = {
    "other-key": (
        lambda req, sign_csr, ca: sign_csr(make_csr()).encode(),
        "This certificate is for a different key than the request's CSR",
    ),
    "other-address": (
        _signed(email="bob@example.com"),
        f"This certificate is for bob@example.com, not {OWNER_EMAIL}",
    ),
    "no-email-protection": (
        _signed(eku=[ExtendedKeyUsageOID.CLIENT_AUTH]),
        "lacks emailProtection, so it cannot be used for email",
    ),
    "expired": (
        _signed(now=timezone.now() - timedelta(days=400), days=30),
        "This certificate expired on",
    ),
    "garbage": (
        lambda req, sign_csr, ca: b"\x00\x01garbage that is no certificate\xff" * 20,
        "This file is not a certificate in PEM, DER or PKCS#7 format",
    ),
    "empty": (lambda req, sign_csr, ca: b"", "The file is empty"),
    "two-leaves": (_two_leaves, "The file holds 2 end-entity certificates"),
    "private-key": (
        _with_private_key,
        "The file contains a private key. Nothing from it was stored.",
    ),
    "no-chain": (_signed(chain=False), "The certificate chain does not validate"),
    "csr": (
        lambda req, sign_csr, ca: req["csr_pem"].encode(),
        "This file is a certificate signing request (CSR), not a certificate",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_refused_upload_stores_nothing(
    owner_api: Client,
    server_request: dict[str, Any],
    sign_csr: SignCsr,
    test_ca: SmimeTestCA,
    trust_anchor: TrustAnchor,
    case: str,
) -> None:
    build, words = REFUSALS[case]
    response = upload_file(
        owner_api, server_request, build(server_request, sign_csr, test_ca), "cert.pem"
    )
    assert response.status_code == 422, response.content
    assert words in response.json()["detail"]
    assert Certificate.objects.count() == 0
    assert CertificateRequest.objects.get(pk=server_request["id"]).state == "csr_ready"


def test_five_megabyte_file_is_refused_with_413_json(
    owner_api: Client, server_request: dict[str, Any]
) -> None:
    response = upload_file(owner_api, server_request, b"A" * (5 * 1024 * 1024), "big.pem")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("The upload is larger than 1024 KiB.")
    assert Certificate.objects.count() == 0


def test_form_without_file_field_or_wrong_content_type(
    owner_api: Client, server_request: dict[str, Any]
) -> None:
    no_file = owner_api.post(url(server_request), {"certificate": "x"})
    assert no_file.status_code == 422
    assert no_file.json()["detail"].startswith("The form has no field named 'file'.")
    assert no_file.json()["errors"][0]["field"] == "file"
    text = owner_api.post(url(server_request), "-----BEGIN", content_type="text/plain")
    assert text.status_code == 415
    assert text.json()["detail"].startswith("Unsupported content type 'text/plain'.")
    missing_pem = post_json(owner_api, url(server_request), {})
    assert missing_pem.status_code == 422
    assert missing_pem.json()["detail"] == "Field 'pem': Field required."


def test_second_upload_and_upload_after_cancel_are_409(
    owner_api: Client, server_request: dict[str, Any], sign_csr: SignCsr, trust_anchor: TrustAnchor
) -> None:
    pem = sign_csr(server_request["csr_pem"])
    assert post_json(owner_api, url(server_request), {"pem": pem}).status_code == 201
    again = post_json(owner_api, url(server_request), {"pem": pem})
    assert again.status_code == 409
    assert again.json()["detail"] == (
        f"Request #{server_request['id']} is 'issued', so it cannot become 'issued' (only from "
        "'csr_ready' or 'submitted'). Start a new request instead."
    )
    assert Certificate.objects.count() == 1

    other = post_json(
        owner_api,
        "/api/v1/requests",
        {"email": OWNER_EMAIL, "key_source": "upload", "csr_pem": make_csr()},
    ).json()
    post_json(owner_api, f"/api/v1/requests/{other['id']}/cancel")
    late = post_json(owner_api, url(other), {"pem": sign_csr(other["csr_pem"])})
    assert late.status_code == 409
    assert "is 'cancelled', so it cannot become 'issued'" in late.json()["detail"]
    assert Certificate.objects.count() == 1
