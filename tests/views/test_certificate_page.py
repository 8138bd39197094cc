"""The certificate page says what to do next: one primary action at a time (the bundle, then
publishing, then renewing), the days left, the guides after a download; the chain warning is
said once and names an intermediate as such."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate, CertificateRequest, TrustAnchor
from certificates.services import status
from tests.factories import OWNER_EMAIL, to_pem
from tests.testca import other_root
from tests.views.conftest import text
from tests.views.test_certificates import export
from tests.views.test_upload import _csr

PRIMARY = re.compile(r'<(button|a)\b[^>]*class="[^"]*\bprimary\b[^"]*"[^>]*>(.*?)</\1>', re.S)


def primary_actions(html: str) -> list[str]:
    """The visible names of the page's buttons and links styled as its main action."""
    return [re.sub(r"<[^>]+>", "", name).strip() for _tag, name in PRIMARY.findall(html)]


def page_of(client: Client, cert: Certificate) -> str:
    response = client.get(f"/certificates/{cert.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_certificate_asks_for_the_bundle_first(
    owner_web: Client, issued: Certificate
) -> None:
    html = page_of(owner_web, issued)
    assert primary_actions(html) == ["Download PKCS#12"]
    page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert "Next: put it into your mail client" in page
    days = (issued.not_after - timezone.now()).days
    assert f"{days} days left" in page
    assert 'href="#pkcs12"' in html


def test_after_the_download_it_asks_to_publish(owner_web: Client, issued: Certificate) -> None:
    assert export(owner_web, issued).status_code == 200
    html = page_of(owner_web, issued)
    assert primary_actions(html) == ["Publish"]
    assert "Next: let others find it" in text(owner_web.get(f"/certificates/{issued.pk}/"))
    owner_web.post(f"/certificates/{issued.pk}/publish", {"follow_renewals": "on"})
    html = page_of(owner_web, issued)
    assert primary_actions(html) == []
    page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert "All set" in page
    assert "published at https://example.com/.well-known/smime/Alice_Example.crt" in page


def test_an_ending_certificate_asks_to_renew(owner_web: Client, issued: Certificate) -> None:
    with time_machine.travel(issued.not_after - timedelta(days=10)):
        status.advance(timezone.now())
        owner_web.force_login(issued.owner)  # the session of "a year ago" has ended
        html = page_of(owner_web, issued)
        page = text(owner_web.get(f"/certificates/{issued.pk}/"))
    assert primary_actions(html) == ["Renew"]
    assert "Next: renew it" in page and "9 days left" in page


def test_an_admin_looking_on_is_asked_nothing(admin_web: Client, issued: Certificate) -> None:
    html = page_of(admin_web, issued)
    assert primary_actions(html) == []
    assert "Next:" not in text(admin_web.get(f"/certificates/{issued.pk}/"))
    assert "Test my setup" not in html  # it mails the owner: only the owner asks


def test_the_bundle_form_is_followed_by_the_install_guides(
    owner_web: Client, issued: Certificate
) -> None:
    html = page_of(owner_web, issued)
    after = html[html.index('id="pkcs12"') :]
    assert "After the download: import the file" in after
    for slug in ("thunderbird", "outlook-windows", "outlook-mac", "apple-mail", "ios"):
        assert f'href="/guides/{slug}/?certificate={issued.pk}"' in after
    assert 'data-download-status="Your browser saves the .p12 file' in after


def test_a_guide_preselects_the_profile_of_its_client(
    owner_web: Client, issued: Certificate
) -> None:
    html = owner_web.get(f"/certificates/{issued.pk}/?profile=modern").content.decode()
    assert re.search(r'<input[^>]*value="modern"[^>]*checked', html)
    html = owner_web.get(f"/certificates/{issued.pk}/?profile=nonsense").content.decode()
    assert re.search(r'<input[^>]*value="legacy"[^>]*checked', html)  # the form's default


def test_long_addresses_and_subjects_may_wrap(owner_web: Client, issued: Certificate) -> None:
    html = page_of(owner_web, issued)
    assert '<h1 class="wrap-anywhere">' in html


def page_under_another_ca(client: Client, req: CertificateRequest, *, with_root: bool) -> str:
    """The certificate page after uploading a leaf of a CA nobody trusts here, with its
    issuing CA and, or not, its root."""
    other = other_root(timezone.now())
    leaf = other.issue(_csr(req), OWNER_EMAIL, now=timezone.now())
    chain = other.chain if with_root else [other.issuing]
    response = client.post(f"/requests/{req.pk}/certificate", {"pem": to_pem(leaf, *chain)})
    assert response.status_code == 302
    return text(client.get(f"/certificates/{Certificate.objects.get().pk}/"))


def test_a_chain_that_stops_at_an_intermediate_says_so_once(
    owner_web: Client, server_request: CertificateRequest, trust_anchor: TrustAnchor
) -> None:
    page = page_under_another_ca(owner_web, server_request, with_root=False)
    assert "Incomplete chain." in page and "Untrusted root." not in page
    assert page.count("valid up to the intermediate CA 'CN=Other S/MIME Issuing CA") == 1
    assert "ends at a root" not in page
    assert "Valid, but not to a trust anchor (see the note above)" in page


def test_an_untrusted_root_is_named_once(
    owner_web: Client, server_request: CertificateRequest, trust_anchor: TrustAnchor
) -> None:
    page = page_under_another_ca(owner_web, server_request, with_root=True)
    assert "Untrusted root." in page
    assert page.count("valid up to the root 'CN=Other S/MIME Root CA") == 1
