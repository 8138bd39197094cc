"""A form sent with a stale CSRF token (two tabs: logged out and in again in one, the form sent
from the other) gets a page in the portal's layout that says what happened and links back."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from certificates.models import ApiToken
from tests.views.conftest import text

LOGIN = {"username": "alice", "password": "alice-pass-1234"}


def csrf_token_of(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_a_form_from_before_logging_in_again_gets_the_portals_page(owner: User) -> None:
    """Two tabs: the token form is open in one; the person logs out and in again in the other
    (which gives the session a new CSRF token), then sends the form from the first tab."""
    browser = Client(enforce_csrf_checks=True)
    login_form = browser.get(reverse("login")).content.decode()
    browser.post(reverse("login"), {**LOGIN, "csrfmiddlewaretoken": csrf_token_of(login_form)})
    stale = csrf_token_of(browser.get("/tokens/").content.decode())

    other_tab = browser.get("/").content.decode()
    browser.post(reverse("logout"), {"csrfmiddlewaretoken": csrf_token_of(other_tab)})
    login_form = browser.get(reverse("login")).content.decode()
    browser.post(reverse("login"), {**LOGIN, "csrfmiddlewaretoken": csrf_token_of(login_form)})

    response = browser.post(
        "/tokens/",
        {"name": "from the old tab", "expires_days": "30", "csrfmiddlewaretoken": stale},
        HTTP_REFERER="http://testserver/tokens/",
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert '<header class="site">' in page and "Log out" in page  # the portal's layout
    assert "Nothing was changed." in text(response)
    assert "logged out or in again" in text(response)
    assert '<a href="http://testserver/tokens/">Back to the page you came from</a>' in page
    assert not ApiToken.objects.exists()


def test_the_csrf_page_links_home_when_the_form_came_from_elsewhere(owner: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    response = browser.post("/tokens/", {"name": "x"}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert '<a href="/">Back to my certificates</a>' in response.content.decode()


def test_a_second_login_tab_sent_after_logging_in_goes_where_it_was_headed(owner: User) -> None:
    """Two login tabs: the person logs in from one (which gives the session a new CSRF
    token), then sends the other: already logged in, so its next page, not a refusal."""
    browser = Client(enforce_csrf_checks=True)
    second_tab = csrf_token_of(browser.get(reverse("login"), {"next": "/tokens/"}).content.decode())
    first_tab = csrf_token_of(browser.get(reverse("login")).content.decode())
    browser.post(reverse("login"), {**LOGIN, "csrfmiddlewaretoken": first_tab})
    sent = {**LOGIN, "next": "/tokens/", "csrfmiddlewaretoken": second_tab}
    response = browser.post(f"{reverse('login')}?next=/tokens/", sent)
    assert response.status_code == 302 and response["Location"] == "/tokens/"
    elsewhere = {**LOGIN, "next": "https://evil.example/", "csrfmiddlewaretoken": second_tab}
    response = browser.post(reverse("login"), elsewhere)
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_stale_login_form_without_a_session_still_gets_the_expired_page(owner: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    response = browser.post(reverse("login"), {**LOGIN, "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert "This form has expired" in text(response)
