"""Which certificate is current for an address and use: a certificate supersedes another only
when issued later and valid longer, every supersession is said where it happened, and owners
(or admins) choose with "make current" — through the API and through the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from certificates.models import AuditEvent, Certificate
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api, make_csr, post_json
from tests.views.conftest import text

LATER = datetime.now(UTC) + timedelta(minutes=5)  # validity is in whole seconds
URL = "/api/v1/certificates"


def status_of(client: Client, cert: dict[str, Any]) -> tuple[str, int | None]:
    body = client.get(f"{URL}/{cert['id']}").json()
    return body["status"], body["superseded_by"]


@pytest.fixture
def year(owner_api: Client, trust_anchor: object, sign_csr: SignCsr) -> dict[str, Any]:
    """A one-year certificate whose key the portal holds."""
    return issue_via_api(owner_api, sign_csr, OWNER_EMAIL)[1]


@pytest.fixture
def short_pem(sign_csr: SignCsr) -> str:
    """A ten-day certificate for the same address and uses, issued a little later."""
    return sign_csr(make_csr(), days=10, now=LATER)


@pytest.fixture
def short(owner_api: Client, year: dict[str, Any], short_pem: str) -> dict[str, Any]:
    response = post_json(owner_api, URL, {"pem": short_pem})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_short_import_does_not_demote_the_working_certificate(
    owner_api: Client, year: dict[str, Any], short: dict[str, Any]
) -> None:
    assert year["superseded"] == []
    assert short["superseded"] == []
    assert (short["status"], short["superseded_by"]) == ("expiring", None)
    assert status_of(owner_api, year) == ("active", None)
    assert not AuditEvent.objects.filter(action="certificate.superseded").exists()


def test_revoking_the_import_leaves_the_year_certificate_current(
    owner_api: Client, year: dict[str, Any], short: dict[str, Any]
) -> None:
    revoked = post_json(owner_api, f"{URL}/{short['id']}/revoke", {"reason": "lost device"})
    assert revoked.json()["status"] == "revoked"
    assert status_of(owner_api, year) == ("active", None)


def test_a_later_and_longer_certificate_supersedes_and_says_so(
    owner_api: Client, year: dict[str, Any], sign_csr: SignCsr
) -> None:
    response = post_json(owner_api, URL, {"pem": sign_csr(make_csr(), now=LATER)})
    body = response.json()
    assert [(s["id"], s["serial_hex"]) for s in body["superseded"]] == [
        (year["id"], year["serial_hex"])
    ]
    assert status_of(owner_api, year) == ("superseded", body["id"])


def test_make_current_switches_and_brings_the_older_one_back(
    owner_api: Client, year: dict[str, Any], short: dict[str, Any]
) -> None:
    switched = post_json(owner_api, f"{URL}/{short['id']}/make-current")
    assert switched.status_code == 200, switched.content
    assert [s["id"] for s in switched.json()["superseded"]] == [year["id"]]
    assert status_of(owner_api, year) == ("superseded", short["id"])
    event = AuditEvent.objects.get(action="certificate.made_current")
    assert event.details == {"via": "api", "replaced": [year["id"]], "was_superseded_by": None}

    again = post_json(owner_api, f"{URL}/{short['id']}/make-current")
    assert again.status_code == 409
    assert "already current" in again.json()["detail"]

    post_json(owner_api, f"{URL}/{short['id']}/revoke", {"reason": "lost device"})
    back = post_json(owner_api, f"{URL}/{year['id']}/make-current")
    assert back.status_code == 200, back.content
    assert (back.json()["status"], back.json()["superseded_by"]) == ("active", None)
    assert back.json()["superseded"] == []
    restored = AuditEvent.objects.filter(action="certificate.made_current").first()
    assert restored is not None
    assert restored.details["was_superseded_by"] == short["id"]
    refused = post_json(owner_api, f"{URL}/{short['id']}/make-current")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"Certificate #{short['id']} is revoked, so it cannot be current again."
    )


def test_only_owners_and_admins_make_a_certificate_current(
    owner_api: Client,
    colleague_api: Client,
    admin_api: Client,
    colleague_web: Client,
    year: dict[str, Any],
    short: dict[str, Any],
) -> None:
    assert post_json(colleague_api, f"{URL}/{short['id']}/make-current").status_code == 404
    assert colleague_web.post(f"/certificates/{short['id']}/make-current").status_code == 404
    assert status_of(owner_api, year) == ("active", None)
    by_admin = post_json(admin_api, f"{URL}/{short['id']}/make-current")
    assert by_admin.status_code == 200
    assert status_of(owner_api, year) == ("superseded", short["id"])


def test_the_import_page_says_the_working_certificate_stays_current(
    owner_web: Client, year: dict[str, Any], short_pem: str
) -> None:
    page = owner_web.post("/certificates/import/", {"pem": short_pem}, follow=True)
    assert (
        f"Certificate #{year['id']} (signing and encryption, valid until "
        f"{year['not_after'][:10]}) stays current too: a certificate supersedes another only "
        "when it was issued later and is valid longer." in text(page)
    )
    assert "Make current" in text(page)


def test_the_upload_page_says_what_the_renewal_superseded(
    owner_web: Client, owner_api: Client, year: dict[str, Any], sign_csr: SignCsr
) -> None:
    renewal = post_json(owner_api, f"{URL}/{year['id']}/renew").json()
    pem = sign_csr(renewal["csr_pem"], OWNER_EMAIL, now=LATER)
    page = owner_web.post(f"/requests/{renewal['id']}/certificate", {"pem": pem}, follow=True)
    assert f"It supersedes certificate #{year['id']} (signing and encryption" in text(page)


def test_the_revoke_page_offers_the_older_certificate_back(
    owner_web: Client, owner_api: Client, year: dict[str, Any], short: dict[str, Any]
) -> None:
    page = owner_web.post(f"/certificates/{short['id']}/make-current", follow=True)
    assert f"It supersedes certificate #{year['id']}" in text(page)
    page = owner_web.post(
        f"/certificates/{short['id']}/revoke",
        {"reason": "Lost device", "confirmed": "yes"},
        follow=True,
    )
    assert "An older certificate for" in text(page)
    button = f"Make certificate #{year['id']} current"
    assert button in text(page)
    assert owner_web.get(f"/certificates/{year['id']}/make-current").status_code == 302
    page = owner_web.post(f"/certificates/{year['id']}/make-current", follow=True)
    assert f"Certificate #{year['id']} is now current for {OWNER_EMAIL}." in text(page)
    assert Certificate.objects.get(pk=year["id"]).status == "active"
    assert button not in text(owner_web.get(f"/certificates/{short['id']}/"))
