"""The certificate page in Debian's chromium at 1280 and 390 px: one primary action at a time
(the bundle, then publishing), the install guides after a download, "Test my setup" ending in
a real mail, final actions that ask first (also without JavaScript), and nothing wider than
the screen on a phone, long addresses included."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from certificates.models import ApiToken, Certificate
from tests.conftest import api_client
from tests.e2e.conftest import log_in
from tests.factories import issue_via_api
from tests.peers import SmtpSink

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 390]
BUNDLE_PASSWORD = "bundle password for the browser test"
LONG_ADDRESS = "erin.with-a-rather-long-local-part.for-wrapping@example.com"


@pytest.fixture
def erin(domain: Any) -> User:
    """Someone whose address is too long for one line on a phone."""
    return User.objects.create_user("erin", LONG_ADDRESS, password="erin-pass-1234")


@pytest.fixture
def certificate(live_server: Any, erin: User, sign_csr: Any, trust_anchor: Any) -> Certificate:
    """Erin's certificate with an RSA key the portal holds (so the test mail is encrypted)."""
    _, cert = issue_via_api(
        api_client(erin, ["keys:export"]), sign_csr, LONG_ADDRESS, key_type="rsa-2048"
    )
    return Certificate.objects.get(pk=cert["id"])


def open_page(page: Any, live_server: Any, cert: Certificate, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "erin")
    page.goto(f"{live_server.url}/certificates/{cert.pk}/")


def primary_names(page: Any) -> list[str]:
    return [
        " ".join(name.split()) for name in page.locator("main .primary:visible").all_inner_texts()
    ]


def assert_fits_the_screen(page: Any) -> None:
    """No sideways scrolling, and the heading's text stays inside the heading."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the screen"
    heading = page.locator("h1").first
    assert heading.evaluate("h => h.scrollWidth <= h.clientWidth + 1"), "the heading overflows"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_leads_from_the_bundle_to_publishing(
    page: Any, live_server: Any, certificate: Certificate, width: int, tmp_path: Path
) -> None:
    open_page(page, live_server, certificate, width)
    assert_fits_the_screen(page)
    expect(page.get_by_role("heading", name="Next: put it into your mail client")).to_be_visible()
    assert primary_names(page) == ["Download PKCS#12"]

    page.get_by_role("link", name="Go to the bundle").click()
    bundle = page.locator("#pkcs12")
    bundle.get_by_role("radio", name=re.compile("^Compatible")).check()
    bundle.get_by_label("Bundle password", exact=True).fill(BUNDLE_PASSWORD)
    bundle.get_by_label("Bundle password again").fill(BUNDLE_PASSWORD)
    bundle.get_by_label("Your account password").fill("erin-pass-1234")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PKCS#12").click()
    assert download.value.suggested_filename.endswith("-legacy.p12")
    expect(bundle.get_by_role("status")).to_contain_text(
        "Next: open it in your mail client and type the bundle password"
    )
    expect(bundle.get_by_role("link", name="Apple Mail on macOS")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name="Next: let others find it")).to_be_visible()
    assert primary_names(page) == ["Publish"]
    page.get_by_role("link", name="Go to Publish").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="All set")).to_be_visible()
    assert primary_names(page) == []
    assert_fits_the_screen(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_guide_names_the_format_and_leads_back_to_the_bundle(
    page: Any, live_server: Any, certificate: Certificate, width: int
) -> None:
    open_page(page, live_server, certificate, width)
    page.locator("#pkcs12").get_by_role("link", name="Mail on iPhone and iPad").click()
    expect(
        page.get_by_role("heading", name="Install your certificate in Mail on iPhone and iPad")
    ).to_be_visible()
    expect(page.locator("#format")).to_contain_text("Choose the Compatible format")
    assert page.locator("ol.steps li").count() >= 4
    assert_fits_the_screen(page)
    page.get_by_role("link", name="Download the bundle (Compatible)").click()
    page.wait_for_url(re.compile(r"/certificates/\d+/\?profile=legacy#pkcs12$"))
    expect(page.get_by_role("radio", name=re.compile("^Compatible"))).to_be_checked()


@pytest.mark.parametrize("width", WIDTHS)
def test_test_my_setup_sends_the_encrypted_message(
    page: Any,
    live_server: Any,
    certificate: Certificate,
    celery_worker: None,
    smtp_sink: SmtpSink,
    settings: Any,
    tmp_path: Path,
    width: int,
) -> None:
    settings.PORTAL_SMIME_KEY = settings.PORTAL_SMIME_CERT = None
    settings.PORTAL_SMIME_GENERATED = tmp_path / "smime_identity.pem"
    open_page(page, live_server, certificate, width)
    setup = page.locator("#setup-test")
    expect(setup.get_by_role("heading", name="What to expect")).to_be_visible()
    setup.get_by_role("button", name="Send me a test message").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"A test message is on its way to {LONG_ADDRESS}"
    )
    (message,) = smtp_sink.wait_for(1)
    assert message["X-Envelope-To"] == LONG_ADDRESS
    assert message.get_content_type() == "application/pkcs7-mime"
    assert_fits_the_screen(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_declaring_revoked_asks_first(
    page: Any, live_server: Any, certificate: Certificate, width: int
) -> None:
    open_page(page, live_server, certificate, width)
    revoke = page.locator("#revoke")
    revoke.get_by_label("Reason").select_option("Key compromise")
    revoke.get_by_role("button", name="Declare revoked…").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Declare certificate #\d+"))
    ).to_be_visible()
    assert_fits_the_screen(page)
    page.get_by_role("link", name="Keep it").click()
    certificate.refresh_from_db()
    assert certificate.status == "active"

    revoke.get_by_role("button", name="Declare revoked…").click()
    page.get_by_role("button", name=f"Declare certificate #{certificate.pk} revoked").click()
    expect(page.get_by_role("status").first).to_contain_text("recorded as revoked")
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_revoking_a_token_asks_first_without_javascript(
    chromium: Any, live_server: Any, erin: User
) -> None:
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        log_in(page, live_server.url, "erin")
        page.goto(f"{live_server.url}/tokens/")
        page.get_by_label("Name").fill("nightly script")
        page.get_by_role("button", name="Create token").click()
        page.get_by_role("button", name="Revoke token nightly script").click()
        expect(
            page.get_by_role("heading", name="Revoke the token “nightly script”?")
        ).to_be_visible()
        assert ApiToken.objects.get(name="nightly script").revoked_at is None
        page.get_by_role("button", name="Revoke the token “nightly script”").click()
        expect(page.get_by_role("status").first).to_contain_text("is revoked")
        assert ApiToken.objects.get(name="nightly script").revoked_at is not None
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_menu_keeps_off_the_top_edge(
    page: Any, live_server: Any, erin: User, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "erin")
    for element in ("header.site .brand", "header.site nav a >> nth=0"):
        box = page.locator(element).bounding_box()
        assert box is not None and box["y"] >= 6, (element, box)
    assert_fits_the_screen(page)


def test_the_favicon_loads(page: Any, live_server: Any, erin: User) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    log_in(page, live_server.url, "erin")
    icon = page.evaluate("() => document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).status == 200
    assert not failed, failed
