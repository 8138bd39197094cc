"""The certificate page's revocation section: "Check now" and the history of checks."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from certificates.models import Certificate, RevocationCheck
from tests.revocation_peers import Peers
from tests.views.conftest import text

Tracked = Callable[..., Certificate]


def test_check_now_runs_a_check_and_the_page_lists_it(owner_web: Client, tracked: Tracked) -> None:
    cert = tracked()
    page = owner_web.get(f"/certificates/{cert.pk}/")
    assert "Revocation checks" in text(page) and "Not checked yet." in text(page)
    assert f'action="/certificates/{cert.pk}/check-revocation"' in page.content.decode()

    response = owner_web.post(f"/certificates/{cert.pk}/check-revocation", follow=True)
    assert response.redirect_chain == [(f"/certificates/{cert.pk}/", 302)]
    shown = text(response)
    assert "Revocation status: good. OCSP http://127.0.0.1:" in shown
    assert "good OCSP web OCSP http://127.0.0.1:" in shown  # the history row
    assert cert.revocation_checks.get().via == "web"


def test_an_unknown_result_is_shown_as_a_warning_with_the_reason(
    owner_web: Client, tracked: Tracked, peers: Peers
) -> None:
    cert = tracked()
    peers.ocsp.stop()
    peers.files.stop()
    response = owner_web.post(f"/certificates/{cert.pk}/check-revocation", follow=True)
    assert 'class="message warning"' in response.content.decode()
    assert "Revocation status: unknown. OCSP: Could not connect" in text(response)


def test_a_colleague_gets_404(colleague_web: Client, tracked: Tracked) -> None:
    cert = tracked()
    assert colleague_web.post(f"/certificates/{cert.pk}/check-revocation").status_code == 404
    assert not cert.revocation_checks.exists()


def test_check_now_by_get_leads_to_the_certificate_page_and_checks_nothing(
    owner_web: Client, tracked: Tracked
) -> None:
    cert = tracked()
    response = owner_web.get(f"/certificates/{cert.pk}/check-revocation")
    assert response.status_code == 302
    assert response["Location"] == f"/certificates/{cert.pk}/"
    assert not RevocationCheck.objects.filter(certificate=cert).exists()
