"""A real browser for the end-to-end tests: Debian's chromium, headless, driven by Playwright
(which never downloads a browser of its own here). A missing chromium fails the run: CI must
not pass by skipping these tests.

Pages are served by pytest-django's live server on loopback, a secure context for WebCrypto;
the host name portal.test maps to the same server through Chromium's resolver and is NOT a
secure context, for the "WebCrypto needs HTTPS" message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
INSECURE_HOST = "portal.test"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--host-resolver-rules=MAP {INSECURE_HOST} 127.0.0.1",
]


@pytest.fixture(scope="module")
def async_unsafe_allowed() -> Iterator[None]:
    """Playwright's sync API keeps its event loop marked running in this thread while the
    browser is up; the tests read the database between page steps, which Django refuses there
    unless told it is safe (it is: one thread). Only while a module's browser runs, so that
    later tests and subprocesses keep Django's check."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def chromium(async_unsafe_allowed: None) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
            "bin/test does this when run as root."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageLog:
    """Every request the page made (with its body) and every console complaint."""

    requests: list[tuple[str, str, bytes]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def browser_context(chromium: Any, settings: Any) -> Iterator[Any]:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, INSECURE_HOST]
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser_context: Any, page_log: PageLog) -> Any:
    page = browser_context.new_page()
    page.on(
        "request",
        lambda r: page_log.requests.append((r.method, r.url, r.post_data_buffer or b"")),
    )
    page.on(
        "console",
        lambda m: page_log.console_errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: page_log.console_errors.append(str(e)))
    return page


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-pass-1234")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
