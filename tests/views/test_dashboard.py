"""The admin dashboard, on the page and as /api/v1/dashboard: figures from rows made for them,
the expiry timeline as server-drawn SVG, the publishing hook (filled by discovery), and a
constant number of queries whatever the number of certificates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates import extensions
from certificates.models import Domain
from certificates.services.dashboard import Step, bucket_starts
from tests.seed import (
    ISSUERS,
    make_certificate,
    make_request,
    seed_certificates,
    seed_requests,
    seed_users,
)
from tests.views.conftest import text


@pytest.fixture
def organisation(owner: User, colleague: User) -> dict[str, object]:
    """Two domains; live certificates ending in known months; one revoked, one expired, one
    with an unknown revocation status; requests waiting on the CA and on approval."""
    Domain.objects.create(name="example.org")
    dora = User.objects.create_user("dora", "dora@example.org")
    now = timezone.now()
    third_month = bucket_starts(now, Step.MONTH)[2]
    in_third_month = datetime.combine(third_month, time(12), tzinfo=UTC) + timedelta(days=3)
    make_certificate(owner, not_after=in_third_month)
    make_certificate(colleague, not_after=in_third_month, issuer=ISSUERS[1])
    make_certificate(dora, not_after=in_third_month)
    make_certificate(dora, not_after=now + timedelta(days=500))  # beyond the twelve months
    make_certificate(colleague, not_after=now - timedelta(days=1))  # expired
    revoked = make_certificate(
        owner, revoked_at=now - timedelta(days=2), revocation_reason="Lost device"
    )
    unknown = make_certificate(dora, revocation_status="unknown")
    old = make_request(owner, "submitted", ca_name="Sectigo", submitted_at=now - timedelta(days=9))
    new = make_request(colleague, "submitted", ca_name="HARICA", submitted_at=now)
    waiting = make_request(dora, "awaiting_approval")
    return {"revoked": revoked, "unknown": unknown, "old": old, "new": new, "waiting": waiting}


def test_the_api_answers_the_figures(admin_api: Client, organisation: dict) -> None:  # type: ignore[type-arg]
    body = admin_api.get("/api/v1/dashboard").json()
    assert body["certificates"] == {
        "active": 5,
        "expiring": 0,
        "expired": 1,
        "revoked": 1,
        "superseded": 0,
    }
    assert body["requests"]["submitted"] == 2 and body["requests"]["awaiting_approval"] == 1
    assert body["requests"]["issued"] == 0
    waiting = body["waiting_on_ca"]
    assert [w["id"] for w in waiting] == [organisation["old"].pk, organisation["new"].pk]
    assert waiting[0]["days"] == 9 and waiting[0]["ca_name"] == "Sectigo"
    assert [w["id"] for w in body["awaiting_approval"]] == [organisation["waiting"].pk]
    assert [c["id"] for c in body["recently_revoked"]] == [organisation["revoked"].pk]
    assert body["recently_revoked"][0]["revocation_reason"] == "Lost device"
    assert body["unknown_revocation"]["count"] == 1
    assert body["unknown_revocation"]["items"][0]["id"] == organisation["unknown"].pk
    assert body["publication"] == [  # discovery's counter: nothing is published here
        {"domain": "example.com", "live": 2, "published": 0, "unpublished": 2},
        {"domain": "example.org", "live": 3, "published": 0, "unpublished": 3},
    ]


def test_the_timeline_counts_live_certificates_per_month_and_domain(
    admin_api: Client,
    organisation: dict,  # type: ignore[type-arg]
) -> None:
    timeline = admin_api.get("/api/v1/dashboard").json()["timeline"]
    assert timeline["step"] == "month" and len(timeline["starts"]) == 12
    series = {s["name"]: s["counts"] for s in timeline["series"]}
    assert series["example.com"][2] == 2 and series["example.org"][2] == 1
    assert timeline["totals"][2] == 3
    # The revoked and expired ones are not live; the unknown one ends in a year, a month
    # beyond the window at most, and the one ending in 500 days is outside it.
    assert sum(timeline["totals"]) in (3, 4)


def test_the_timeline_by_issuer_and_week(admin_api: Client, organisation: dict) -> None:  # type: ignore[type-arg]
    timeline = admin_api.get("/api/v1/dashboard", {"by": "issuer", "step": "week"}).json()
    timeline = timeline["timeline"]
    assert len(timeline["starts"]) == 52
    names = {s["name"] for s in timeline["series"]}
    assert "HARICA S/MIME RSA" in names  # the issuer's common name, not its whole DN
    assert "Sectigo Public Email Protection CA R36" in names
    bad = admin_api.get("/api/v1/dashboard", {"by": "owner"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "by"


def test_employees_get_403_in_json(owner_api: Client) -> None:
    response = owner_api.get("/api/v1/dashboard")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only certificate admins can do this."}


@pytest.fixture
def without_publishing() -> Iterator[None]:
    """As if discovery were not installed: no app counts published certificates."""
    registered = list(extensions._published_counters)
    extensions._published_counters.clear()
    yield
    extensions._published_counters[:] = registered


def test_without_a_publishing_app_the_figures_say_not_available(
    admin_web: Client,
    admin_api: Client,
    organisation: dict,  # type: ignore[type-arg]
    without_publishing: None,
) -> None:
    publication = admin_api.get("/api/v1/dashboard").json()["publication"]
    assert publication[0] == {
        "domain": "example.com",
        "live": 2,
        "published": None,
        "unpublished": None,
    }
    page = text(admin_web.get("/dashboard/"))
    assert "example.com 2 not available not available" in page
    assert "Publishing (.well-known and DNS) is not installed" in page


def test_the_page_draws_the_chart_in_svg_and_works_without_javascript(
    admin_web: Client,
    organisation: dict,  # type: ignore[type-arg]
) -> None:
    response = admin_web.get("/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    # Nothing to run, the server draws: the only script is the translation catalog base.html
    # loads for every page.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/jsi18n/" defer>']
    assert re.search(r'<svg class="chart" viewBox="0 0 720 260" role="img"', html)
    assert html.count('<rect class="series-') == 2  # one bar, two domains stacked
    assert "style=" not in html  # CSP: no inline styles either
    page = text(response)
    for heading in (
        "Certificates by status",
        "Requests by state",
        "Waiting on the CA (2)",
        "Awaiting approval (1)",
        "Recently revoked",
        "Revocation status unknown (1)",
        "Published per domain",
    ):
        assert heading in page
    assert f"Request #{organisation['old'].pk} alice" in page
    assert "9 days" in page
    assert "example.org 3 0 3" in page and "not installed" not in page
    weekly = admin_web.get("/dashboard/", {"step": "week", "by": "issuer"})
    assert weekly.context["figures"].timeline.step == "week"


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


ADMIN_URLS = [
    "/dashboard/",
    "/dashboard/?step=week&by=issuer",
    "/certificates/?status=active&domain=example.org&sort=not_after",
    "/certificates/?q=user1&page=2",
    "/certificates/export.csv?expiring_within=365",
    "/audit/export.csv",
]
API_URLS = [
    "/api/v1/dashboard",
    "/api/v1/certificates?status=active&sort=-not_after&limit=100",
    "/api/v1/certificates/export.csv",
]


def test_queries_do_not_grow_with_the_number_of_certificates(
    admin_web: Client, admin_api: Client
) -> None:
    """10 certificates, then 1,000: every admin page, list and export asks as often."""
    Domain.objects.create(name="example.org")
    owners = seed_users(50)
    seed_certificates(9, owners, seed=1)
    make_certificate(owners[1])  # every filter below finds something (an empty page is free)
    seed_requests(10, owners)
    admin_api.get("/api/v1/tokens")  # the token's first use records its time: not counted
    small = {url: queries_for(admin_web, url) for url in ADMIN_URLS}
    small |= {url: queries_for(admin_api, url) for url in API_URLS}
    seed_certificates(990, owners, seed=2)
    seed_requests(100, owners)
    large = {url: queries_for(admin_web, url) for url in ADMIN_URLS}
    large |= {url: queries_for(admin_api, url) for url in API_URLS}
    assert large == small
