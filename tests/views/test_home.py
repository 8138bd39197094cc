"""My certificates: each certificate's status, days left and next step; each request's next
step; nothing of anyone else's; and every table of every page stays inside a phone's width."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from certificates import extensions
from certificates.models import Certificate, CertificateAuthority, CertificateRequest, StoredKey
from certificates.services import tokens
from tests.conftest import actor
from tests.seed import make_certificate, make_request


def row_of(html: str, marker: str) -> str:
    """The text of the table row that contains ``marker``."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        if marker in row:
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"no row with {marker}")


@pytest.fixture
def mine(owner: User, colleague: User) -> dict[str, Certificate]:
    now = timezone.now()
    ending = make_certificate(owner, not_after=now + timedelta(days=12, hours=1))
    renewed = make_certificate(owner, not_after=now + timedelta(days=20, hours=1))
    make_request(owner, "csr_ready", renewal_of=renewed)
    key = StoredKey.objects.create(owner=owner, key_type="ec-p256", spki_sha256="0" * 64)
    current = make_certificate(owner, stored_key=key)
    return {
        "bundle": current,
        "own_key": make_certificate(owner, key_source="upload"),
        "ending": ending,
        "renewed": renewed,
        "superseded": make_certificate(owner, status="superseded", superseded_by=current),
        "revoked": make_certificate(owner, revoked_at=now, revocation_reason="Lost"),
        "theirs": make_certificate(colleague),
    }


def test_each_certificate_shows_status_days_left_and_the_next_step(
    owner_web: Client, mine: dict[str, Certificate]
) -> None:
    html = owner_web.get("/").content.decode()
    expected = {
        "ending": "Expiring soon 12",
        "renewed": "Renewal requested",
        "own_key": "Download",
        "superseded": "Superseded",
        "revoked": "Revoked",
    }
    for name, words in expected.items():
        assert words in row_of(html, f"#{mine[name].pk}<"), name
    # discovery adds Publish to the live ones (tests/discovery/test_certificate_hooks.py)
    assert row_of(html, f"#{mine['ending'].pk}<").endswith("Renew Publish")
    assert row_of(html, f"#{mine['revoked'].pk}<").endswith("Renew")
    assert row_of(html, f"#{mine['bundle'].pk}<").endswith("Download with key Publish")
    assert row_of(html, f"#{mine['own_key'].pk}<").endswith("Download Publish")
    assert "Renew" not in row_of(html, f"#{mine['superseded'].pk}<").replace("Renewal", "")
    assert f"#{mine['theirs'].pk}<" not in html


def test_requests_show_what_to_do_next(owner_web: Client, owner: User) -> None:
    ready = make_request(owner, "csr_ready")
    sent = make_request(owner, "submitted", ca_name="Sectigo")
    done = make_request(owner, "cancelled")
    html = owner_web.get("/").content.decode()
    assert "Send to the CA" in row_of(html, f"Request #{ready.pk}<")
    assert "Upload the certificate" in row_of(html, f"Request #{sent.pk}<")
    assert row_of(html, f"Request #{done.pk}<").endswith(
        "Cancelled " + row_of(html, f"Request #{done.pk}<").split("Cancelled ")[1]
    )


def test_apps_add_their_action_to_each_row(owner_web: Client, mine: dict[str, Certificate]) -> None:
    extensions.CERTIFICATE_ACTION_TEMPLATES.append("certificates/_cert_status.html")
    try:
        html = owner_web.get("/").content.decode()
    finally:
        extensions.CERTIFICATE_ACTION_TEMPLATES.remove("certificates/_cert_status.html")
    assert row_of(html, f"#{mine['bundle'].pk}<").count("Active") == 2


class Tables(HTMLParser):
    """Finds <table> elements with no scrolling wrapper around them."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[set[str]] = []
        self.unwrapped = 0
        self.tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "br", "meta", "link", "img", "hr", "line", "rect"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "table":
            self.tables += 1
            if not any({"table-scroll", "scroll"} & c for c in self.stack):
                self.unwrapped += 1
        self.stack.append(classes)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("input", "br", "meta", "link", "img", "hr", "line", "rect") and self.stack:
            self.stack.pop()


def test_every_table_scrolls_inside_its_card_on_a_phone(
    owner_web: Client, admin_web: Client, admin: User, owner: User, mine: dict[str, Certificate]
) -> None:
    """The non-browser half of the 390 px check: every table sits in a wrapper that scrolls
    sideways (portal.css), so the page itself never grows wider than the screen."""
    make_request(admin, "submitted", ca_name="Sectigo", submitted_at=timezone.now())
    CertificateAuthority.objects.create(name="Sectigo")
    tokens.create(actor(owner), owner, "script")
    pages = [
        (owner_web, "/"),
        (owner_web, "/tokens/"),
        (admin_web, "/audit/"),
        (admin_web, "/dashboard/"),
        (admin_web, "/certificates/"),
        (admin_web, "/authorities/"),
    ]
    for client, url in pages:
        parser = Tables()
        parser.feed(client.get(url).content.decode())
        assert parser.tables, url
        assert parser.unwrapped == 0, url
    css = Path(settings.BASE_DIR, "static/css/portal.css").read_text()
    assert re.search(r"\.scroll, \.table-scroll \{ overflow-x: auto; \}", css)
    assert CertificateRequest.objects.exists()
