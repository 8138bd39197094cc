"""Uploads an attacker sizes to hurt: bounded with a clear 4xx on every door, and parsed while
no write transaction is open, so everyone else can still write (issue: one 256 KB file held a
worker for 23 s and, parsed inside the SQLite write lock, made a token creation fail).

How fast the parsing is shows in bench/adversarial_uploads.py; these tests do not time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from certificates.models import ApiToken, CertificateRequest, TrustAnchor
from certificates.pki import bundle, pkcs12
from certificates.pki import csr as pki_csr
from certificates.services import tokens
from tests.conftest import actor
from tests.factories import OWNER_EMAIL, SignCsr, create_server_request, logged_in, post_json
from tests.testca import SmimeTestCA

# The issue's file: 256 KB of BEGIN lines without an END.
UNMATCHED_BEGIN_LINES = b"-----BEGIN A" * (262136 // 12) + b"-----"
TOO_MANY_BEGINS = (
    "The file has more than 32 BEGIN lines; a certificate with its chain, or a CSR, has a few, "
    "so this is not the file to upload."
)


def _file(data: bytes, name: str = "upload.pem") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_issues_unmatched_begin_file_is_refused_on_import_and_upload(
    owner_api: Client, server_request: dict[str, Any]
) -> None:
    for url in ("/api/v1/certificates", f"/api/v1/requests/{server_request['id']}/certificate"):
        response = owner_api.post(url, {"file": _file(UNMATCHED_BEGIN_LINES)})
        assert response.status_code == 422, response.content
        assert response.json() == {"detail": TOO_MANY_BEGINS}


def test_a_chain_longer_than_the_cap_is_refused(
    owner_api: Client, server_request: dict[str, Any], sign_csr: SignCsr
) -> None:
    pem = sign_csr(server_request["csr_pem"])
    padding = "".join(
        [
            x509.load_pem_x509_certificate(pem.encode())
            .public_bytes(serialization.Encoding.PEM)
            .decode()
        ]
        * 20
    )
    url = f"/api/v1/requests/{server_request['id']}/certificate"
    response = post_json(owner_api, url, {"pem": pem + padding})
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "The file holds 23 certificates; a certificate with its chain has at most 20"
    )
    assert CertificateRequest.objects.get(pk=server_request["id"]).state == "csr_ready"


def test_a_csr_with_thousands_of_addresses_is_refused(owner_api: Client) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.RFC822Name(f"a{n}@example.com") for n in range(2000)]
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([]))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    body = {
        "email": OWNER_EMAIL,
        "key_source": "upload",
        "csr_pem": csr.public_bytes(serialization.Encoding.PEM).decode(),
    }
    response = post_json(owner_api, "/api/v1/requests", body)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "The CSR has 2000 subject alternative names; at most 100 are accepted, so create a CSR "
        "for your own address only."
    )


def test_a_trust_anchor_file_of_begin_lines_is_refused(admin_api: Client) -> None:
    body = {"name": "Root", "pem": UNMATCHED_BEGIN_LINES.decode()}
    response = post_json(admin_api, "/api/v1/trust-anchors", body)
    assert response.status_code == 422
    assert response.json() == {"detail": TOO_MANY_BEGINS}
    assert not TrustAnchor.objects.exists()


class ParseProbe:
    """Stands inside the upload parsers: notes whether a transaction is open on this thread's
    connection, and makes another writer (a token creation on its own connection, as a second
    web worker would) write while the parse is under way. With the parse inside SQLite's write
    lock, that writer waits out the busy timeout and fails with 'database is locked'."""

    def __init__(self, writer: User) -> None:
        self.writer = writer
        self.in_transaction: list[bool] = []
        self.written: list[bool] = []

    def wrap(self, parse: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
        def probed(data: bytes) -> Any:
            self.in_transaction.append(connection.in_atomic_block)
            thread = threading.Thread(target=self._write_elsewhere)
            thread.start()
            thread.join(timeout=120)
            return parse(data)

        return probed

    def _write_elsewhere(self) -> None:
        from django.db import connection as own_connection

        try:
            tokens.create(actor(self.writer), self.writer, "made during an upload")
            self.written.append(True)
        except Exception:
            self.written.append(False)
        finally:
            own_connection.close()


def _superuser_web() -> Client:
    return logged_in(User.objects.create_superuser("sue", "sue@example.com", "sue-pass-1234"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "door",
    [
        "api-request-csr",
        "api-request-certificate",
        "api-import",
        "api-trust-anchor",
        "page-request-csr",
        "page-request-certificate",
        "page-import",
        "admin-trust-anchor",
    ],
)
def test_uploads_are_parsed_outside_any_transaction_while_others_write(
    door: str,
    owner: User,
    owner_api: Client,
    owner_web: Client,
    admin_api: Client,
    test_ca: SmimeTestCA,
    sign_csr: SignCsr,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probe = ParseProbe(owner)
    monkeypatch.setattr(bundle, "load_certificates", probe.wrap(bundle.load_certificates))
    monkeypatch.setattr(pki_csr, "load_csr", probe.wrap(pki_csr.load_csr))
    root = test_ca.root.public_bytes(serialization.Encoding.PEM)

    def certificate() -> tuple[int, str]:
        created = create_server_request(owner_api, OWNER_EMAIL)
        return created["id"], sign_csr(created["csr_pem"])

    def csr() -> str:
        key = ec.generate_private_key(ec.SECP256R1())
        return pki_csr.csr_to_pem(
            pki_csr.build_csr(key, OWNER_EMAIL, pki_csr.SubjectFields(common_name="Alice"))
        )

    if door == "api-request-csr":
        body = {"email": OWNER_EMAIL, "key_source": "upload", "csr_pem": csr()}
        response = post_json(owner_api, "/api/v1/requests", body)
    elif door == "api-request-certificate":
        request_id, pem = certificate()
        url = f"/api/v1/requests/{request_id}/certificate"
        response = owner_api.post(url, {"file": _file(pem.encode())})
    elif door == "api-import":
        response = owner_api.post(
            "/api/v1/certificates", {"file": _file(certificate()[1].encode())}
        )
    elif door == "api-trust-anchor":
        response = post_json(
            admin_api, "/api/v1/trust-anchors", {"name": "R", "pem": root.decode()}
        )
    elif door == "page-request-csr":
        form = {
            "step": "create",
            "key_source": "upload",
            "key_type": "ec-p256",
            "email": OWNER_EMAIL,
        }
        response = owner_web.post("/requests/new/", {**form, "csr_file": _file(csr().encode())})
    elif door == "page-request-certificate":
        request_id, pem = certificate()
        response = owner_web.post(f"/requests/{request_id}/certificate", {"pem": pem})
    elif door == "page-import":
        response = owner_web.post(
            "/certificates/import/", {"file": _file(certificate()[1].encode())}
        )
    else:
        form = {"name": "Test root", "pem_text": root.decode(), "pem_file": ""}
        response = _superuser_web().post("/admin/certificates/trustanchor/add/", form)
    assert response.status_code in (201, 302), response.content[:2000]
    assert probe.in_transaction == [False]
    assert probe.written == [True]
    assert ApiToken.objects.filter(name="made during an upload").count() == 1


# Each limit below the request-size cap (1 MiB, its 413 tested in test_error_contract and
# views/test_pages) refused with a 4xx and the sentence of the limit, on the API and the pages.

OVER_CERTIFICATE_LIMIT = b"-----BEGIN CERTIFICATE-----\n" + b"A" * (300 * 1024) + b"\n"
OVER_CSR_LIMIT = "-----BEGIN CERTIFICATE REQUEST-----\n" + "A" * (100 * 1024) + "\n"


def test_a_certificate_file_over_the_upload_limit_is_refused_on_api_and_page(
    owner_api: Client, owner_web: Client, server_request: dict[str, Any]
) -> None:
    said = "The file is 300 KB; a certificate file is a few KB"
    for url in ("/api/v1/certificates", f"/api/v1/requests/{server_request['id']}/certificate"):
        response = owner_api.post(url, {"file": _file(OVER_CERTIFICATE_LIMIT)})
        assert response.status_code == 422
        assert response.json()["detail"].startswith(said)
    response = owner_web.post("/certificates/import/", {"file": _file(OVER_CERTIFICATE_LIMIT)})
    assert response.status_code == 422
    assert said in response.content.decode()


def test_a_csr_over_the_csr_limit_is_refused_on_api_and_page(
    owner_api: Client, owner_web: Client
) -> None:
    said = "The file is 100 KB; a CSR is about 1 KB"
    body = {"email": OWNER_EMAIL, "key_source": "upload", "csr_pem": OVER_CSR_LIMIT}
    response = post_json(owner_api, "/api/v1/requests", body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(said)
    form = {"step": "create", "key_source": "upload", "key_type": "ec-p256", "email": OWNER_EMAIL}
    response = owner_web.post(
        "/requests/new/", {**form, "csr_file": _file(OVER_CSR_LIMIT.encode())}
    )
    assert response.status_code == 422
    assert said in response.content.decode()
    assert not CertificateRequest.objects.exists()


def test_a_bundle_password_over_the_limit_is_refused_on_api_and_page(
    owner_api: Client, owner_web: Client, issued: dict[str, Any]
) -> None:
    too_long = "p" * (pkcs12.MAX_PASSWORD_LENGTH + 1)
    url = f"/api/v1/certificates/{issued['id']}/pkcs12"
    response = post_json(owner_api, url, {"password": too_long})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"
    response = owner_web.post(
        f"/certificates/{issued['id']}/pkcs12",
        {
            "password": too_long,
            "confirm": too_long,
            "profile": "modern",
            "account_password": "alice-pass-1234",
        },
    )
    assert response.status_code == 422
    said = f"The bundle password may have at most {pkcs12.MAX_PASSWORD_LENGTH} characters"
    assert said in response.content.decode()
