"""/jsi18n/, the page scripts' strings: public, cached by browsers, allowed by the CSP as a
same-origin script, and on the pages before their own scripts."""

from __future__ import annotations

import re

from django.test import Client

from certificates.models import Certificate


def test_the_catalog_is_public_javascript_that_browsers_keep_and_revalidate(
    client: Client,
) -> None:
    response = client.get("/jsi18n/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "django.gettext = function" in response.content.decode()
    assert response["Cache-Control"] == "public, max-age=3600"
    again = client.get("/jsi18n/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert again.content == b""


def test_pages_load_the_catalog_before_their_scripts_and_the_csp_lets_it_run(
    owner_web: Client, issued: Certificate
) -> None:
    response = owner_web.get(f"/certificates/{issued.pk}/")
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', response.content.decode())
    assert scripts == ["/jsi18n/", "/static/js/certificate-detail.js"]
    script_src = re.search(r"script-src ([^;]+)", response["Content-Security-Policy"])
    assert script_src is not None and script_src.group(1).split() == ["'self'"]


def test_the_login_page_loads_it_too(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert '<script src="/jsi18n/" defer></script>' in html
