"""Input that a database refuses (NUL, over-long text) is a 422 naming the field, on SQLite and
PostgreSQL alike (CI runs these on PostgreSQL, which answers NUL in text with an error)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import ApiToken, Certificate, CertificateRequest, Domain, TrustAnchor
from certificates.services import domains
from certificates.services.errors import Invalid
from tests.conftest import actor
from tests.factories import OWNER_EMAIL, make_csr, post_json, to_pem
from tests.testca import SmimeTestCA


def assert_refused(response: Any, field: str, source: str = "Field") -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"].startswith(f"{source} '{field}': "), body
    assert body["errors"][0]["field"] == field


def test_nul_in_submit_ca_name(owner_api: Client, server_request: dict[str, Any]) -> None:
    url = f"/api/v1/requests/{server_request['id']}/submit"
    response = post_json(owner_api, url, {"ca_name": "Sec\x00tigo"})
    assert_refused(response, "ca_name")
    assert "U+0000" in response.json()["detail"]
    assert CertificateRequest.objects.get(pk=server_request["id"]).ca_name == ""
    assert_refused(post_json(owner_api, url, {"ca_name": "x" * 201}), "ca_name")
    assert_refused(post_json(owner_api, url, {"ca_name": "A", "order_ref": "1\x1b2"}), "order_ref")


def test_nul_in_reject_reason(admin_api: Client, server_request: dict[str, Any]) -> None:
    url = f"/api/v1/requests/{server_request['id']}/reject"
    response = post_json(admin_api, url, {"reason": "wrong\x00address"})
    assert_refused(response, "reason")
    # A tab or line break in a one-line field is refused too.
    assert_refused(post_json(admin_api, url, {"reason": "two\nlines"}), "reason")
    assert CertificateRequest.objects.get(pk=server_request["id"]).state == "csr_ready"


def test_nul_in_token_name(owner_api: Client) -> None:
    response = post_json(owner_api, "/api/v1/tokens", {"name": "ci\x00", "expires_days": 7})
    assert_refused(response, "name")
    assert_refused(post_json(owner_api, "/api/v1/tokens", {"name": "n" * 101}), "name")
    assert ApiToken.objects.count() == 1  # the test client's own


def test_nul_in_a_query_parameter(owner_api: Client) -> None:
    response = owner_api.get("/api/v1/certificates", {"email": "alice\x00@example.com"})
    assert_refused(response, "email", source="Query parameter")


def test_nul_in_a_subject_attribute_names_the_nested_field(owner_api: Client) -> None:
    body = {
        "email": OWNER_EMAIL,
        "key_source": "server",
        "subject": {"organization": "Acme\x00"},
    }
    assert_refused(post_json(owner_api, "/api/v1/requests", body), "subject.organization")


def test_pem_fields_keep_line_breaks_but_not_nul(owner_api: Client) -> None:
    csr = make_csr().replace("\n", "\r\n")
    body = {"email": OWNER_EMAIL, "key_source": "upload", "csr_pem": csr}
    assert post_json(owner_api, "/api/v1/requests", body).status_code == 201
    body["csr_pem"] = csr.replace("-----END", "\x00-----END")
    assert_refused(post_json(owner_api, "/api/v1/requests", body), "csr_pem")


def test_import_of_a_certificate_with_a_very_long_subject(
    owner_api: Client, test_ca: SmimeTestCA, trust_anchor: TrustAnchor
) -> None:
    units = [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"Department {i:02d} " + "x" * 50)
        for i in range(40)
    ]
    subject = x509.Name(
        [
            *units,
            x509.NameAttribute(NameOID.COMMON_NAME, "Alice Example"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, OWNER_EMAIL),
        ]
    )
    csr = x509.load_pem_x509_csr(make_csr().encode())
    leaf = test_ca.issue(csr, OWNER_EMAIL, now=datetime.now(UTC), subject=subject)
    response = post_json(owner_api, "/api/v1/certificates", {"pem": to_pem(leaf, *test_ca.chain)})
    assert response.status_code == 201, response.content
    stored = Certificate.objects.get(pk=response.json()["id"])
    assert len(stored.subject) > 2600
    assert stored.subject == response.json()["subject"]


def test_domain_names_over_the_dns_limits_are_refused(admin_api: Client, admin: User) -> None:
    label = "a" * 64
    response = post_json(admin_api, "/api/v1/domains", {"name": f"{label}.example.org"})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Each part of a domain name between dots has at most 63 characters; "
        "'aaaaaaaaaaaaaaaaaaaa…' has 64."
    )
    too_long = ".".join(["a" * 60] * 5)  # 304 characters
    assert_refused(post_json(admin_api, "/api/v1/domains", {"name": too_long}), "name")
    with pytest.raises(Invalid, match="A domain name has at most 253 characters; this one has 304"):
        domains.add_domain(actor(admin), too_long)
    assert not Domain.objects.filter(name__startswith="a").exists()
    ok = post_json(admin_api, "/api/v1/domains", {"name": " Mail.Example.ORG. "})
    assert ok.status_code == 201 and ok.json()["name"] == "mail.example.org"


def test_the_admin_domain_form_checks_names_like_the_service(admin: User) -> None:
    from certificates.admin.configuration import DomainAddForm

    form = DomainAddForm(data={"name": "a" * 64 + ".example.org", "dns_ttl": 3600})
    assert not form.is_valid()
    assert form.errors["name"] == [
        "Each part of a domain name between dots has at most 63 characters; "
        "'aaaaaaaaaaaaaaaaaaaa…' has 64."
    ]
    form = DomainAddForm(data={"name": " Mail.Example.ORG. ", "dns_ttl": 3600})
    form.actor = actor(admin)
    assert form.is_valid(), form.errors
    assert Domain.objects.filter(name="mail.example.org").exists()
