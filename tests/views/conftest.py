"""Fixtures for the page tests: a request made through the HTML form and its certificate
uploaded on the request page (the people logged in: tests/conftest.py; shared helpers:
tests/factories.py)."""

from __future__ import annotations

import re
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
