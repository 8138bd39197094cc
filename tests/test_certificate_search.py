"""One search behind the admin table, the API's list and the CSV exports: every filter and
sort, checked on rows made for them, through the service and both doors."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate, Domain
from certificates.services import certificate_lists
from certificates.services.errors import Invalid
from tests.seed import ISSUERS, make_certificate


@pytest.fixture
def rows(owner: User, colleague: User, admin: User) -> dict[str, Certificate]:
    """Certificates that differ in one thing each, named by what sets them apart."""
    Domain.objects.create(name="example.org")
    dora = User.objects.create_user("dora", "Dora.Lee@Example.org", last_name="Lee")
    now = timezone.now()
    return {
        "alice": make_certificate(owner, subject="CN=Alice Example,emailAddress=x"),
        "bob_soon": make_certificate(colleague, not_after=now + timedelta(days=10)),
        "bob_expired": make_certificate(colleague, not_after=now - timedelta(days=3)),
        "dora_org": make_certificate(
            dora, issuer=ISSUERS[1], key_source="upload", serial_hex="0a1b2c3d4e5f"
        ),
        "dora_revoked": make_certificate(
            dora,
            revoked_at=now,
            revocation_status="revoked",
            sha256_fingerprint="ab" * 32,
            key_source="imported",
        ),
        "unknown": make_certificate(owner, revocation_status="unknown"),
        "good": make_certificate(owner, revocation_status="good"),
    }


def found(admin: User, **filters: object) -> set[int]:
    return set(certificate_lists.search(admin, **filters).values_list("pk", flat=True))


def ids(rows: dict[str, Certificate], *names: str) -> set[int]:
    return {rows[name].pk for name in names}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "Alice Example"}, ["alice"]),  # a name in the subject
        ({"q": "dora.lee@"}, ["dora_org", "dora_revoked"]),  # part of an address
        ({"q": "bob"}, ["bob_soon", "bob_expired"]),  # the username
        ({"q": "0A:1B:2C"}, ["dora_org"]),  # a serial's start, colons and capitals
        ({"q": "abab abab"}, ["dora_revoked"]),  # a fingerprint's start, spaced
        ({"status": "revoked"}, ["dora_revoked"]),
        ({"status": "expiring"}, ["bob_soon"]),
        ({"status": "expired"}, ["bob_expired"]),
        ({"domain": "EXAMPLE.org."}, ["dora_org", "dora_revoked"]),
        ({"issuer": "hellenic academic"}, ["dora_org"]),
        ({"key_source": "upload"}, ["dora_org"]),
        ({"key_source": "imported"}, ["dora_revoked"]),
        ({"expiring_within": 30}, ["bob_soon"]),  # an expired one is not "expiring within"
        ({"revocation": "unknown"}, ["unknown"]),
        ({"revocation": "good"}, ["good"]),
        ({"revocation": "revoked"}, ["dora_revoked"]),
        ({"status": "active", "domain": "example.com", "revocation": "unchecked"}, ["alice"]),
    ],
)
def test_each_filter_finds_exactly_its_rows(
    admin: User, rows: dict[str, Certificate], filters: dict[str, object], expected: list[str]
) -> None:
    assert found(admin, **filters) == ids(rows, *expected)


def test_an_employee_searches_only_their_own(owner: User, rows: dict[str, Certificate]) -> None:
    assert found(owner) == ids(rows, "alice", "unknown", "good")
    assert found(owner, q="bob") == set()


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("not_after", "bob_expired", None),
        ("-not_after", None, "bob_expired"),
        ("owner", "alice", "dora_revoked"),  # ties go by id
        ("-created_at", "good", "alice"),
        ("created_at", "alice", "good"),
    ],
)
def test_sorting(
    admin: User, rows: dict[str, Certificate], sort: str, first: str | None, last: str | None
) -> None:
    order = list(certificate_lists.search(admin, sort=sort).values_list("pk", flat=True))
    if first:
        assert order[0] == rows[first].pk
    if last:
        assert order[-1] == rows[last].pk
    if sort == "owner":
        owners = [c.owner.username for c in certificate_lists.search(admin, sort=sort)]
        assert owners == sorted(owners)


def test_unknown_sort_and_revocation_values_are_refused(admin: User) -> None:
    with pytest.raises(Invalid, match="sort must be one of"):
        certificate_lists.search(admin, sort="der")
    with pytest.raises(Invalid, match="revocation must be one of"):
        certificate_lists.search(admin, revocation="maybe")


def test_the_api_list_takes_the_same_filters(
    admin_api: Client, owner_api: Client, rows: dict[str, Certificate]
) -> None:
    response = admin_api.get(
        "/api/v1/certificates",
        {"domain": "example.org", "key_source": "upload", "sort": "not_after", "q": "dora"},
    )
    assert response.status_code == 200, response.content
    assert [c["id"] for c in response.json()["items"]] == [rows["dora_org"].pk]
    soon = admin_api.get("/api/v1/certificates", {"expiring_within": 30}).json()
    assert [c["id"] for c in soon["items"]] == [rows["bob_soon"].pk]
    unknown = admin_api.get("/api/v1/certificates", {"revocation": "unknown"}).json()
    assert unknown["count"] == 1 and unknown["items"][0]["revocation"]["status"] == "unknown"
    own = owner_api.get("/api/v1/certificates", {"q": "bob"}).json()
    assert own == {"count": 0, "items": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "der"}, "sort"),
        ({"revocation": "maybe"}, "revocation"),
        ({"expiring_within": 0}, "expiring_within"),
        ({"key_source": "usb"}, "key_source"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_the_api_refuses_bad_filters_with_json_422(
    admin_api: Client, params: dict[str, object], field: str
) -> None:
    response = admin_api.get("/api/v1/certificates", params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert f"Query parameter '{field}'" in response.json()["detail"]


def test_a_domain_idna_refuses_is_a_422_saying_so(admin_api: Client) -> None:
    response = admin_api.get("/api/v1/certificates", {"domain": "☃.example"})
    assert response.status_code == 422
    assert "is not a valid internationalised domain name" in response.json()["detail"]


def test_the_table_page_takes_the_same_filters(
    admin_web: Client, rows: dict[str, Certificate]
) -> None:
    response = admin_web.get("/certificates/", {"domain": "example.org", "status": "revoked"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == [rows["dora_revoked"].pk]
    bad = admin_web.get("/certificates/", {"expiring_within": "soon"})
    assert bad.status_code == 400
    assert bad.context["page"] is None


def test_every_sort_link_of_the_table_answers(
    admin_web: Client, rows: dict[str, Certificate]
) -> None:
    html = admin_web.get("/certificates/").content.decode()
    links = re.findall(r'<th scope="col"[^>]*><a href="\?([^"]+)"', html)
    assert len(links) == 7
    for query in links:
        response = admin_web.get(f"/certificates/?{query.replace('&amp;', '&')}")
        assert response.status_code == 200, query
        assert len(response.context["page"]) == len(rows)
