"""Browser keys beyond the main path: clear messages for a wrong passphrase, a foreign key
backup, a browser without IndexedDB, plain HTTP off loopback and no JavaScript; a renewal
makes a new key while the superseded certificate still bundles; "Back up all my keys"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from certificates.forms import NEEDS_JAVASCRIPT
from certificates.models import Certificate
from tests.e2e import tools
from tests.e2e.conftest import INSECURE_HOST, log_in
from tests.e2e.test_browser_keys import (
    BUNDLE_PASSWORD,
    CRYPTO,
    KEY_PASSPHRASE,
    build_bundle,
    download,
    fill_bundle_form,
    generate_in_page,
    request_in_page,
    send_and_issue,
)
from tests.e2e.test_script_translations import open_browser_keygen

pytestmark = pytest.mark.e2e

NO_INDEXEDDB = "Object.defineProperty(window, 'indexedDB', { value: undefined });"


@pytest.fixture
def issued(live_server: Any, page: Any, owner: Any, sign_csr: Any, tmp_path: Path) -> Certificate:
    """Alice, logged in, with an ECDSA P-256 certificate whose key this browser made."""
    log_in(page, live_server.url, "alice")
    request_in_page(page, live_server.url, "ec-p256", tmp_path)
    return send_and_issue(page, sign_csr)


def bundle_error(page: Any) -> Any:
    return page.locator("form[data-bundle] [data-error]")


def test_wrong_key_passphrase_is_named(page: Any, issued: Certificate) -> None:
    fill_bundle_form(page, "modern", passphrase="not the passphrase")
    page.get_by_role("button", name="Build PKCS#12 in this browser").click()
    expect(bundle_error(page)).to_contain_text("The key passphrase is wrong")


def test_foreign_key_backup_is_refused(page: Any, issued: Certificate, tmp_path: Path) -> None:
    foreign = page.evaluate(
        """async ([url, passphrase]) => {
          const lib = await import(url);
          const keys = await lib.generateKeyPair("ec-p256");
          return lib.encryptKey(keys.privateKey, passphrase);
        }""",
        [CRYPTO, KEY_PASSPHRASE],
    )
    key_file = tmp_path / "someone-else.key"
    key_file.write_text(foreign)
    fill_bundle_form(page, "modern", key_file=key_file)
    page.get_by_role("button", name="Build PKCS#12 in this browser").click()
    expect(bundle_error(page)).to_contain_text("This key does not belong to certificate #")


def test_a_file_that_is_not_a_key_backup_is_named(
    page: Any, issued: Certificate, tmp_path: Path
) -> None:
    key_file = tmp_path / "notes.key"
    key_file.write_text("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n")
    fill_bundle_form(page, "modern", key_file=key_file)
    page.get_by_role("button", name="Build PKCS#12 in this browser").click()
    expect(bundle_error(page)).to_contain_text("This key file is not encrypted")


def test_without_indexeddb_the_page_says_so_and_the_backup_file_still_bundles(
    live_server: Any, page: Any, owner: Any, sign_csr: Any, tmp_path: Path
) -> None:
    page.context.add_init_script(NO_INDEXEDDB)
    log_in(page, live_server.url, "alice")
    backup = request_in_page(page, live_server.url, "ec-p256", tmp_path)
    expect(page.locator("[data-keygen] [data-error]")).to_contain_text(
        "This browser does not let the page keep keys (IndexedDB"
    )
    send_and_issue(page, sign_csr)
    fill_bundle_form(page, "modern")
    page.get_by_role("button", name="Build PKCS#12 in this browser").click()
    expect(bundle_error(page)).to_contain_text("IndexedDB")
    bundle = build_bundle(page, "modern", tmp_path, key_file=backup)
    assert "Shrouded Keybag" in tools.openssl_pkcs12_info(bundle, BUNDLE_PASSWORD)


def test_over_plain_http_off_loopback_the_page_says_webcrypto_needs_https(
    live_server: Any, page: Any, owner: Any
) -> None:
    insecure = live_server.url.replace("localhost", INSECURE_HOST)
    log_in(page, insecure, "alice")
    page.goto(f"{insecure}/requests/new/")
    page.get_by_role("radio", name="Generate the key in this browser").check()
    page.get_by_role("button", name="Review the request").click()
    expect(page.locator("[data-keygen] [data-error]")).to_contain_text("opened over HTTPS")
    expect(page.get_by_role("button", name="Generate the key")).to_be_disabled()


def test_without_javascript_the_browser_option_says_it_needs_javascript(
    live_server: Any, chromium: Any, owner: Any
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server.url, "alice")
        page.goto(f"{live_server.url}/requests/new/")
        expect(page.locator("#browser-options")).to_contain_text(
            "Generating the key in this browser needs JavaScript"
        )
        page.get_by_role("radio", name="Generate the key in this browser").check()
        page.get_by_role("button", name="Review the request").click()
        expect(page.locator(".field-error")).to_contain_text(NEEDS_JAVASCRIPT)
        expect(page.get_by_role("radio", name="Generate the key in this browser")).to_be_checked()
    finally:
        context.close()


def test_renewal_makes_a_new_browser_key_and_every_key_stays_usable(
    page: Any, issued: Certificate, sign_csr: Any, tmp_path: Path, live_server: Any
) -> None:
    renew = page.locator("#renew")
    renew.get_by_label("A new key generated in this browser").check()
    generate_in_page(renew, "rsa-2048")
    expect(renew.get_by_role("button", name="Download key backup")).to_be_visible()
    renewed = send_and_issue(page, sign_csr, button="Renew")
    assert renewed.request.renewal_of == issued
    assert renewed.spki_sha256 != issued.spki_sha256 and renewed.key_type == "rsa-2048"
    issued.refresh_from_db()
    assert issued.status == "superseded"

    page.goto(f"{live_server.url}/certificates/{issued.pk}/")
    old_bundle = build_bundle(page, "legacy", tmp_path)
    assert "Shrouded Keybag" in tools.openssl_pkcs12_info(old_bundle, BUNDLE_PASSWORD)

    page.goto(f"{live_server.url}/keys/")
    expect(page.locator("td[data-held]")).to_have_text(["yes", "yes"])
    form = page.locator("form[data-backup-all]")
    form.get_by_label("Key passphrase").fill(KEY_PASSPHRASE)
    form.get_by_label("Bundle password", exact=True).fill(BUNDLE_PASSWORD)
    form.get_by_label("Bundle password again").fill(BUNDLE_PASSWORD)
    backup = download(page, "Back up all my keys", tmp_path)
    keys = tools.run(
        "openssl",
        "pkcs12",
        "-in",
        backup,
        "-nocerts",
        "-nodes",
        "-passin",
        f"pass:{BUNDLE_PASSWORD}",
    ).stdout
    assert keys.count("BEGIN PRIVATE KEY") == 2
    expect(form.locator("[data-status]")).to_have_text(re.compile("holds 2 keys"))


SHORT_KEY_PASSPHRASE = (
    "The key passphrase needs at least 12 characters (this one has 11): anyone who gets a copy "
    "of the key backup can guess at it offline, without a lockout. A few words make a "
    "passphrase that is long and easy to type."
)
SHORT_BUNDLE_PASSWORD = (
    "The bundle password needs at least 12 characters (this one has 5): anyone who gets a copy "
    "of the file can guess at it offline, without a lockout. A few words make a password that "
    "is long and easy to type."
)


def test_a_short_key_passphrase_is_refused_next_to_it_before_the_key_is_made(
    live_server: Any, page: Any, owner: Any
) -> None:
    keygen = open_browser_keygen(page, live_server.url)
    passphrase = keygen.get_by_label("Key passphrase", exact=True)
    # 11 characters, one of them outside ASCII: counted in characters, as the server counts.
    generate_in_page(keygen, "ec-p256", passphrase="eleven-chär")
    expect(keygen.locator(".field-error")).to_have_text(SHORT_KEY_PASSPHRASE)
    expect(passphrase).to_have_attribute("aria-invalid", "true")
    expect(passphrase).to_have_accessible_description(re.compile("this one has 11"))
    expect(keygen.locator("[data-keygen-done]")).to_be_hidden()
    held = page.evaluate("async (url) => (await import(url)).listKeys()", CRYPTO)
    assert held == [], "no key is made under a short passphrase"
    # Exactly the minimum is taken, and the message goes.
    generate_in_page(keygen, "ec-p256", passphrase="twelve-chärs")
    expect(keygen.get_by_role("button", name="Download key backup")).to_be_visible()
    expect(keygen.locator(".field-error")).to_have_count(0)
    expect(passphrase).not_to_have_attribute("aria-invalid", "true")


def test_a_short_bundle_password_is_refused_next_to_it_on_both_browser_bundle_forms(
    page: Any, issued: Certificate, live_server: Any
) -> None:
    for form_selector in ("form[data-bundle]", "form[data-backup-all]"):
        if form_selector == "form[data-backup-all]":
            page.goto(f"{live_server.url}/keys/")
        form = page.locator(form_selector)
        form.get_by_label("Key passphrase").fill(KEY_PASSPHRASE)
        form.get_by_label("Bundle password", exact=True).fill("short")
        form.get_by_label("Bundle password again").fill("short")
        form.locator("button[type=submit]").click()
        expect(form.locator(".field-error")).to_have_text(SHORT_BUNDLE_PASSWORD)
        expect(form.locator("[data-error]")).to_have_text(SHORT_BUNDLE_PASSWORD)
        expect(form.get_by_label("Bundle password", exact=True)).to_have_attribute(
            "aria-invalid", "true"
        )
        expect(form.locator("[data-status]")).to_have_text("")
