"""What discovery adds to certificates' pages through certificates.extensions: a Publish
button on each row of My certificates, and the dashboard's published figures per domain."""

from __future__ import annotations

from typing import Any

from django.test import Client

from discovery.models import Publication
from tests.views.conftest import text


def test_my_certificates_offers_publish_and_then_says_published(
    owner_web: Client, issued_cert: dict[str, Any]
) -> None:
    cid = issued_cert["id"]
    html = owner_web.get("/").content.decode()
    assert f'action="/certificates/{cid}/publish"' in html
    assert f'aria-label="Publish certificate #{cid}"' in html
    response = owner_web.post(f"/certificates/{cid}/publish", {"follow_renewals": "on"})
    assert response["Location"] == f"/certificates/{cid}/#publication"
    assert Publication.objects.get().follow_renewals is True
    html = owner_web.get("/").content.decode()
    assert f'href="/certificates/{cid}/#publication">Published</a>' in html
    assert f'action="/certificates/{cid}/publish"' not in html


def test_a_revoked_certificate_gets_no_publish_button(
    owner_web: Client, owner_api: Client, issued_cert: dict[str, Any]
) -> None:
    cid = issued_cert["id"]
    owner_api.post(
        f"/api/v1/certificates/{cid}/revoke", {"reason": "lost"}, content_type="application/json"
    )
    html = owner_web.get("/").content.decode()
    assert f'action="/certificates/{cid}/publish"' not in html and "Published" not in html


def test_the_dashboard_counts_what_is_published_per_domain(
    admin_web: Client, admin_api: Client, published: dict[str, Any]
) -> None:
    (row,) = admin_api.get("/api/v1/dashboard").json()["publication"]
    assert row == {"domain": "example.com", "live": 1, "published": 1, "unpublished": 0}
    assert "example.com 1 1 0" in text(admin_web.get("/dashboard/"))
