"""Approval per domain: new requests wait for an admin before they can go to the CA; approving
or rejecting mails the requester (through the owed-notice mechanism and a real worker)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from certificates.models import AuditEvent, CertificateRequest, Domain, Notification
from tests.factories import OWNER_EMAIL, create_server_request, post_json
from tests.peers import wait_until
from tests.views.conftest import new_request_form, text


@pytest.fixture
def approval(domain: Domain) -> Domain:
    domain.requires_approval = True
    domain.save()
    return domain


@pytest.fixture
def waiting(owner_api: Client, approval: Domain) -> dict[str, Any]:
    created = create_server_request(owner_api, OWNER_EMAIL)
    assert created["state"] == "awaiting_approval"
    return created


def test_a_waiting_request_cannot_go_to_the_ca_or_be_issued(
    owner_api: Client, waiting: dict[str, Any]
) -> None:
    url = f"/api/v1/requests/{waiting['id']}"
    submit = post_json(owner_api, f"{url}/submit", {"ca_name": "Sectigo"})
    assert submit.status_code == 409
    assert "'awaiting_approval', so it cannot become 'submitted'" in submit.json()["detail"]
    upload = post_json(owner_api, f"{url}/certificate", {"pem": "x"})
    assert upload.status_code == 409
    assert CertificateRequest.objects.get(pk=waiting["id"]).state == "awaiting_approval"


def test_only_admins_approve_and_colleagues_see_nothing(
    owner_api: Client, colleague_api: Client, admin_api: Client, waiting: dict[str, Any]
) -> None:
    url = f"/api/v1/requests/{waiting['id']}/approve"
    assert post_json(owner_api, url).status_code == 403
    assert post_json(colleague_api, url).status_code == 404
    approved = post_json(admin_api, url)
    assert approved.status_code == 200 and approved.json()["state"] == "csr_ready"
    assert [e["action"] for e in approved.json()["timeline"]][-1] == "request.approved"
    notice = Notification.objects.get(kind="request_approved")
    assert notice.recipient == OWNER_EMAIL
    again = post_json(admin_api, url)
    assert again.status_code == 409 and "'csr_ready', so it cannot become" in again.json()["detail"]
    submit = post_json(
        owner_api, f"/api/v1/requests/{waiting['id']}/submit", {"ca_name": "Sectigo"}
    )
    assert submit.status_code == 200 and submit.json()["state"] == "submitted"


def test_rejecting_a_waiting_request_mails_the_reason(
    admin_api: Client, waiting: dict[str, Any]
) -> None:
    url = f"/api/v1/requests/{waiting['id']}/reject"
    rejected = post_json(admin_api, url, {"reason": "Use your team address instead"})
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    notice = Notification.objects.get(kind="request_rejected")
    assert notice.event is not None and notice.event.details["reason"].startswith("Use your")


def test_the_owner_may_cancel_while_waiting(owner_api: Client, waiting: dict[str, Any]) -> None:
    cancelled = post_json(owner_api, f"/api/v1/requests/{waiting['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def test_requests_an_admin_makes_need_no_approval(
    admin_api: Client, owner: User, approval: Domain
) -> None:
    body = {"email": OWNER_EMAIL, "key_source": "server", "key_type": "ec-p256", "owner": "alice"}
    created = post_json(admin_api, "/api/v1/requests", body)
    assert created.status_code == 201 and created.json()["state"] == "csr_ready"


def test_without_the_flag_requests_start_ready(owner_api: Client, domain: Domain) -> None:
    assert create_server_request(owner_api, OWNER_EMAIL)["state"] == "csr_ready"


def test_the_pages_show_the_wait_and_the_admin_approves(
    owner_web: Client, admin_web: Client, colleague_web: Client, approval: Domain
) -> None:
    made = owner_web.post("/requests/new/", new_request_form(), follow=True)
    assert "It waits for a certificate admin's approval" in text(made)
    request = CertificateRequest.objects.get()
    page = text(owner_web.get(f"/requests/{request.pk}/"))
    assert "Waiting for approval." in page and "Awaiting approval" in page
    assert "Sent it to the CA?" not in page and "Approve (admin)" not in page
    home = text(owner_web.get("/"))
    assert "Wait for approval" in home
    assert owner_web.post(f"/requests/{request.pk}/approve").status_code == 403
    assert colleague_web.post(f"/requests/{request.pk}/approve").status_code == 404
    dashboard = text(admin_web.get("/dashboard/"))
    assert f"Awaiting approval (1) Request Owner Address Since Waiting Request #{request.pk}" in (
        dashboard
    )
    assert "Approve (admin)" in text(admin_web.get(f"/requests/{request.pk}/"))
    done = admin_web.post(f"/requests/{request.pk}/approve", follow=True)
    assert "The request is approved" in text(done)
    request.refresh_from_db()
    assert request.state == "csr_ready"
    assert "Send to the CA" in text(owner_web.get("/"))


@pytest.mark.django_db(transaction=True)
def test_the_requester_gets_the_mail_from_a_worker(
    celery_worker: None,
    smtp_sink: Any,
    owner_api: Client,
    admin_api: Client,
    approval: Domain,
) -> None:
    created = create_server_request(owner_api, OWNER_EMAIL)
    post_json(admin_api, f"/api/v1/requests/{created['id']}/approve")
    (message,) = smtp_sink.wait_for(1)
    assert message["To"] == OWNER_EMAIL
    assert message["Subject"] == f"Your S/MIME certificate request #{created['id']} is approved"
    body = message.get_payload()[0].get_payload(decode=True).decode()
    assert f"/requests/{created['id']}/" in body and "approved by carol" in body
    event = AuditEvent.objects.get(action="request.approved")
    notice = Notification.objects.get(key=f"request_approved:{event.pk}")
    wait_until(lambda: Notification.objects.get(pk=notice.pk).sent_at is not None)

    again = create_server_request(owner_api, OWNER_EMAIL)
    post_json(admin_api, f"/api/v1/requests/{again['id']}/reject", {"reason": "Ask your manager"})
    rejected = smtp_sink.wait_for(2)[1]
    assert rejected["Subject"] == f"Your S/MIME certificate request #{again['id']} was rejected"
    assert "Reason: Ask your manager" in rejected.get_payload()[0].get_payload(decode=True).decode()
