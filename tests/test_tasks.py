"""The key-export notice is sent by a real Celery worker (Redis in CI) to a real SMTP server."""

from __future__ import annotations

import time

import pytest

from certificates.models import AuditEvent, Notification
from certificates.tasks import send_key_export_notice
from tests.peers import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_pkcs12_export_mails_the_owner_through_a_worker(
    celery_worker,
    smtp_sink,
    owner,
    owner_api,
    trust_anchor,
    sign_csr,  # type: ignore[no-untyped-def]
) -> None:
    created = owner_api.post(
        "/api/v1/requests",
        {"email": owner.email, "key_source": "server", "key_type": "ec-p256", "subject": {}},
        content_type="application/json",
    ).json()
    cert = owner_api.post(
        f"/api/v1/requests/{created['id']}/certificate",
        {"pem": sign_csr(created["csr_pem"], owner.email).decode()},
        content_type="application/json",
    ).json()
    response = owner_api.post(
        f"/api/v1/certificates/{cert['id']}/pkcs12",
        {"password": "s3cret-bundle", "profile": "modern"},
        content_type="application/json",
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
    wait_until(lambda: Notification.objects.filter(key=f"key_exported:{event.pk}").exists())
    assert Notification.objects.get(key=f"key_exported:{event.pk}").sent_at is not None


def test_notice_is_sent_once_even_when_the_task_runs_twice(
    celery_worker,
    smtp_sink,
    owner,
    owner_api,
    trust_anchor,
    sign_csr,  # type: ignore[no-untyped-def]
) -> None:
    created = owner_api.post(
        "/api/v1/requests",
        {"email": owner.email, "key_source": "server", "key_type": "ec-p256", "subject": {}},
        content_type="application/json",
    ).json()
    cert = owner_api.post(
        f"/api/v1/requests/{created['id']}/certificate",
        {"pem": sign_csr(created["csr_pem"], owner.email).decode()},
        content_type="application/json",
    ).json()
    owner_api.post(
        f"/api/v1/certificates/{cert['id']}/pkcs12",
        {"password": "s3cret-bundle", "profile": "legacy"},
        content_type="application/json",
    )
    smtp_sink.wait_for(1)
    event = AuditEvent.objects.get(action="key.exported")
    # A redelivered message (acks_late after a worker crash) runs the task again.
    assert send_key_export_notice.delay(event.pk).id
    wait_until(lambda: Notification.objects.filter(key=f"key_exported:{event.pk}").exists())
    time.sleep(1.0)  # give a duplicate mail the chance to arrive, if the claim were broken
    assert len(smtp_sink.messages) == 1
