"""The key-export notice is sent by a real Celery worker (Redis in CI) to a real SMTP server."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.utils import timezone

from certificates import notices
from certificates.models import AuditEvent, Notification
from certificates.services import notifications
from certificates.tasks import send_due_notifications, send_notification
from tests.factories import issue_via_api, post_json
from tests.peers import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cert(owner, owner_api, trust_anchor, sign_csr) -> dict:  # type: ignore[no-untyped-def]
    """A certificate whose key the portal holds, issued through the API."""
    return issue_via_api(owner_api, sign_csr, owner.email)[1]


def test_pkcs12_export_mails_the_owner_through_a_worker(
    celery_worker,
    smtp_sink,
    owner,
    owner_api,
    cert,  # type: ignore[no-untyped-def]
) -> None:
    response = post_json(
        owner_api,
        f"/api/v1/certificates/{cert['id']}/pkcs12",
        {"password": "s3cret-bundle", "profile": "modern"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200

    (message,) = smtp_sink.wait_for(1)
    assert message["To"] == owner.email
    assert message["X-Envelope-To"] == owner.email
    assert message["Subject"] == "Your S/MIME private key was exported"
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert f"/certificates/{cert['id']}/" in text
    assert "192.0.2.7" in text
    assert "profile modern" in text
    event = AuditEvent.objects.get(action="key.exported")
    notice = Notification.objects.get(key=f"key_exported:{event.pk}")
    wait_until(lambda: Notification.objects.get(pk=notice.pk).sent_at is not None)


def test_notice_is_sent_once_even_when_the_task_runs_twice(
    celery_worker,
    smtp_sink,
    owner_api,
    cert,  # type: ignore[no-untyped-def]
) -> None:
    post_json(
        owner_api,
        f"/api/v1/certificates/{cert['id']}/pkcs12",
        {"password": "s3cret-bundle", "profile": "legacy"},
    )
    smtp_sink.wait_for(1)
    notice = Notification.objects.get(kind="key_exported")
    wait_until(lambda: Notification.objects.get(pk=notice.pk).sent_at is not None)
    # A redelivered message (acks_late after a worker crash) runs the task again.
    assert send_notification.delay(notice.pk).id
    time.sleep(1.5)  # give a duplicate mail the chance to arrive, if the claim were broken
    assert len(smtp_sink.messages) == 1


def test_the_sweep_sends_what_a_killed_worker_left_owed(
    celery_worker,
    smtp_sink,
    owner_api,
    cert,  # type: ignore[no-untyped-def]
) -> None:
    with patch.object(notices, "enqueue"):  # the broker message is lost
        response = post_json(
            owner_api,
            f"/api/v1/certificates/{cert['id']}/pkcs12",
            {"password": "s3cret-bundle", "profile": "legacy"},
        )
    assert response.status_code == 200
    notice = Notification.objects.get(kind="key_exported")
    # A worker claimed it and died before the mail server answered: the lease runs out.
    stale = timezone.now() - notifications.LEASE - timedelta(seconds=1)
    Notification.objects.filter(pk=notice.pk).update(
        claimed_at=stale, created_at=stale - notifications.SWEEP_GRACE
    )
    assert send_due_notifications.delay().id  # what beat does every five minutes
    (message,) = smtp_sink.wait_for(1)
    assert message["Subject"] == "Your S/MIME private key was exported"
    wait_until(lambda: Notification.objects.get(pk=notice.pk).sent_at is not None)


def test_an_export_succeeds_while_the_broker_is_down(owner_api, cert) -> None:  # type: ignore[no-untyped-def]
    broker_down = ConnectionError("broker down")
    with patch.object(notices.celery_app, "send_task", side_effect=broker_down):
        response = post_json(
            owner_api,
            f"/api/v1/certificates/{cert['id']}/pkcs12",
            {"password": "s3cret-bundle", "profile": "modern"},
        )
    assert response.status_code == 200
    notice = Notification.objects.get(kind="key_exported")
    assert notice.sent_at is None  # still owed: the sweep will send it
    assert notice in notifications.due(timezone.now() + notifications.SWEEP_GRACE * 2)
