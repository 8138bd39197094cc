"""/api/v1/certificates: import, list, read, download, PKCS#12, renew, revoke."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from certificates.models import AuditEvent, Certificate, CertificateRequest, TrustAnchor
from tests.conftest import api_client
from tests.factories import OWNER_EMAIL, SignCsr, make_csr, post_json
from tests.testca import SmimeTestCA

URL = "/api/v1/certificates"


def test_get_answers_the_contract_fields(
    owner_api: Client, issued: dict[str, Any], test_ca: SmimeTestCA
) -> None:
    body = owner_api.get(f"{URL}/{issued['id']}").json()
    # The upload's answer adds what the upload superseded (nothing: it is the first).
    assert {**body, "superseded": []} == issued
    for field in (
        "id",
        "owner",
        "email",
        "subject",
        "issuer",
        "serial_hex",
        "not_before",
        "not_after",
        "sha256_fingerprint",
        "key_usage",
        "key_source",
        "chain_verdict",
        "warnings",
        "status",
        "revocation",
        "request_id",
    ):
        assert field in body
    assert body["issuer"] == test_ca.issuing.subject.rfc4514_string()
    assert OWNER_EMAIL in body["subject"]
    assert body["emails"] == [OWNER_EMAIL]


def test_import_without_request(
    owner_api: Client, sign_csr: SignCsr, trust_anchor: TrustAnchor
) -> None:
    response = post_json(owner_api, URL, {"pem": sign_csr(make_csr())})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["key_source"], body["request_id"], body["has_server_key"]) == (
        "imported",
        None,
        False,
    )
    assert body["owner"] == "alice"


def test_admin_imports_for_an_employee_but_employees_only_for_themselves(
    owner_api: Client,
    admin_api: Client,
    sign_csr: SignCsr,
    trust_anchor: TrustAnchor,
    colleague: User,
) -> None:
    by_admin = post_json(admin_api, URL, {"pem": sign_csr(make_csr()), "owner": "alice"})
    assert by_admin.status_code == 201, by_admin.content
    assert by_admin.json()["owner"] == "alice"
    by_owner = post_json(
        owner_api,
        URL,
        {"pem": sign_csr(make_csr("bob@example.com"), "bob@example.com"), "owner": "bob"},
    )
    assert by_owner.status_code == 403
    assert by_owner.json()["detail"] == "Only certificate admins can act on behalf of another user."
    # A username that does not exist gets the same answer: employees learn nothing about accounts.
    ghost = post_json(owner_api, URL, {"pem": sign_csr(make_csr()), "owner": "nobody"})
    assert (ghost.status_code, ghost.json()) == (by_owner.status_code, by_owner.json())
    assert Certificate.objects.count() == 1


def test_list_filters_by_status_expiry_and_address(
    owner_api: Client,
    admin_api: Client,
    colleague_api: Client,
    issued: dict[str, Any],
    sign_csr: SignCsr,
) -> None:
    # signing-only, so it does not supersede the certificate that also encrypts
    soon = post_json(owner_api, URL, {"pem": sign_csr(make_csr(), days=10, key_usage="signing")})
    soon = soon.json()
    assert soon["status"] == "expiring"
    ids = lambda page: [c["id"] for c in page["items"]]  # noqa: E731
    assert ids(owner_api.get(URL).json()) == [soon["id"], issued["id"]]
    assert ids(owner_api.get(URL, {"status": "expiring"}).json()) == [soon["id"]]
    assert ids(owner_api.get(URL, {"status": "active"}).json()) == [issued["id"]]
    assert owner_api.get(URL, {"status": "revoked"}).json() == {"count": 0, "items": []}
    cutoff = (timezone.now() + timedelta(days=30)).date().isoformat()
    assert ids(owner_api.get(URL, {"expires_before": cutoff}).json()) == [soon["id"]]
    assert owner_api.get(URL, {"email": OWNER_EMAIL.upper()}).json()["count"] == 2
    assert owner_api.get(URL, {"email": "bob@example.com"}).json()["count"] == 0
    assert owner_api.get(URL, {"limit": 1, "offset": 1}).json() == {
        "count": 2,
        "items": [owner_api.get(f"{URL}/{issued['id']}").json()],
    }
    assert colleague_api.get(URL).json()["count"] == 0
    assert admin_api.get(URL).json()["count"] == 2
    bad = owner_api.get(URL, {"status": "valid"})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("Query parameter 'status': Input should be 'active'")
    assert owner_api.get(URL, {"expires_before": "soon"}).status_code == 422


def test_downloads(owner_api: Client, issued: dict[str, Any], test_ca: SmimeTestCA) -> None:
    stem = f"Alice.Example_example.com-{issued['serial_hex'][:8]}"
    expected = {
        "pem": ("application/x-pem-file", f"{stem}.pem"),
        "der": ("application/pkix-cert", f"{stem}.crt"),
        "chain": ("application/x-pem-file", f"{stem}-chain.pem"),
        "p7b": ("application/pkcs7-mime", f"{stem}.p7b"),
    }
    got = {}
    for fmt, (content_type, filename) in expected.items():
        response = owner_api.get(f"{URL}/{issued['id']}/download", {"format": fmt})
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        got[fmt] = response.content
    leaf = x509.load_pem_x509_certificate(got["pem"])
    assert leaf.serial_number == int(issued["serial_hex"], 16)
    assert x509.load_der_x509_certificate(got["der"]) == leaf
    assert x509.load_pem_x509_certificates(got["chain"]) == test_ca.chain
    # PKCS#7 holds a SET OF certificates: DER sorts them, so compare without order
    assert set(pkcs7.load_der_pkcs7_certificates(got["p7b"])) == {leaf, *test_ca.chain}
    default = owner_api.get(f"{URL}/{issued['id']}/download")
    assert default.content == got["pem"]
    bad = owner_api.get(f"{URL}/{issued['id']}/download", {"format": "pfx"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == (
        "Query parameter 'format': Input should be 'pem', 'der', 'chain' or 'p7b'."
    )


@pytest.mark.parametrize("profile", ["modern", "legacy"])
def test_pkcs12_export_parses_back_with_key_certificate_and_chain(
    owner_api: Client, issued: dict[str, Any], test_ca: SmimeTestCA, profile: str, tmp_path: Any
) -> None:
    response = post_json(
        owner_api, f"{URL}/{issued['id']}/pkcs12", {"password": "correct horse", "profile": profile}
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/x-pkcs12"
    stem = f"Alice.Example_example.com-{issued['serial_hex'][:8]}"
    assert response["Content-Disposition"] == f'attachment; filename="{stem}-{profile}.p12"'
    assert response["Cache-Control"] == "no-store"
    bundle = pkcs12.load_pkcs12(response.content, b"correct horse")
    assert bundle.cert is not None and bundle.key is not None
    assert bundle.cert.certificate.serial_number == int(issued["serial_hex"], 16)
    assert bundle.key.public_key() == bundle.cert.certificate.public_key()
    assert [c.certificate for c in bundle.additional_certs] == test_ca.chain
    # OpenSSL 3 reads both profiles without -legacy.
    (tmp_path / "b.p12").write_bytes(response.content)
    subprocess.run(
        ["openssl", "pkcs12", "-in", "b.p12", "-info", "-noout", "-passin", "pass:correct horse"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=60,
    )
    exports = AuditEvent.objects.filter(action="key.exported", object_id=str(issued["id"]))
    assert [e.details["profile"] for e in exports] == [profile]


def test_pkcs12_refusals(
    owner: User,
    owner_api: Client,
    admin_api: Client,
    colleague_api: Client,
    issued: dict[str, Any],
    sign_csr: SignCsr,
) -> None:
    path = f"{URL}/{issued['id']}/pkcs12"
    body = {"password": "bundle-password-1", "profile": "modern"}
    no_scope = post_json(api_client(owner), path, body)
    assert no_scope.status_code == 403
    assert no_scope.json()["detail"].startswith("This API token lacks the 'keys:export' scope.")
    assert "--scope keys:export" in no_scope.json()["detail"]
    assert post_json(colleague_api, path, body).status_code == 404
    admin_with_scope = post_json(
        api_client(User.objects.get(username="carol"), ["keys:export"]), path, body
    )
    assert admin_with_scope.status_code == 403
    assert admin_with_scope.json()["detail"] == (
        "Only the certificate's owner can export its private key."
    )
    empty = post_json(owner_api, path, {"password": "", "profile": "legacy"})
    assert empty.status_code == 422
    assert empty.json()["detail"] == (
        "Choose a password for the bundle; an empty password is refused."
    )
    short = post_json(owner_api, path, {"password": "x", "profile": "legacy"})
    assert short.status_code == 422
    assert short.json()["detail"].startswith(
        "The bundle password needs at least 12 characters (this one has 1): anyone who gets a "
        "copy of the file can guess at it offline"
    )
    long = post_json(owner_api, path, {"password": "x" * 1025, "profile": "legacy"})
    assert long.status_code == 422
    assert "1024" in long.json()["detail"]
    profile = post_json(owner_api, path, {"password": "x", "profile": "rc2"})
    assert profile.status_code == 422
    assert profile.json()["detail"] == "Field 'profile': Input should be 'modern' or 'legacy'."

    # a request made from the owner's own CSR, issued: the key never reached the portal
    csr = make_csr()
    own = post_json(
        owner_api,
        "/api/v1/requests",
        {"email": OWNER_EMAIL, "key_source": "upload", "csr_pem": csr},
    ).json()
    own_cert = post_json(
        owner_api, f"/api/v1/requests/{own['id']}/certificate", {"pem": sign_csr(csr)}
    ).json()
    assert own_cert["key_source"] == "upload"
    imported = post_json(owner_api, URL, {"pem": sign_csr(make_csr())}).json()
    for cert in (own_cert, imported):
        held_elsewhere = post_json(owner_api, f"{URL}/{cert['id']}/pkcs12", body)
        assert held_elsewhere.status_code == 409
        detail = held_elsewhere.json()["detail"]
        assert detail.startswith("The portal does not hold the private key of this certificate")
        assert "-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES" in detail


def test_renew_makes_a_prefilled_request_with_a_new_key(
    owner_api: Client, issued: dict[str, Any], server_request: dict[str, Any]
) -> None:
    response = post_json(owner_api, f"{URL}/{issued['id']}/renew")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["renewal_of"] == issued["id"]
    assert (body["email"], body["subject"], body["key_type"], body["state"]) == (
        OWNER_EMAIL,
        server_request["subject"],
        "ec-p256",
        "csr_ready",
    )
    new_key = x509.load_pem_x509_csr(body["csr_pem"].encode()).public_key()
    old_key = x509.load_pem_x509_csr(server_request["csr_pem"].encode()).public_key()
    assert new_key != old_key
    reused = post_json(owner_api, f"{URL}/{issued['id']}/renew", {"reuse_key": True}).json()
    assert x509.load_pem_x509_csr(reused["csr_pem"].encode()).public_key() == old_key
    rsa = post_json(owner_api, f"{URL}/{issued['id']}/renew", {"key_type": "rsa-2048"}).json()
    assert rsa["key_type"] == "rsa-2048"


def test_renew_with_own_csr_and_refusals(
    owner_api: Client, issued: dict[str, Any], sign_csr: SignCsr
) -> None:
    csr = make_csr()
    own = post_json(
        owner_api, f"{URL}/{issued['id']}/renew", {"key_source": "upload", "csr_pem": csr}
    )
    assert own.status_code == 201, own.content
    assert own.json()["key_source"] == "upload"
    imported = post_json(owner_api, URL, {"pem": sign_csr(make_csr())}).json()
    reuse = post_json(owner_api, f"{URL}/{imported['id']}/renew", {"reuse_key": True})
    assert reuse.status_code == 409
    assert reuse.json()["detail"] == (
        "Only a key the portal holds can be reused; renew with a new key instead."
    )
    assert CertificateRequest.objects.count() == 2


def test_revoke_records_reason_and_is_final(owner_api: Client, issued: dict[str, Any]) -> None:
    path = f"{URL}/{issued['id']}/revoke"
    missing = post_json(owner_api, path, {"reason": "  "})
    assert missing.status_code == 422
    assert missing.json()["detail"].startswith("Say why the certificate is revoked")
    response = post_json(owner_api, path, {"reason": "Lost laptop"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "revoked"
    revocation = body["revocation"]
    assert (revocation["status"], revocation["reason"], revocation["method"]) == (
        "revoked",
        "Lost laptop",
        "declared",
    )
    assert revocation["revoked_at"] is not None
    again = post_json(owner_api, path, {"reason": "twice"})
    assert again.status_code == 409
    assert again.json()["detail"] == f"Certificate #{issued['id']} is already revoked."
    assert owner_api.get(URL, {"status": "revoked"}).json()["count"] == 1


def test_colleague_gets_404_on_every_certificate_route(
    colleague_api: Client, issued: dict[str, Any]
) -> None:
    cid = issued["id"]
    expected = {"detail": f"There is no certificate #{cid} that you can see."}
    calls = [
        colleague_api.get(f"{URL}/{cid}"),
        colleague_api.get(f"{URL}/{cid}/download"),
        post_json(colleague_api, f"{URL}/{cid}/pkcs12", {"password": "x", "profile": "modern"}),
        post_json(colleague_api, f"{URL}/{cid}/renew"),
        post_json(colleague_api, f"{URL}/{cid}/revoke", {"reason": "mine now"}),
    ]
    for response in calls:
        assert response.status_code == 404
        assert response.json() == expected
    assert Certificate.objects.get(pk=cid).status == "active"
    assert CertificateRequest.objects.count() == 1
