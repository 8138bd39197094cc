"""After the request is made: the request page's next steps, cancelling with a confirmation,
hiding finished or forgotten requests from My certificates, and event names people read."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from certificates.models import CertificateAuthority, CertificateRequest
from certificates.models.audit import ACTION_LABELS, action_label
from tests.views.conftest import text


def test_a_ready_request_lists_the_next_steps_in_order(
    owner_web: Client, server_request: CertificateRequest
) -> None:
    response = owner_web.get(f"/requests/{server_request.pk}/")
    page = text(response)
    steps = ["1. Send the CSR to your CA", "2. Say that you sent it", "3. Upload the signed"]
    positions = [page.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "the way your IT department told you" in page
    html = response.content.decode()
    assert server_request.csr_pem.splitlines()[1] in html
    assert 'data-copy="csr"' in html and "Copy CSR" in page
    assert f'href="/requests/{server_request.pk}/csr" download' in html
    assert "Come back to this page" in page
    assert '<li aria-current="step">Send the CSR to the CA</li>' in html


def test_the_next_steps_say_where_and_how_the_ca_takes_the_csr(
    owner_web: Client, server_request: CertificateRequest, domain: object
) -> None:
    authority = CertificateAuthority.objects.create(
        name="HARICA",
        submit_url="https://harica.example/order",
        instructions="Choose 'S/MIME, email only' and paste the CSR.",
    )
    domain.certificate_authority = authority  # type: ignore[attr-defined]
    domain.save()  # type: ignore[attr-defined]
    page = text(owner_web.get(f"/requests/{server_request.pk}/"))
    assert "1. Send the CSR to HARICA" in page
    assert "Where https://harica.example/order" in page
    assert "How Choose 'S/MIME, email only' and paste the CSR." in page


def test_cancelling_asks_first(
    owner_web: Client, colleague: User, server_request: CertificateRequest
) -> None:
    url = f"/requests/{server_request.pk}/cancel"
    detail = owner_web.get(f"/requests/{server_request.pk}/").content.decode()
    assert f'<a class="button danger" href="{url}">Cancel request…</a>' in detail
    assert f'action="{url}"' not in detail
    asked = owner_web.get(url)
    assert asked.status_code == 200
    assert f"Cancel request #{server_request.pk}?" in text(asked)
    assert "Yes, cancel the request" in text(asked) and "Keep the request" in text(asked)
    server_request.refresh_from_db()
    assert server_request.state == "csr_ready"
    assert logged_in_as(colleague).get(url).status_code == 404
    assert owner_web.post(url).status_code == 302
    server_request.refresh_from_db()
    assert server_request.state == "cancelled"
    after = owner_web.get(url, follow=True)
    assert "cannot be cancelled now" in text(after)


def logged_in_as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_finished_requests_can_be_hidden_from_my_certificates_and_shown_again(
    owner_web: Client, server_request: CertificateRequest
) -> None:
    hide = f"/requests/{server_request.pk}/hide"
    assert hide not in owner_web.get("/").content.decode()  # still under way
    refused = owner_web.post(hide)
    assert refused.status_code == 409 and "is still under way" in text(refused)

    owner_web.post(f"/requests/{server_request.pk}/cancel")
    home = owner_web.get("/").content.decode()
    assert (
        f'action="{hide}"' in home
        and f'Hide<span class="visually-hidden"> request #{server_request.pk}' in home
    )
    done = owner_web.post(hide, follow=True)
    assert "is hidden from your list" in text(done)
    page = text(done)
    assert "No requests to show." in page and f'href="/requests/{server_request.pk}/"' not in (
        done.content.decode()
    )
    assert "One request is hidden" in page and "Show hidden requests" in page

    hidden = owner_web.get("/?requests=hidden")
    assert f"Request #{server_request.pk}" in text(hidden) and "Unhide" in text(hidden)
    back = owner_web.post(hide, {"hidden": "no"}, follow=True)
    assert "is back in your list" in text(back)
    server_request.refresh_from_db()
    assert not server_request.hidden_by_owner


def test_a_csr_nobody_sent_for_a_month_can_be_hidden(
    owner_web: Client, server_request: CertificateRequest
) -> None:
    CertificateRequest.objects.filter(pk=server_request.pk).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    assert f"/requests/{server_request.pk}/hide" in owner_web.get("/").content.decode()
    assert owner_web.post(f"/requests/{server_request.pk}/hide").status_code == 302
    server_request.refresh_from_db()
    assert server_request.hidden_by_owner and server_request.state == "csr_ready"


def test_only_the_owner_hides_a_request(
    admin_web: Client, colleague: User, server_request: CertificateRequest
) -> None:
    server_request.state = "cancelled"
    server_request.save()
    url = f"/requests/{server_request.pk}/hide"
    assert logged_in_as(colleague).post(url).status_code == 404
    refused = admin_web.post(url)
    assert refused.status_code == 403 and "Only the request's owner" in text(refused)
    server_request.refresh_from_db()
    assert not server_request.hidden_by_owner


def test_the_timeline_reads_event_names_not_codes(
    owner_web: Client, admin_web: Client, server_request: CertificateRequest
) -> None:
    owner_web.post(f"/requests/{server_request.pk}/submit", {"ca_name": "Sectigo"})
    timeline = text(owner_web.get(f"/requests/{server_request.pk}/")).split("Timeline")[1]
    assert "Request created" in timeline and "Sent to the CA" in timeline
    assert "request.created" not in timeline and "request.submitted" not in timeline
    audit = text(admin_web.get("/audit/"))
    assert "Request created request.created" in audit  # the code stays for the filter
    assert "Key generated by the portal key.generated" in audit


def recorded_actions() -> set[str]:
    """Every action code the code base passes to audit.record."""
    root = Path(__file__).parents[2]
    codes = set()
    for path in [*root.glob("certificates/**/*.py"), *root.glob("discovery/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            called = getattr(node, "func", None)
            if (
                isinstance(node, ast.Call)
                and getattr(called, "attr", getattr(called, "id", "")) == "record"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                codes.add(node.args[1].value)
    return codes


def test_every_recorded_action_has_a_written_name() -> None:
    codes = recorded_actions()
    assert "request.created" in codes and "publication.published" in codes
    assert codes <= set(ACTION_LABELS), codes - set(ACTION_LABELS)
    assert action_label("request.created") == "Request created"
    assert action_label("something.new_here") == "Something new here"


@pytest.mark.parametrize("code", sorted(ACTION_LABELS))
def test_labels_are_sentences_without_codes(code: str) -> None:
    label = action_label(code)
    assert label[0].isupper() and "." not in label and "_" not in label
