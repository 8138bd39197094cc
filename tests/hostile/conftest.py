"""Fixtures for the hostile-input tests: a request awaiting its certificate and an issued
certificate to renew, both the owner's; and the counts of the corpus run in pytest's summary."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import TrustAnchor
from tests.factories import (
    OWNER_EMAIL,
    SignCsr,
    create_server_request,
    logged_in,
    upload_certificate,
)
from tests.hostile.doors import TALLIES


@pytest.fixture
def open_request(owner_api: Client) -> dict[str, Any]:
    return create_server_request(owner_api, OWNER_EMAIL)


@pytest.fixture
def issued(owner_api: Client, sign_csr: SignCsr, trust_anchor: TrustAnchor) -> dict[str, Any]:
    return upload_certificate(owner_api, sign_csr, create_server_request(owner_api, OWNER_EMAIL))


@pytest.fixture
def superuser_web(trust_anchor: TrustAnchor) -> Client:
    return logged_in(User.objects.get(username="root-admin"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLIES:
        return
    terminalreporter.section("hostile inputs: every upload door")
    for line in TALLIES:
        terminalreporter.write_line(line)
