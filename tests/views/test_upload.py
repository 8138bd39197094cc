"""Uploading the signed certificate on the request page, and importing one without a request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from certificates.models import AuditEvent, Certificate, CertificateRequest, TrustAnchor
from certificates.services import anchors
from tests.conftest import actor
from tests.factories import OWNER_EMAIL, SignCsr, make_csr, to_pem
from tests.testca import SmimeTestCA, other_root
from tests.views.conftest import text

DER = serialization.Encoding.DER


@pytest.mark.parametrize("form", ["pem-paste", "pem-file", "der-file", "p7b-file", "p7b-pem"])
def test_signed_certificate_is_accepted_in_every_format(
    owner_web: Client,
    server_request: CertificateRequest,
    test_ca: SmimeTestCA,
    trust_anchor: TrustAnchor,
    form: str,
) -> None:
    if form == "der-file":  # a lone leaf: its issuer must be known to check the chain
        anchors.add(
            actor(trust_anchor_admin()), "Test Issuing CA", test_ca.issuing.public_bytes(DER)
        )
    leaf = test_ca.issue(_csr(server_request), OWNER_EMAIL, now=timezone.now())
    chain = [leaf, *test_ca.chain]
    payload: dict[str, object] = {
        "pem-paste": {"pem": to_pem(*chain)},
        "pem-file": {"file": SimpleUploadedFile("cert.pem", to_pem(*chain).encode())},
        "der-file": {"file": SimpleUploadedFile("cert.crt", leaf.public_bytes(DER))},
        "p7b-file": {
            "file": SimpleUploadedFile("cert.p7b", pkcs7.serialize_certificates(chain, DER))
        },
        "p7b-pem": {
            "pem": pkcs7.serialize_certificates(chain, serialization.Encoding.PEM).decode()
        },
    }[form]
    response = owner_web.post(f"/requests/{server_request.pk}/certificate", payload)
    assert response.status_code == 302, text(response)
    cert = Certificate.objects.get(request=server_request)
    assert response["Location"] == f"/certificates/{cert.pk}/"
    assert bytes(cert.der) == leaf.public_bytes(DER)
    server_request.refresh_from_db()
    assert server_request.state == "issued"
    page = text(owner_web.get(response["Location"]))
    assert "The certificate matches the request and is stored." in page
    assert "Active" in page
    request_page = text(owner_web.get(f"/requests/{server_request.pk}/"))
    assert f"open certificate #{cert.pk}" in request_page
    assert "Certificate issued" in request_page


def trust_anchor_admin() -> User:
    return User.objects.get(username="root-admin")


def test_lone_der_leaf_of_an_unknown_issuer_asks_for_the_chain(
    owner_web: Client,
    server_request: CertificateRequest,
    test_ca: SmimeTestCA,
    trust_anchor: TrustAnchor,
) -> None:
    leaf = test_ca.issue(_csr(server_request), OWNER_EMAIL, now=timezone.now())
    response = owner_web.post(
        f"/requests/{server_request.pk}/certificate",
        {"file": SimpleUploadedFile("cert.crt", leaf.public_bytes(DER))},
    )
    assert response.status_code == 422
    assert "upload the certificate together with its chain" in text(response)
    assert Certificate.objects.count() == 0


def _private_key_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


REFUSALS = {
    "another key": "is for a different key than the request's CSR",
    "another address": "This certificate is for bob@example.com, not Alice.Example@example.com",
    "no emailProtection": "lacks emailProtection",
    "expired": "This certificate expired on",
    "garbage": "This file is not a certificate in PEM, DER or PKCS#7 format",
    "empty": "The file is empty",
    "two leaves": "The file holds 2 end-entity certificates",
    "private key": "The file contains a private key. Nothing from it was stored.",
}


@pytest.mark.parametrize("case", REFUSALS)
def test_refused_uploads_say_why_and_store_nothing(
    owner_web: Client,
    server_request: CertificateRequest,
    sign_csr: SignCsr,
    test_ca: SmimeTestCA,
    trust_anchor: TrustAnchor,
    case: str,
) -> None:
    csr = server_request.csr_pem
    good = sign_csr(csr, chain=False)
    pem = {
        "another key": lambda: sign_csr(make_csr()),
        "another address": lambda: sign_csr(csr, "bob@example.com"),
        "no emailProtection": lambda: sign_csr(csr, eku=[ExtendedKeyUsageOID.CLIENT_AUTH]),
        "expired": lambda: sign_csr(csr, now=timezone.now() - timedelta(days=400), days=30),
        "garbage": lambda: "this is not a certificate at all, but it is long enough " * 3,
        "empty": lambda: "",
        "two leaves": lambda: good + sign_csr(make_csr()),
        "private key": lambda: good + to_pem(*test_ca.chain) + _private_key_pem(),
    }[case]()
    response = owner_web.post(f"/requests/{server_request.pk}/certificate", {"pem": pem})
    assert response.status_code == 422
    assert REFUSALS[case] in text(response)
    assert "Upload the signed certificate" in text(response)  # the form is still there
    assert Certificate.objects.count() == 0
    server_request.refresh_from_db()
    assert server_request.state == "csr_ready"
    assert not AuditEvent.objects.filter(action="certificate.added").exists()


def test_untrusted_root_is_stored_with_a_visible_warning(
    owner_web: Client, server_request: CertificateRequest, trust_anchor: TrustAnchor
) -> None:
    other = other_root(timezone.now())
    leaf = other.issue(_csr(server_request), OWNER_EMAIL, now=timezone.now())
    response = owner_web.post(
        f"/requests/{server_request.pk}/certificate", {"pem": to_pem(leaf, *other.chain)}
    )
    assert response.status_code == 302
    cert = Certificate.objects.get()
    assert cert.chain_verdict == "untrusted-root"
    page = owner_web.get(response["Location"]).content.decode()
    assert 'class="alert warn verdict"' in page
    assert "Untrusted root." in page


def _csr(req: CertificateRequest) -> x509.CertificateSigningRequest:
    return x509.load_pem_x509_csr(req.csr_pem.encode())


def test_import_a_certificate_without_request(
    owner_web: Client, owner: User, test_ca: SmimeTestCA, trust_anchor: TrustAnchor
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = test_ca.issue(key.public_key(), OWNER_EMAIL, now=timezone.now())
    response = owner_web.post(
        "/certificates/import/",
        {
            "file": SimpleUploadedFile(
                "mine.p7b", pkcs7.serialize_certificates([leaf, *test_ca.chain], DER)
            ),
        },
    )
    assert response.status_code == 302, text(response)
    cert = Certificate.objects.get()
    assert cert.owner == owner and cert.key_source == "imported" and cert.request is None
    page = text(owner_web.get(response["Location"]))
    assert "does not hold this certificate's private key" in page
    assert "Download PKCS#12" not in page


def test_import_refuses_another_address(
    owner_web: Client, owner: User, test_ca: SmimeTestCA, trust_anchor: TrustAnchor
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = test_ca.issue(key.public_key(), "bob@example.com", now=timezone.now())
    response = owner_web.post("/certificates/import/", {"pem": to_pem(leaf, *test_ca.chain)})
    assert response.status_code == 422
    assert "This certificate is for bob@example.com" in text(response)
    assert Certificate.objects.count() == 0


def test_admin_imports_for_an_employee(
    admin_web: Client, owner: User, test_ca: SmimeTestCA, trust_anchor: TrustAnchor
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = test_ca.issue(key.public_key(), OWNER_EMAIL, now=timezone.now())
    assert "Owner (username)" in text(admin_web.get("/certificates/import/"))
    response = admin_web.post(
        "/certificates/import/", {"owner": "alice", "pem": to_pem(leaf, *test_ca.chain)}
    )
    assert response.status_code == 302, text(response)
    assert Certificate.objects.get().owner == owner


def test_an_empty_import_file_gets_the_summary_above_the_form(owner_web: Client) -> None:
    empty = SimpleUploadedFile("empty.crt", b"")
    response = owner_web.post("/certificates/import/", {"file": empty})
    assert response.status_code == 400
    assert "Not done: Check the form below." in text(response)
    assert not Certificate.objects.exists()
