"""Fixtures for the API tests: a request made through the API, and its certificate signed by
the test CA and uploaded (helpers: tests/factories.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from certificates.models import TrustAnchor
from tests.factories import (
    OWNER_EMAIL,
    OWNER_SUBJECT,
    SignCsr,
    create_server_request,
    upload_certificate,
)


@pytest.fixture
def server_request(owner_api: Client) -> dict[str, Any]:
    return create_server_request(owner_api, OWNER_EMAIL, subject=OWNER_SUBJECT)


@pytest.fixture
def issued(
    owner_api: Client, server_request: dict[str, Any], sign_csr: SignCsr, trust_anchor: TrustAnchor
) -> dict[str, Any]:
    """A certificate issued for server_request and uploaded through the API."""
    return upload_certificate(owner_api, sign_csr, server_request, OWNER_EMAIL)
