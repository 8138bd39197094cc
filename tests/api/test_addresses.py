"""Which address a request and its certificate carry: the account's mailbox, never another
person's by Unicode case folding, spelt as the account holds it with the domain in lower case."""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import CertificateRequest, Domain, TrustAnchor
from certificates.services import tokens
from tests.conftest import ApiClient, actor
from tests.factories import SignCsr, post_json


def _client(username: str, email: str) -> ApiClient:
    user = User.objects.create_user(username, email, password=f"{username}-pass-1234")
    _, plain = tokens.create(actor(user), user, "tests")
    return ApiClient(plain)


def _request(client: Client, email: str) -> dict[str, Any]:
    body = {"email": email, "key_source": "server", "key_type": "ec-p256"}
    response = post_json(client, "/api/v1/requests", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_weiss_cannot_be_requested_by_the_account_weiss_with_sharp_s(domain: Domain) -> None:
    """The issue's probe: casefold() made weiß@example.com and weiss@example.com one address."""
    client = _client("weiß", "weiß@example.com")
    body = {"email": "weiss@example.com", "key_source": "server", "key_type": "ec-p256"}
    response = post_json(client, "/api/v1/requests", body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "weiss@example.com is not the address of account 'weiß' (weiß@example.com)"
    )
    assert not CertificateRequest.objects.exists()


def test_the_address_keeps_the_accounts_local_part_and_a_lower_case_domain(
    domain: Domain, sign_csr: SignCsr, trust_anchor: TrustAnchor
) -> None:
    """The issue's example: ERIN.SMITH@Example.com typed, one mailbox everywhere after."""
    client = _client("erin", "ERIN.SMITH@Example.com")
    created = _request(client, "erin.smith@EXAMPLE.com")
    assert created["email"] == "ERIN.SMITH@example.com"
    csr = x509.load_pem_x509_csr(created["csr_pem"].encode())
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["ERIN.SMITH@example.com"]
    assert [a.value for a in csr.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)] == [
        "ERIN.SMITH@example.com"
    ]
    listed = client.get("/api/v1/requests").json()["items"]
    assert [r["email"] for r in listed] == ["ERIN.SMITH@example.com"]

    url = f"/api/v1/requests/{created['id']}/certificate"
    cert = post_json(client, url, {"pem": sign_csr(created["csr_pem"])}).json()
    assert cert["email"] == "ERIN.SMITH@example.com"
    download = client.get(f"/api/v1/certificates/{cert['id']}/download?format=pem")
    assert 'filename="ERIN.SMITH_example.com-' in download["Content-Disposition"]


def test_an_import_carries_the_accounts_address_with_the_domain_lower_cased(
    domain: Domain, sign_csr: SignCsr, trust_anchor: TrustAnchor
) -> None:
    client = _client("erin", "erin.smith@Example.COM")
    created = _request(client, "Erin.Smith@example.com")
    assert created["email"] == "erin.smith@example.com"
    imported = post_json(client, "/api/v1/certificates", {"pem": sign_csr(created["csr_pem"])})
    assert imported.status_code == 201, imported.content
    assert imported.json()["email"] == "erin.smith@example.com"
