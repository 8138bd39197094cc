"""Fixtures for publishing: nothing remembered from an earlier test, a certificate issued
through the API and published, and the real DNS peers (shared helpers: tests/factories.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from discovery import serving
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api, post_json


@pytest.fixture(autouse=True)
def fresh_memory(settings: Any) -> None:
    """A fresh map of hosts to domains and no remembered files: rolled-back rows of an earlier
    test leave no signal behind; no lookups counted against 127.0.0.1 yet."""
    serving.hosts.forget()
    cache.clear()
    # Accounts here are fixtures; PBKDF2's real cost would only slow every test down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def publish_via_api(client: Client, certificate_id: int, **body: Any) -> dict[str, Any]:
    response = post_json(client, f"/api/v1/certificates/{certificate_id}/publish", body)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def issued_cert(owner_api: Client, sign_csr: SignCsr, trust_anchor: Any) -> dict[str, Any]:
    """Alice's certificate (signing and encryption), issued through the API."""
    return issue_via_api(owner_api, sign_csr, OWNER_EMAIL)[1]


@pytest.fixture
def published(owner_api: Client, issued_cert: dict[str, Any]) -> dict[str, Any]:
    """issued_cert, published through the API: the publication's JSON."""
    return publish_via_api(owner_api, issued_cert["id"])


# The real DNS peers (Knot, Unbound) as a fixture for every test module here.
from tests.discovery.dnspeers import dns_peers  # noqa: E402, F401
