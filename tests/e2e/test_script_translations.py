"""The page scripts and the browser-crypto bundle speak through Django's JavaScript catalog: a
catalog with translations (rendered by Django's own JavaScriptCatalog, served in place of
/jsi18n/) changes what they say, and a catalog that fails to load leaves them working, in
English."""

from __future__ import annotations

from typing import Any

import pytest
from django.views.i18n import JavaScriptCatalog, get_formats
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_browser_keys import CRYPTO

pytestmark = pytest.mark.e2e

# A page-script message (static/js/keygen.js) and a bundle message (frontend/src/keyfile.js).
GERMAN = {
    "Choose a key passphrase.": "Wählen Sie eine Schlüssel-Passphrase.",
    "This file is not a key backup: choose the .key file saved when the key was made (it starts "
    "with -----BEGIN ENCRYPTED PRIVATE KEY-----).": "Diese Datei ist keine Schlüsselsicherung.",
}


def german_catalog() -> bytes:
    response = JavaScriptCatalog().render_to_response(
        {"catalog": GERMAN, "formats": get_formats(), "plural": None}
    )
    return bytes(response.content)


def open_browser_keygen(page: Any, base_url: str) -> Any:
    """The review page of a request whose key this browser is to make; its key controls."""
    log_in(page, base_url, "alice")
    page.goto(f"{base_url}/requests/new/")
    page.get_by_role("radio", name="Generate the key in this browser").check()
    page.get_by_role("button", name="Review the request").click()
    return page.locator("[data-keygen]")


def bundle_refusal(page: Any) -> str:
    """What the crypto bundle says about a file that is not a key backup."""
    message: str = page.evaluate(
        """async (url) => {
          const lib = await import(url);
          try {
            await lib.decryptKey("not a key", "passphrase");
          } catch (error) {
            return error.message;
          }
          return "opened";
        }""",
        CRYPTO,
    )
    return message


def test_page_scripts_and_the_bundle_say_what_the_catalog_translates(
    live_server: Any, page: Any, owner: Any
) -> None:
    catalog = german_catalog()
    page.route(
        "**/jsi18n/",
        lambda route: route.fulfill(body=catalog, content_type="text/javascript"),
    )
    keygen = open_browser_keygen(page, live_server.url)
    keygen.get_by_role("button", name="Generate the key").click()
    expect(keygen.locator("[data-error]")).to_have_text("Wählen Sie eine Schlüssel-Passphrase.")
    assert bundle_refusal(page) == "Diese Datei ist keine Schlüsselsicherung."


def test_without_the_catalog_the_scripts_still_work_in_english(
    live_server: Any, page: Any, owner: Any
) -> None:
    page.route("**/jsi18n/", lambda route: route.abort())
    keygen = open_browser_keygen(page, live_server.url)
    keygen.get_by_role("button", name="Generate the key").click()
    expect(keygen.locator("[data-error]")).to_have_text("Choose a key passphrase.")
    assert bundle_refusal(page).startswith("This file is not a key backup")
