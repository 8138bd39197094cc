"""What every page shares and what a first real use found missing: a favicon, a message after
logging out, the menu on the "upload too large" page, a way back from the API docs, an honest
label on the token form's password, readable subjects, a self-signed upload named as such, and
publishing explained in plain words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate, CertificateRequest, Domain
from tests.factories import OWNER_EMAIL
from tests.testca import SmimeTestCA
from tests.views.conftest import text
from tests.views.test_upload import _csr


def test_every_page_names_the_favicon_and_it_is_served(owner_web: Client) -> None:
    html = owner_web.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    found = finders.find("favicon.svg")
    assert found is not None and "<svg" in Path(found).read_text()


def test_logging_out_says_so(owner_web: Client) -> None:
    response = owner_web.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "You are logged out." in text(response)
    assert "You are logged out." not in text(owner_web.get("/accounts/login/"))  # said once


def test_the_upload_too_large_page_has_the_menu(owner_web: Client, issued: Certificate) -> None:
    body = "x" * (1024 * 1024 + 10)
    response = owner_web.post(f"/requests/{issued.request_id}/certificate", {"pem": body})
    assert response.status_code == 413
    page = text(response)
    assert "larger than 1024 KiB" in page
    assert "My certificates Request a certificate" in page and "Log out" in page


def test_the_api_docs_lead_back_to_the_portal(client: Client, db: None) -> None:
    html = client.get("/api/v1/docs").content.decode()
    assert '<a href="/">← Back to the S/MIME portal</a>' in html
    assert 'href="/static/favicon.svg"' in html
    assert "swagger-ui-bundle.js" in html  # still the docs


def test_the_token_password_is_not_called_optional(owner_web: Client) -> None:
    page = text(owner_web.get("/tokens/"))
    assert "Your account password, to allow exporting private keys" in page
    label = page[page.index("Your account password") :][:80]
    assert "(optional)" not in label
    assert "Required with 'Allow exporting private keys'" in page


def test_subjects_show_attribute_names_not_oids(
    owner_web: Client, server_request: CertificateRequest, trust_anchor: Any, test_ca: SmimeTestCA
) -> None:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.GIVEN_NAME, "Erin"),
            x509.NameAttribute(NameOID.SURNAME, "Example"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Erin Example"),
        ]
    )
    leaf = test_ca.issue(_csr(server_request), OWNER_EMAIL, now=timezone.now(), subject=subject)
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [leaf, *test_ca.chain])
    response = owner_web.post(f"/requests/{server_request.pk}/certificate", {"pem": pem.decode()})
    assert response.status_code == 302, text(response)
    page = text(owner_web.get(response["Location"]))
    assert "CN=Erin Example,surname=Example,givenName=Erin" in page
    assert "2.5.4.42" not in page


def test_a_self_signed_upload_is_named_as_such(
    owner_web: Client, server_request: CertificateRequest
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Erin's own")])
    now = timezone.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    response = owner_web.post(f"/requests/{server_request.pk}/certificate", {"pem": pem})
    assert response.status_code == 422
    page = text(response)
    assert "The file holds a self-signed certificate ('CN=Erin's own')" in page
    assert "only CA certificates" not in page


def test_the_publish_card_explains_discovery_in_plain_words(
    owner_web: Client, issued: Certificate
) -> None:
    page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert "How senders find a published certificate" in page
    for words in (
        "The web address",
        "The TXT record",
        "The SMIMEA record",
        "The DNS administrator of the mail domain adds the records",
        "How a sender finds it",
    ):
        assert words in page, words


def test_the_domain_page_tells_the_dns_admin_what_to_add(admin_web: Client, domain: Domain) -> None:
    page = text(admin_web.get(f"/domains/{domain.name}/"))
    assert "What the records do, and who adds them" in page
    assert "As the DNS administrator of example.com you add those records" in page
