"""The guided "New certificate" flow as a person clicks it in Debian's chromium, for each place
the key can be made, on a wide screen and a phone's: controls are found by their visible labels
and roles. The server key and the uploaded CSR are done with JavaScript off (they must not need
it); the browser key with it on. The upload runs the very command the page suggests, in a real
shell, and uploads the CSR it wrote. Each flow goes on as the person would: says the CSR went
to the CA, uploads what the test CA signed, gets the PKCS#12 (from the portal, built in the
browser, or with the openssl command the page shows) which OpenSSL 3 opens, and ends on the
install guide for a mail client."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from certificates.models import Certificate, CertificateRequest
from tests.e2e import tools
from tests.e2e.conftest import log_in
from tests.e2e.test_browser_keys import BUNDLE_PASSWORD, build_bundle, download, generate_in_page
from tests.factories import run_in_shell

pytestmark = pytest.mark.e2e

WIDTHS = {"wide": 1280, "phone": 390}
ORGANIZATION = re.compile(r"^Organization(?!al)")  # not "Organizational unit"


@pytest.fixture(params=sorted(WIDTHS))
def width(request: pytest.FixtureRequest) -> int:
    return WIDTHS[request.param]


@pytest.fixture
def named_owner(owner: Any) -> Any:
    owner.first_name, owner.last_name = "Alice", "Example"
    owner.save()
    return owner


def open_page(chromium: Any, width: int, *, scripts: bool) -> Any:
    context = chromium.new_context(
        viewport={"width": width, "height": 900},
        java_script_enabled=scripts,
        accept_downloads=True,
        permissions=["clipboard-read", "clipboard-write"] if scripts else [],
    )
    context.set_default_timeout(30_000)
    return context.new_page()


def fits_the_screen(page: Any) -> None:
    """Nothing on the page is wider than the window (no sideways scrolling)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the window"


def start(page: Any, base_url: str, key_source: str) -> None:
    log_in(page, base_url, "alice")
    page.get_by_role("link", name="Request a certificate").first.click()
    expect(page.get_by_role("heading", name="Request a certificate")).to_be_visible()
    fits_the_screen(page)
    expect(page.get_by_label("Email address")).to_have_value("Alice.Example@example.com")
    page.get_by_role("radio", name=key_source).check()


def review_and_create(page: Any) -> CertificateRequest:
    page.get_by_role("button", name="Review the request").click()
    expect(page.get_by_role("heading", name="Review your request")).to_be_visible()
    fits_the_screen(page)
    assert not CertificateRequest.objects.exists(), "the review made something"
    return create(page)


def create(page: Any) -> CertificateRequest:
    page.get_by_role("button", name="Create request").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    request = CertificateRequest.objects.get()
    expect(page.get_by_role("heading", name=f"Request #{request.pk}")).to_be_visible()
    expect(page.get_by_role("heading", name="1. Send the CSR to your CA")).to_be_visible()
    expect(page.get_by_text(request.csr_pem.splitlines()[1])).to_be_visible()
    fits_the_screen(page)
    return request


def mark_as_sent(page: Any, request: CertificateRequest) -> None:
    """The optional "I sent it" step, with the CA's order number."""
    page.get_by_label("CA name").fill("Test S/MIME CA")
    page.get_by_label("Order reference").fill("ORDER-4711")
    page.get_by_role("button", name="Mark as submitted").click()
    expect(page.get_by_text("Marked as submitted to the CA.")).to_be_visible()
    expect(page.get_by_text("(Test S/MIME CA, order ORDER-4711)")).to_be_visible()
    request.refresh_from_db()
    assert (request.state, request.ca_name, request.order_ref) == (
        "submitted",
        "Test S/MIME CA",
        "ORDER-4711",
    )


def upload_the_certificate(page: Any, request: CertificateRequest, sign_csr: Any) -> Certificate:
    page.get_by_label("or paste the certificate (PEM)").fill(sign_csr(request.csr_pem))
    page.get_by_role("button", name="Upload the signed certificate").click()
    page.wait_for_url(re.compile(r"/certificates/\d+/$"))
    expect(page.get_by_text("The certificate matches the request and is stored.")).to_be_visible()
    return Certificate.objects.get(request=request)


def assert_bundle_holds(bundle: Path, password: str, cert: Certificate, folder: Path) -> None:
    """OpenSSL 3 opens the bundle (no -legacy) and finds this certificate and its key in it."""
    key_file, leaf, _ = tools.openssl_extract(bundle, password, folder)
    found = x509.load_pem_x509_certificate(leaf.read_bytes())
    assert found.public_bytes(serialization.Encoding.DER) == bytes(cert.der)
    key = serialization.load_pem_private_key(key_file.read_bytes(), None)
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    assert key.public_key().public_bytes(*spki) == found.public_key().public_bytes(*spki)


def open_the_guide(page: Any, client: str) -> None:
    """From the certificate page's list after the download, to one mail client's guide."""
    page.locator("#pkcs12").get_by_role("link", name=client).click()
    expect(
        page.get_by_role("heading", name=f"Install your certificate in {client}")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="2. Import it")).to_be_visible()
    fits_the_screen(page)


def test_a_key_made_by_the_portal_without_javascript(
    live_server: Any,
    chromium: Any,
    named_owner: Any,
    sign_csr: Any,
    trust_anchor: Any,
    tmp_path: Path,
    width: int,
) -> None:
    page = open_page(chromium, width, scripts=False)
    try:
        start(page, live_server.url, "Let the portal generate my key")
        expect(page.get_by_label("Given name")).to_have_value("Alice")
        expect(page.get_by_label("Surname")).to_have_value("Example")
        page.get_by_label("Key type").select_option(
            label="ECDSA P-256 (smaller; some clients cannot decrypt with EC keys)"
        )
        page.get_by_label(ORGANIZATION).fill("N/A")
        page.get_by_role("button", name="Review the request").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Not done: one problem to mend.")
        expect(page.locator(".field.invalid")).to_contain_text(
            "Organization 'N/A' is a placeholder"
        )
        alert.get_by_role("link", name="Organization").click()
        expect(page.get_by_label(ORGANIZATION)).to_be_focused()
        page.get_by_label(ORGANIZATION).fill("")

        page.get_by_role("button", name="Review the request").click()
        expect(page.get_by_text("Let the portal generate my key: ECDSA P-256")).to_be_visible()
        page.reload()  # the browser sends the form again: the same review, nothing made
        expect(page.get_by_role("heading", name="Review your request")).to_be_visible()
        page.get_by_role("button", name="Change").click()
        expect(page.get_by_label("Given name")).to_have_value("Alice")
        request = review_and_create(page)
        page.reload()
        assert CertificateRequest.objects.count() == 1
        assert request.key_source == "server" and request.key_type == "ec-p256"
        assert request.subject["given_name"] == "Alice"

        with page.expect_download() as info:
            page.get_by_role("link", name="Download .csr").click()
        assert info.value.suggested_filename == f"request-{request.pk}.csr"
        assert Path(info.value.path()).read_text() == request.csr_pem
        mark_as_sent(page, request)
        cert = upload_the_certificate(page, request, sign_csr)
        assert cert.key_source == "server"

        bundle = page.locator("#pkcs12")
        bundle.get_by_role("radio", name=re.compile("^Modern")).check()
        bundle.get_by_label("Bundle password", exact=True).fill(BUNDLE_PASSWORD)
        bundle.get_by_label("Bundle password again").fill(BUNDLE_PASSWORD)
        bundle.get_by_label("Your account password").fill("alice-pass-1234")
        p12 = download(page, "Download PKCS#12", tmp_path)
        assert_bundle_holds(p12, BUNDLE_PASSWORD, cert, tmp_path)
        open_the_guide(page, "Thunderbird")
    finally:
        page.context.close()


def test_an_uploaded_csr_made_with_the_suggested_command_without_javascript(
    live_server: Any,
    chromium: Any,
    named_owner: Any,
    sign_csr: Any,
    trust_anchor: Any,
    tmp_path: Path,
    width: int,
) -> None:
    page = open_page(chromium, width, scripts=False)
    try:
        start(page, live_server.url, "Upload a CSR I made with openssl")
        command = page.locator("#upload-options pre").first.inner_text()
        assert "-subj '/CN=Alice Example/GN=Alice/SN=Example/emailAddress=" in command
        csr = run_in_shell(command, tmp_path)
        page.get_by_label("or choose the CSR file").set_input_files(csr)
        page.get_by_role("button", name="Review the request").click()
        expect(
            page.get_by_text("rsa-3072, read from your CSR; the key stays with you")
        ).to_be_visible()
        expect(page.get_by_text("Warnings")).to_have_count(0)
        fits_the_screen(page)
        request = create(page)
        assert request.key_source == "upload" and request.warnings == []
        assert request.csr_pem == csr.read_text()
        mark_as_sent(page, request)
        cert = upload_the_certificate(page, request, sign_csr)
        assert cert.email == "Alice.Example@example.com"

        # The key never left this folder: the person bundles it with the command the page
        # shows, next to the certificate and chain downloaded from the page.
        for label, name in (("Certificate (PEM)", "certificate.crt"), ("Chain (PEM)", "chain.pem")):
            with page.expect_download() as info:
                page.get_by_role("link", name=label, exact=True).click()
            info.value.save_as(tmp_path / name)
        command = page.locator("#pkcs12 pre").inner_text()
        run_in_shell(f"{command} -passout {shlex.quote('pass:' + BUNDLE_PASSWORD)}", tmp_path)
        assert_bundle_holds(tmp_path / "bundle.p12", BUNDLE_PASSWORD, cert, tmp_path)
        open_the_guide(page, "Outlook for Windows")
    finally:
        page.context.close()


def test_a_key_made_in_this_browser_at_the_last_step(
    live_server: Any,
    chromium: Any,
    named_owner: Any,
    sign_csr: Any,
    trust_anchor: Any,
    tmp_path: Path,
    width: int,
) -> None:
    page = open_page(chromium, width, scripts=True)
    try:
        start(page, live_server.url, "Generate the key in this browser")
        # Only the chosen way's options show.
        expect(page.get_by_label("Paste the CSR")).to_be_hidden()
        expect(page.get_by_label("Given name")).to_be_visible()
        page.get_by_role("button", name="Review the request").click()
        expect(page.get_by_role("heading", name="Review your request")).to_be_visible()
        fits_the_screen(page)
        page.get_by_role("button", name="Create request").click()
        expect(page.get_by_role("alert")).to_contain_text("Generate the key first")
        assert not CertificateRequest.objects.exists()
        generate_in_page(page, "ec-p256")
        backup = download(page, "Download key backup", tmp_path)
        assert backup.read_text().startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        request = create(page)
        assert request.key_source == "browser" and request.subject["surname"] == "Example"

        page.get_by_role("button", name="Copy CSR").click()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()").strip() == request.csr_pem.strip()
        mark_as_sent(page, request)
        cert = upload_the_certificate(page, request, sign_csr)
        assert cert.key_source == "browser"

        p12 = build_bundle(page, "modern", tmp_path)
        expect(page.get_by_text("The bundle is built and saved by your browser.")).to_be_visible()
        expect(page.locator("#pkcs12 .download-status")).to_contain_text("Next: open it")
        assert_bundle_holds(p12, BUNDLE_PASSWORD, cert, tmp_path)
        open_the_guide(page, "Apple Mail on macOS")
    finally:
        page.context.close()


def test_a_session_that_ended_during_the_review_leads_back_through_the_login(
    live_server: Any, page: Any, named_owner: Any
) -> None:
    start(page, live_server.url, "Let the portal generate my key")
    page.get_by_role("button", name="Review the request").click()
    Session.objects.all().delete()
    page.get_by_role("button", name="Create request").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("alice-pass-1234")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Request a certificate")).to_be_visible()
    expect(page.get_by_label("Given name")).to_have_value("Alice")
    assert not CertificateRequest.objects.exists()
    review_and_create(page)
