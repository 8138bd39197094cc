"""POST /api/v1/certificates/{id}/check-revocation: a check now, answered with its result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.test import Client

from certificates.models import Certificate
from tests.factories import post_json
from tests.revocation_peers import Peers

pytestmark = pytest.mark.usefixtures("quick_passwords")
Tracked = Callable[..., Certificate]


def url(cert: Certificate) -> str:
    return f"/api/v1/certificates/{cert.pk}/check-revocation"


def test_owner_gets_the_result_of_a_check_now(owner_api: Client, tracked: Tracked) -> None:
    cert = tracked()
    response = post_json(owner_api, url(cert))
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"status", "method", "checked_at", "detail"}
    assert (body["status"], body["method"]) == ("good", "ocsp")
    assert "Good according to the OCSP responder" in body["detail"]
    check = cert.revocation_checks.get()
    # JSON carries milliseconds
    assert abs(datetime.fromisoformat(body["checked_at"]) - check.checked_at) < timedelta(
        milliseconds=1
    )
    assert check.via == "api"
    revocation = owner_api.get(f"/api/v1/certificates/{cert.pk}").json()["revocation"]
    assert (revocation["status"], revocation["method"]) == ("good", "ocsp")


def test_unknown_has_no_method_and_says_why(
    owner_api: Client, tracked: Tracked, peers: Peers
) -> None:
    cert = tracked()
    peers.ocsp.stop()
    body = post_json(owner_api, url(cert)).json()
    assert (body["status"], body["method"]) == ("unknown", None)
    assert "OCSP: Could not connect" in body["detail"]


def test_a_colleague_gets_404_and_nothing_is_checked(
    colleague_api: Client, tracked: Tracked
) -> None:
    cert = tracked()
    response = post_json(colleague_api, url(cert))
    assert response.status_code == 404
    assert response.json()["detail"] == f"There is no certificate #{cert.pk} that you can see."
    assert not cert.revocation_checks.exists()


def test_an_admin_may_check_anyones_certificate(admin_api: Client, tracked: Tracked) -> None:
    assert post_json(admin_api, url(tracked())).json()["status"] == "good"
