"""The main pages in Debian's chromium at 1280 and 390 px: axe-core finds no serious or critical
violation, every form control has a label, nothing is wider than the window, and a screenshot
of each lands in test-artifacts/screenshots/. The server-key flow, from the login to an install
guide, is done with the keyboard alone (Tab, Enter, Space and typing)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from certificates.guides import GUIDES
from certificates.models import CertificateRequest
from discovery import lookup
from tests.conftest import api_client
from tests.e2e.conftest import log_in
from tests.e2e.page_checks import problems_of, screenshot
from tests.factories import create_server_request, issue_via_api

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 390]
PASSWORD = "bundle password for the keyboard"
LONG_ADDRESS = "erin.with-a-rather-long-local-part.for-wrapping@example.com"
UNMANAGED_ADDRESS = "frank.with-a-rather-long-local-part.for-wrapping@example.net"


@pytest.fixture
def named_owner(owner: User) -> User:
    owner.first_name, owner.last_name = "Alice", "Example"
    owner.save()
    return owner


@pytest.fixture
def portal(
    live_server: Any, named_owner: User, admin: User, sign_csr: Any, trust_anchor: Any
) -> dict[str, int]:
    """Something on every page: an issued certificate, a request waiting for its CSR to go to
    the CA, an API token, the audit entries all that left, and a colleague whose address is
    too long for one line on a phone in the admin's tables."""
    erin = User.objects.create_user("erin", LONG_ADDRESS, password="erin-pass-1234")
    issue_via_api(api_client(erin), sign_csr, LONG_ADDRESS)
    client = api_client(named_owner, ["keys:export"])
    _, issued = issue_via_api(client, sign_csr, named_owner.email, key_type="rsa-2048")
    waiting = create_server_request(client, named_owner.email)
    return {"certificate": issued["id"], "request": waiting["id"]}


@pytest.fixture
def offline_lookups(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup page's steps without the network: DNS goes to a closed local port, which
    refuses at once, and the direct .well-known URL is a loopback one, which the fetcher
    refuses (private networks are off). Each step is an error row with its detail."""
    settings.DNS_RESOLVERS = ["127.0.0.1:9"]
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    settings.LOOKUPS_PER_MINUTE = 1000
    monkeypatch.setattr(lookup, "direct_base", lambda domain: "https://127.0.0.1:9")


def review_step(page: Any) -> None:
    page.get_by_role("button", name="Review the request").click()
    expect(page.get_by_role("heading", name="Review your request")).to_be_visible()


def review_with_a_browser_key(page: Any) -> None:
    page.get_by_role("radio", name="Generate the key in this browser").check()
    review_step(page)
    expect(page.get_by_role("button", name="Generate the key")).to_be_visible()


def review_with_a_problem(page: Any) -> None:
    page.get_by_label(re.compile(r"^Organization(?!al)")).fill("N/A")
    page.get_by_role("button", name="Review the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Not done: one problem to mend.")


def publish(page: Any) -> None:
    page.locator("#publication").get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").first).to_contain_text("Published")


def owner_pages(ids: dict[str, int]) -> list[tuple[str, str, Callable[[Any], None] | None]]:
    """(name, address, what to click there first) of the pages a certificate's owner sees."""
    cert = ids["certificate"]
    return [
        ("home", "/", None),
        ("new-request", "/requests/new/", None),
        ("new-request-problem", "/requests/new/", review_with_a_problem),
        ("new-request-review", "/requests/new/", review_step),
        ("new-request-review-browser-key", "/requests/new/", review_with_a_browser_key),
        ("request", f"/requests/{ids['request']}/", None),
        ("certificate", f"/certificates/{cert}/", None),
        ("certificate-published", f"/certificates/{cert}/", publish),
        ("guides", f"/guides/?certificate={cert}", None),
        *((f"guide-{g.slug}", f"/guides/{g.slug}/?certificate={cert}", None) for g in GUIDES),
        ("browser-keys", "/keys/", None),
        ("import", "/certificates/import/", None),
        ("tokens", "/tokens/", None),
        ("lookup", "/lookup/", None),
        ("lookup-results", f"/lookup/?email={UNMANAGED_ADDRESS}", None),
    ]


ADMIN_PAGES = [
    ("admin-dashboard", "/dashboard/"),
    ("admin-certificates", "/certificates/"),
    ("admin-audit", "/audit/"),
    ("admin-domains", "/domains/"),
    ("admin-domain", "/domains/example.com/"),
    ("admin-authorities", "/authorities/"),
]


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)


def look_at(page: Any, name: str, width: int) -> list[str]:
    screenshot(page, name, width)
    return problems_of(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_are_accessible_and_fit_the_screen(
    chromium: Any, live_server: Any, portal: dict[str, int], offline_lookups: None, width: int
) -> None:
    found: dict[str, list[str]] = {}
    context = chromium.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        visit(page, f"{live_server.url}/accounts/login/")
        found["login"] = look_at(page, "login", width)
        log_in(page, live_server.url, "alice")
        for name, path, then in owner_pages(portal):
            visit(page, live_server.url + path)
            if then is not None:
                then(page)
            found[name] = look_at(page, name, width)
        context.clear_cookies()
        log_in(page, live_server.url, "carol")
        for name, path in ADMIN_PAGES:
            visit(page, live_server.url + path)
            found[name] = look_at(page, name, width)
    finally:
        context.close()
    report = {name: problems for name, problems in found.items() if problems}
    assert not report, "\n".join(
        f"{name} at {width} px:\n  " + "\n  ".join(problems) for name, problems in report.items()
    )


def test_the_checks_find_what_they_look_for(page: Any) -> None:
    """The checks above can fail: a page with each fault is caught, each by its own check."""
    page.set_viewport_size({"width": 390, "height": 600})
    page.set_content(
        '<html lang="en"><head><title>Faults</title></head><body><main><h1>Faults</h1>'
        '<input type="text"><p style="color:#bbb">faint text</p>'
        '<div style="width:600px">too wide</div></main></body></html>'
    )
    problems = problems_of(page)
    assert any(p.startswith("critical label:") for p in problems), problems
    assert any(p.startswith("serious color-contrast:") for p in problems), problems
    assert any(p.startswith("control without a label: <input") for p in problems), problems
    assert any("px wider than the window" in p and "div" in p for p in problems), problems


class Keyboard:
    """Moves through a page as a keyboard user does: Tab until the wanted control has the focus
    (which must show), then Enter, Space or typing."""

    LIMIT = 80  # more Tabs than that to reach a control is a finding in itself

    def __init__(self, page: Any) -> None:
        self.page = page

    def tab_to(self, target: Any) -> None:
        for _ in range(self.LIMIT):
            self.page.keyboard.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                outline = target.evaluate("el => getComputedStyle(el).outlineStyle")
                assert outline != "none", f"{target} shows no focus"
                return
        raise AssertionError(f"{self.LIMIT} Tabs did not reach {target}")

    def type_into(self, target: Any, text: str) -> None:
        self.tab_to(target)
        self.page.keyboard.insert_text(text)

    def press(self, target: Any, key: str) -> None:
        self.tab_to(target)
        self.page.keyboard.press(key)


def test_the_server_key_flow_works_with_the_keyboard_alone(
    chromium: Any,
    live_server: Any,
    named_owner: User,
    sign_csr: Any,
    trust_anchor: Any,
    tmp_path: Path,
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        page = context.new_page()
        keys = Keyboard(page)
        page.goto(f"{live_server.url}/accounts/login/")
        keys.type_into(page.get_by_label("Username"), "alice")
        keys.type_into(page.get_by_label("Password"), "alice-pass-1234")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/")

        keys.press(page.get_by_role("link", name="Request a certificate").first, "Enter")
        expect(page.get_by_role("heading", name="Request a certificate")).to_be_visible()
        keys.press(page.get_by_role("radio", name="Let the portal generate my key"), "Space")
        expect(page.get_by_role("radio", name="Let the portal generate my key")).to_be_checked()
        keys.press(page.get_by_role("button", name="Review the request"), "Enter")
        expect(page.get_by_role("heading", name="Review your request")).to_be_visible()
        keys.press(page.get_by_role("button", name="Create request"), "Enter")
        page.wait_for_url(re.compile(r"/requests/\d+/$"))
        request = CertificateRequest.objects.get()

        keys.type_into(page.get_by_label("CA name"), "Test S/MIME CA")
        keys.press(page.get_by_role("button", name="Mark as submitted"), "Space")
        expect(page.get_by_text("Marked as submitted to the CA.")).to_be_visible()
        keys.type_into(
            page.get_by_label("or paste the certificate (PEM)"), sign_csr(request.csr_pem)
        )
        keys.press(page.get_by_role("button", name="Upload the signed certificate"), "Enter")
        page.wait_for_url(re.compile(r"/certificates/\d+/$"))
        expect(
            page.get_by_text("The certificate matches the request and is stored.")
        ).to_be_visible()

        bundle = page.locator("#pkcs12")
        keys.type_into(bundle.get_by_label("Bundle password", exact=True), PASSWORD)
        keys.type_into(bundle.get_by_label("Bundle password again"), PASSWORD)
        keys.type_into(bundle.get_by_label("Your account password"), "alice-pass-1234")
        with page.expect_download() as info:
            keys.press(bundle.get_by_role("button", name="Download PKCS#12"), "Enter")
        assert info.value.suggested_filename.endswith(".p12")
        keys.press(bundle.get_by_role("link", name="Thunderbird"), "Enter")
        expect(
            page.get_by_role("heading", name="Install your certificate in Thunderbird")
        ).to_be_visible()
    finally:
        context.close()
