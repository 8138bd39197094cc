"""Free text cannot carry control or format characters (a right-to-left override makes
'exe.gnp' display as 'png.exe', a line break fakes a second line): each service refuses them
naming the field, so the API, the pages, the Django admin and the commands all do; text that
arrives inside a certificate is shown with such characters escaped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import (
    ApiToken,
    AuditEvent,
    Certificate,
    CertificateAuthority,
    CertificateRequest,
    Domain,
)
from certificates.services import anchors, authorities, domains, issuance, tokens
from certificates.services import requests as request_service
from certificates.services.errors import Invalid
from tests.conftest import actor
from tests.factories import OWNER_EMAIL, create_server_request, make_csr, post_json, to_pem
from tests.testca import SmimeTestCA
from tests.views.conftest import text

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Two accounts per test; PBKDF2's real cost would only slow these down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SPOOFS = [RLO, "\u2028", "\u200b", "\n", "\x00", "\x1b"]


def _new_request(owner: User) -> CertificateRequest:
    return request_service.create(
        actor(owner),
        owner=owner,
        email=OWNER_EMAIL,
        subject_fields={},
        key_source="server",
        key_type="ec-p256",
    )


def _refusals(
    owner: User, admin: User, test_ca: SmimeTestCA
) -> dict[str, tuple[str, Callable[[str], Any]]]:
    """Each free-text input of each service: the field its refusal names, and a call feeding
    it the text it is given."""
    root = test_ca.root.public_bytes(serialization.Encoding.PEM)

    return {
        "token name": ("name", lambda bad: tokens.create(actor(owner), owner, f"ci{bad}script")),
        "CA name": (
            "ca_name",
            lambda bad: request_service.submit(actor(owner), _new_request(owner), f"Sec{bad}tigo"),
        ),
        "order reference": (
            "order_ref",
            lambda bad: request_service.submit(actor(owner), _new_request(owner), "CA", f"1{bad}2"),
        ),
        "rejection reason": (
            "reason",
            lambda bad: request_service.reject(actor(admin), _new_request(owner), f"no{bad}pe"),
        ),
        "trust anchor name": ("name", lambda bad: anchors.add(actor(admin), f"Ro{bad}ot", root)),
        "domain name": (
            "name",
            lambda bad: domains.add_domain(actor(admin), f"mail{bad}.example.org"),
        ),
        "certificate authority name": (
            "name",
            lambda bad: authorities.add(actor(admin), name=f"Sec{bad}tigo"),
        ),
        "certificate authority instructions": (
            "instructions",
            lambda bad: authorities.add(actor(admin), name="Sectigo", instructions=f"Use{bad}it"),
        ),
        "subject field": (
            "subject.organization",
            lambda bad: request_service.create(
                actor(owner),
                owner=owner,
                email=OWNER_EMAIL,
                subject_fields={"organization": f"Ac{bad}me"},
                key_source="server",
            ),
        ),
    }


@pytest.mark.parametrize("bad", SPOOFS, ids=["rlo", "line-separator", "zwsp", "lf", "nul", "esc"])
@pytest.mark.parametrize(
    "what",
    [
        "token name",
        "CA name",
        "order reference",
        "rejection reason",
        "trust anchor name",
        "domain name",
        "certificate authority name",
        "certificate authority instructions",
        "subject field",
    ],
)
def test_every_service_refuses_control_and_format_characters_naming_the_field(
    owner: User, admin: User, test_ca: SmimeTestCA, what: str, bad: str
) -> None:
    field, call = _refusals(owner, admin, test_ca)[what]
    with pytest.raises(Invalid) as caught:
        call(bad)
    assert caught.value.status == 422
    assert caught.value.errors[0]["field"] == field
    assert "control or invisible formatting character" in caught.value.detail
    assert not ApiToken.objects.filter(name__startswith="ci").exists()
    assert not CertificateRequest.objects.exclude(state="csr_ready").exists()
    assert not Domain.objects.filter(name__startswith="mail").exists()
    assert not CertificateAuthority.objects.exists()


def test_a_declared_revocation_reason_refuses_a_line_separator(
    owner: User, owner_api: Client, sign_csr: Any, trust_anchor: Any
) -> None:
    created = create_server_request(owner_api, OWNER_EMAIL)
    url = f"/api/v1/requests/{created['id']}/certificate"
    cert_id = post_json(owner_api, url, {"pem": sign_csr(created["csr_pem"])}).json()["id"]
    cert = Certificate.objects.get(pk=cert_id)
    with pytest.raises(Invalid) as caught:
        issuance.declare_revoked(actor(owner), cert, "lost\u2028key compromise")
    assert caught.value.errors[0]["field"] == "reason"
    assert Certificate.objects.get(pk=cert_id).status != "revoked"


@pytest.mark.parametrize(
    "url,body,field",
    [
        ("/api/v1/tokens", {"name": f"ci{RLO}gnp.exe"}, "name"),
        ("/api/v1/trust-anchors", {"name": f"Root{RLO}", "pem": "x"}, "name"),
        ("/api/v1/domains", {"name": f"mail{RLO}.example.org"}, "name"),
        ("/api/v1/certificate-authorities", {"name": "CA", "product": f"S/MIME{RLO}"}, "product"),
        (
            "/api/v1/requests",
            {"email": OWNER_EMAIL, "key_source": "server", "subject": {"locality": f"Ber{RLO}"}},
            "subject.locality",
        ),
    ],
)
def test_the_api_names_the_field_holding_a_format_character(
    admin_api: Client, url: str, body: dict[str, Any], field: str
) -> None:
    response = post_json(admin_api, url, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert response.json()["detail"] == (
        f"Field '{field}': contains the control or format character U+202E "
        "(RIGHT-TO-LEFT OVERRIDE); send plain text on one line."
    )


def test_the_api_refuses_a_bidi_override_in_submit_fields(owner_api: Client) -> None:
    created = create_server_request(owner_api, OWNER_EMAIL)
    url = f"/api/v1/requests/{created['id']}/submit"
    for body, field in (
        ({"ca_name": f"CA{RLO}"}, "ca_name"),
        ({"ca_name": "CA", "order_ref": f"{RLO}1"}, "order_ref"),
    ):
        response = post_json(owner_api, url, body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
    assert CertificateRequest.objects.get(pk=created["id"]).state == "csr_ready"


def test_the_token_page_refuses_a_bidi_override_in_the_name(owner_web: Client) -> None:
    response = owner_web.post("/tokens/", {"name": f"backup{RLO}gnp.exe", "expires_days": "30"})
    assert response.status_code == 422
    assert "The token name contains U+202E (RIGHT-TO-LEFT OVERRIDE)" in text(response)
    assert not ApiToken.objects.filter(name__startswith="backup").exists()


def test_the_submit_form_refuses_a_line_break_in_the_ca_name(
    owner_web: Client, owner: User
) -> None:
    request = _new_request(owner)
    response = owner_web.post(f"/requests/{request.pk}/submit", {"ca_name": "Sectigo\u2028Evil"})
    assert response.status_code == 422
    assert "The CA name contains U+2028 (LINE SEPARATOR)" in text(response)
    assert CertificateRequest.objects.get(pk=request.pk).state == "csr_ready"


def test_a_subject_arriving_in_a_certificate_is_shown_escaped(
    owner_api: Client, owner_web: Client, test_ca: SmimeTestCA, trust_anchor: Any
) -> None:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"Alice{RLO}gnp.exe"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Sales\nCEO office"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, OWNER_EMAIL),
        ]
    )
    csr = x509.load_pem_x509_csr(make_csr().encode())
    leaf = test_ca.issue(
        csr, OWNER_EMAIL, now=datetime.now(UTC), subject=subject, extra_email="boss\r\n@example.com"
    )
    response = post_json(owner_api, "/api/v1/certificates", {"pem": to_pem(leaf, *test_ca.chain)})
    assert response.status_code == 201, response.content
    shown = f"emailAddress={OWNER_EMAIL},OU=Sales\\nCEO office,CN=Alice\\u202egnp.exe"
    assert response.json()["subject"] == shown
    assert response.json()["emails"] == [OWNER_EMAIL, "boss\\r\\n@example.com"]
    page = owner_web.get(f"/certificates/{response.json()['id']}/").content.decode()
    assert "Alice\\u202egnp.exe" in page
    assert RLO not in page and "Sales\nCEO" not in page and "boss\r\n" not in page
    assert AuditEvent.objects.filter(action="certificate.added").exists()
