"""The audit page: admins only, filtered and paginated."""

from __future__ import annotations

from django.test import Client

from certificates.models import AuditEvent, Certificate
from certificates.services import audit
from certificates.views.audit import PAGE_SIZE
from tests.conftest import actor
from tests.views.conftest import text


def test_employees_get_403(owner_web: Client, owner: object) -> None:
    response = owner_web.get("/audit/")
    assert response.status_code == 403
    assert "Only certificate admins can do this." in text(response)
    assert "Audit" not in text(owner_web.get("/")).split("Log out")[0]


def events(response: object) -> str:
    """The table part of the page (the filter's help text names actions too)."""
    return text(response).split("When (UTC)")[1]


def test_admin_sees_and_filters_events(admin_web: Client, issued: Certificate) -> None:
    page = events(admin_web.get("/audit/"))
    assert "request.created" in page and "certificate.added" in page and "alice" in page
    page = events(admin_web.get("/audit/", {"action": "certificate."}))
    assert "certificate.added" in page and "request.created" not in page
    page = events(
        admin_web.get(
            "/audit/", {"object_type": "certificaterequest", "object_id": str(issued.request_id)}
        )
    )
    assert "request.created" in page and "request.issued" in page
    assert "certificate.added" not in page
    page = text(admin_web.get("/audit/", {"actor": "nobody"}))
    assert "No events match." in page


def test_pagination_keeps_the_filter(admin_web: Client, admin: object) -> None:
    for n in range(PAGE_SIZE + 5):
        audit.record(actor(admin), "test.event", None, n=n)  # type: ignore[arg-type]
    response = admin_web.get("/audit/", {"action": "test."})
    page = text(response)
    assert f"{PAGE_SIZE + 5} events" in page and "Page 1 of 2" in page
    assert "action=test.&amp;page=2" in response.content.decode()
    second = text(admin_web.get("/audit/", {"action": "test.", "page": "2"}))
    assert "Page 2 of 2" in second
    assert AuditEvent.objects.count() == PAGE_SIZE + 5


def test_an_object_id_that_names_nothing_is_a_field_error(admin_web: Client) -> None:
    for query, words in [
        ({"object_id": "abc"}, "An object id is a number, such as 12"),
        ({"object_type": "certificate", "object_id": "abc"}, "An object id is a number"),
        ({"object_type": "storedkey", "object_id": "12"}, "A stored key's id is a UUID"),
    ]:
        response = admin_web.get("/audit/", query)
        assert response.status_code == 400, query
        assert words in text(response)
    for fine in ("12", "0f8a3c2e-5b1d-4e7a-9c6f-2d4b8e1a7c35"):
        assert admin_web.get("/audit/", {"object_id": fine}).status_code == 200
    assert admin_web.get("/audit/export.csv", {"object_id": "abc"}).status_code == 400
