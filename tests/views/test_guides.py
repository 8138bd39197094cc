"""Install guides: one per mail client, each naming its PKCS#12 format, public, and about one
of the person's certificates when the address names it (another's answers 404)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from certificates.guides import GUIDES
from certificates.models import Certificate
from tests.views.conftest import text

FORMATS = {
    "thunderbird": "Modern",
    "outlook-windows": "Modern",
    "outlook-mac": "Compatible",
    "apple-mail": "Compatible",
    "ios": "Compatible",
    "android": "Compatible",
    "gmail": "Modern",
    "kleopatra": "Compatible",
}


def test_every_client_the_issue_names_has_a_guide() -> None:
    assert [g.slug for g in GUIDES] == list(FORMATS)


@pytest.mark.parametrize(("slug", "profile"), FORMATS.items())
def test_each_guide_names_its_format_steps_and_sharing(
    client: Client, db: None, slug: str, profile: str
) -> None:
    response = client.get(f"/guides/{slug}/")  # no login needed
    assert response.status_code == 200
    page = text(response)
    assert f"Choose the {profile} format when you download the PKCS#12 bundle." in page
    assert response.content.decode().count("<li>") >= 4  # steps and sharing
    assert "Send a signed message to the people who write to you" in page
    assert "Never give away the .p12 file or its password" in page


def test_the_index_lists_every_guide_with_its_format(client: Client, db: None) -> None:
    page = text(client.get("/guides/"))
    assert "Thunderbird — format: Modern" in page
    assert "Mail on iPhone and iPad — format: Compatible" in page
    assert "Kleopatra and gpgsm (GnuPG) — format: Compatible" in page


def test_an_unknown_guide_is_404(client: Client, db: None) -> None:
    assert client.get("/guides/lotus-notes/").status_code == 404


def test_a_guide_for_my_certificate_links_the_bundle_and_the_test(
    owner_web: Client, issued: Certificate, identity_file: Path
) -> None:
    response = owner_web.get(f"/guides/apple-mail/?certificate={issued.pk}")
    html = response.content.decode()
    assert f'href="/certificates/{issued.pk}/?profile=legacy#pkcs12"' in html
    page = text(response)
    assert "Download the bundle (Compatible)" in page
    assert "Your certificate has an EC key" in page  # the issued fixture's key is P-256
    assert "Send me a test message" in page
    assert f'action="/certificates/{issued.pk}/test-mail"' in html
    assert "Publish it on its page" in page
    assert f'href="/guides/thunderbird/?certificate={issued.pk}"' in html


def test_a_guide_for_a_published_certificate_gives_its_address(
    owner_web: Client, issued: Certificate
) -> None:
    owner_web.post(f"/certificates/{issued.pk}/publish", {"follow_renewals": "on"})
    page = text(owner_web.get(f"/guides/thunderbird/?certificate={issued.pk}"))
    assert "published at https://example.com/.well-known/smime/Alice_Example.crt" in page


def test_a_colleague_cannot_read_a_guide_about_my_certificate(
    colleague_web: Client, issued: Certificate
) -> None:
    assert colleague_web.get(f"/guides/ios/?certificate={issued.pk}").status_code == 404
    assert colleague_web.get("/guides/ios/").status_code == 200


def test_guides_are_in_the_menu(owner_web: Client, issued: Certificate) -> None:
    assert 'href="/guides/"' in owner_web.get("/").content.decode()


def test_a_number_too_long_for_an_id_shows_the_plain_guide(owner_web: Client) -> None:
    """int() refuses numbers over 4,300 digits; such a query is ignored, not a 500."""
    for wanted in ("9" * 20, "9" * 5000):
        page = owner_web.get(f"/guides/ios/?certificate={wanted}")
        assert page.status_code == 200
