"""Notices to people: the requester hears of every change someone else made to their request
or certificate (and of every key export), each notice reads right in text and HTML, and a
rejection reaches a real SMTP server through a real worker with its reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.message import Message
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from certificates import mail, notices
from certificates.models import Certificate, CertificateRequest, Domain, Notification
from certificates.services import audit, export, issuance, setup_test
from certificates.services import requests as request_service
from tests.conftest import actor
from tests.factories import (
    OWNER_EMAIL,
    SignCsr,
    create_server_request,
    issue_via_api,
    upload_certificate,
)
from tests.peers import SmtpSink, wait_until

REASON = 'Order 7 was for da"ve <dave@example.com> & not for you'
BASE = "http://127.0.0.1:8000"


def parts(message: Message) -> tuple[str, str]:
    text, html = message.get_payload()  # type: ignore[misc]
    return text.get_payload(decode=True).decode(), html.get_payload(decode=True).decode()


@pytest.mark.django_db(transaction=True)
def test_a_rejection_is_mailed_to_the_requester_with_its_reason(
    celery_worker: None,
    smtp_sink: SmtpSink,
    settings: Any,
    owner: User,
    owner_api: Client,
    admin_web: Client,
) -> None:
    settings.PORTAL_BASE_URL = BASE
    req = create_server_request(owner_api, OWNER_EMAIL)
    response = admin_web.post(f"/requests/{req['id']}/reject", {"reason": REASON})
    assert response.status_code == 302

    (message,) = smtp_sink.wait_for(1)
    assert message["X-Envelope-To"] == owner.email
    assert message["Subject"] == f"Your S/MIME certificate request #{req['id']} was rejected"
    text, html = parts(message)
    assert f"Reason: {REASON}" in text  # plain text: not HTML-escaped
    assert "was rejected by carol" in text
    assert f"{BASE}/requests/{req['id']}/" in text
    assert "da&quot;ve &lt;dave@example.com&gt; &amp; not for you" in html
    assert f'href="{BASE}/requests/{req["id"]}/"' in html
    notice = Notification.objects.get(kind="request_rejected")
    wait_until(lambda: Notification.objects.get(pk=notice.pk).sent_at is not None)


@pytest.fixture
def issued(owner_api: Client, sign_csr: SignCsr, trust_anchor: object) -> Certificate:
    _, cert = issue_via_api(owner_api, sign_csr, OWNER_EMAIL)
    return Certificate.objects.get(pk=cert["id"])


def open_request(client: Client) -> CertificateRequest:
    return CertificateRequest.objects.get(pk=create_server_request(client, OWNER_EMAIL)["id"])


def owed(kind: str) -> list[str]:
    return list(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


@pytest.fixture
def admin_changes(
    admin: User,
    owner_api: Client,
    admin_api: Client,
    sign_csr: SignCsr,
    issued: Certificate,
    domain: Domain,
) -> Callable[[str], None]:
    """admin_changes(reason): an admin cancels, rejects and uploads the certificate of three of
    alice's requests, and declares her certificate revoked; then, her domain requiring
    approval, approves one of her requests and rejects another that still waits for it."""

    def change(reason: str) -> None:
        by_admin = actor(admin)
        request_service.cancel(by_admin, open_request(owner_api))
        request_service.reject(by_admin, open_request(owner_api), reason)
        upload_certificate(admin_api, sign_csr, create_server_request(owner_api, OWNER_EMAIL))
        issuance.declare_revoked(by_admin, issued, reason)
        domain.requires_approval = True
        domain.save()
        request_service.approve(by_admin, open_request(owner_api))
        request_service.reject(by_admin, open_request(owner_api), reason)

    return change


def test_changes_an_admin_makes_are_owed_to_the_requester(
    owner: User, admin_changes: Callable[[str], None]
) -> None:
    admin_changes("wrong department")
    for kind in ("request_cancelled", "request_issued", "certificate_revoked", "request_approved"):
        assert owed(kind) == [owner.email], kind
    assert owed("request_rejected") == [owner.email] * 2  # one ready for the CA, one waiting


def test_changes_people_make_themselves_are_not_mailed(
    owner: User, owner_api: Client, sign_csr: SignCsr, issued: Certificate
) -> None:
    by_owner = actor(owner)
    request_service.cancel(by_owner, open_request(owner_api))
    upload_certificate(owner_api, sign_csr, create_server_request(owner_api, OWNER_EMAIL))
    issuance.declare_revoked(by_owner, issued, "lost device")
    # issue_via_api's upload was the owner's own too
    assert not Notification.objects.exists()


def test_every_notice_reads_right_in_text_and_html(
    settings: Any, owner: User, issued: Certificate, admin_changes: Callable[[str], None]
) -> None:
    settings.PORTAL_BASE_URL = BASE
    owner.first_name, owner.last_name = 'Da"ve', "O'Brien"
    owner.save()
    export.export_pkcs12(actor(owner), issued, "a long bundle password", "modern")
    admin_changes(REASON)
    problem = {"name": "x", "type": "TXT", "status": "missing", "detail": "No TXT record."}
    dns_event = audit.record(actor(None), "publication.dns_problem", issued, problems=[problem])
    notices.dns_records_wrong(dns_event, issued)
    found = audit.record(actor(None), "certificate.revoked", issued, reason=REASON, method="crl")
    notices.revocation_found(found, issued)
    ending = audit.record(actor(None), "certificate.expiry_notice", issued, days_left=6)
    notices.expiry_warning(ending, issued, 7)
    notices.setup_test(audit.record(actor(owner), setup_test.ACTION, issued), issued)

    assert set(Notification.objects.values_list("kind", flat=True)) == set(notices.KINDS)
    for notice in Notification.objects.all():
        context = notices.context_of(notice)
        assert context is not None
        message = mail.render(notice.kind, context)
        assert message.subject and "\n" not in message.subject, notice.kind
        if notice.kind == "revocation_found":  # to the owner and the admins: names the owner
            assert owner.username in message.text and owner.username in message.html
        else:
            assert "Hello Da\"ve O'Brien," in message.text, notice.kind
            assert "Hello Da&quot;ve O&#x27;Brien," in message.html, notice.kind
        assert "&quot;" not in message.text and "&#x27;" not in message.text, notice.kind
        link = re.search(rf"{BASE}/(requests|certificates)/\d+/", message.text)
        assert link is not None and f'href="{link.group(0)}' in message.html, notice.kind
        if notice.kind in ("request_rejected", "certificate_revoked"):
            assert f"Reason: {REASON}" in message.text, notice.kind


def test_a_notice_whose_subject_is_gone_is_not_sent(
    owner: User, admin: User, owner_api: Client
) -> None:
    req = open_request(owner_api)
    request_service.reject(actor(admin), req, "duplicate")
    notice = Notification.objects.get(kind="request_rejected")
    req.delete()
    assert notices.deliver(notice.pk) == "subject gone"
    notice.refresh_from_db()
    assert notice.sent_at is not None
