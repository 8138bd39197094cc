"""Fixtures for the page tests: a request made through the HTML form and its certificate
uploaded on the request page (the people logged in: tests/conftest.py; shared helpers:
tests/factories.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from certificates.models import Certificate, CertificateRequest, TrustAnchor
from tests.factories import OWNER_EMAIL, OWNER_SUBJECT, SignCsr


def text(response: Any) -> str:
    """The page as a person reads it: tags dropped, entities of quotes decoded, spaces folded."""
    html = response.content.decode()
    html = re.sub(r"<[^>]+>", " ", html)
    html = html.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    html = html.replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(html.split())


def new_request_form(**fields: str) -> dict[str, str]:
    """The new-request form as its last step sends it ("Create request" on the review)."""
    return {
        "step": "create",
        "key_source": "server",
        "key_type": "ec-p256",
        "email": OWNER_EMAIL,
        **OWNER_SUBJECT,
        **fields,
    }


@pytest.fixture
def server_request(owner_web: Client) -> CertificateRequest:
    """A request with a server-held EC key, made through the new-request page."""
    response = owner_web.post("/requests/new/", new_request_form())
    assert response.status_code == 302, response.content
    return CertificateRequest.objects.get(pk=int(response["Location"].split("/")[-2]))


@pytest.fixture
def issued(
    owner_web: Client,
    server_request: CertificateRequest,
    sign_csr: SignCsr,
    trust_anchor: TrustAnchor,
) -> Certificate:
    """server_request's certificate, uploaded as pasted PEM on the request page."""
    pem = sign_csr(server_request.csr_pem, OWNER_EMAIL)
    response = owner_web.post(f"/requests/{server_request.pk}/certificate", {"pem": pem})
    assert response.status_code == 302, text(response)
    return Certificate.objects.get(request=server_request)


SENDER = "noreply@portal.test"


@pytest.fixture
def identity_file(settings: Any, tmp_path: Path) -> Path:
    """The portal's S/MIME identity as the embedded mode generates it (also when the run uses
    PostgreSQL, where none is generated), in a folder of this test's own."""
    settings.PORTAL_SMIME_KEY = settings.PORTAL_SMIME_CERT = None
    settings.PORTAL_SMIME_GENERATED = tmp_path / "var" / "smime_identity.pem"
    settings.DEFAULT_FROM_EMAIL = f"S/MIME portal <{SENDER}>"
    return Path(settings.PORTAL_SMIME_GENERATED)
