"""The revocation sweep on a real Celery worker (Redis when REDIS_URL is set) against the real
peers, with mail to a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from certificates import tasks
from certificates.models import Certificate, Notification, RevocationCheck
from certificates.models.certificates import CertificateStatus
from tests.peers import SmtpSink, wait_until
from tests.revocation_peers import Peers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("quick_passwords"),
]
Tracked = Callable[..., Certificate]


def _status_when_checked(cert: Certificate) -> str:
    """Wait until a check of ``cert`` is recorded; its revocation status."""

    def checked() -> str:
        cert.refresh_from_db()
        return cert.revocation_status

    return str(wait_until(checked))


def test_the_worker_finds_a_good_certificate_good_by_ocsp(
    celery_worker: None, tracked: Tracked
) -> None:
    cert = tracked()
    assert tasks.sweep_revocation.delay().id
    assert _status_when_checked(cert) == "good"
    assert (cert.revocation_method, cert.status) == ("ocsp", CertificateStatus.ACTIVE)
    assert cert.revocation_checks.get().via == "sweep"


def test_the_worker_revokes_a_revoked_certificate_and_mails_owner_and_admins(
    celery_worker: None, smtp_sink: SmtpSink, tracked: Tracked, peers: Peers, owner: Any, admin: Any
) -> None:
    cert = tracked()
    peers.revoke(cert, "keyCompromise")
    tasks.sweep_revocation.delay()
    assert _status_when_checked(cert) == "revoked"
    assert (cert.status, cert.revocation_method) == (CertificateStatus.REVOKED, "ocsp")

    messages = smtp_sink.wait_for(3)
    assert sorted(m["To"] for m in messages) == sorted(
        [owner.email, admin.email, "root@example.com"]
    )
    mail = next(m for m in messages if m["To"] == owner.email)
    assert mail["Subject"] == f"S/MIME certificate for {cert.email} revoked by its CA"
    text = mail.get_payload()[0].get_payload(decode=True).decode()
    assert "Reason: key compromise, according to the CA's OCSP responder" in text
    assert f"/certificates/{cert.pk}/" in text
    wait_until(
        lambda: not Notification.objects.filter(kind="revocation_found", sent_at=None).exists()
    )


def test_with_the_responder_stopped_the_worker_finds_the_revocation_on_the_crl(
    celery_worker: None, tracked: Tracked, peers: Peers
) -> None:
    cert = tracked()
    peers.revoke(cert)
    peers.publish_crl()
    peers.ocsp.stop()
    tasks.sweep_revocation.delay()
    assert _status_when_checked(cert) == "revoked"
    assert (cert.status, cert.revocation_method) == (CertificateStatus.REVOKED, "crl")


def test_with_both_gone_the_worker_records_unknown_and_retries_until_an_answer(
    celery_worker: None, tracked: Tracked, peers: Peers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "REVOCATION_RETRY_SECONDS", 1)
    cert = tracked()
    peers.ocsp.stop()
    peers.files.stop()
    tasks.sweep_revocation.delay()
    assert _status_when_checked(cert) == "unknown"
    first = cert.revocation_checks.get()
    assert "Could not connect" in first.detail and first.status == "unknown"

    peers.ocsp.start()  # the responder is back before the retry (after a second)
    wait_until(lambda: Certificate.objects.get(pk=cert.pk).revocation_status == "good")
    assert [c.status for c in cert.revocation_checks.order_by("checked_at")] == [
        "unknown",
        "good",
    ]


def test_a_batch_delivered_twice_checks_each_certificate_once(
    celery_worker: None, tracked: Tracked, colleague: Any
) -> None:
    cert, marker = tracked(), tracked(colleague)
    planned = timezone.now().isoformat()
    tasks.check_revocation_batch.delay([cert.pk], planned)
    tasks.check_revocation_batch.delay([cert.pk], planned)  # redelivered after a worker loss
    tasks.check_revocation_batch.delay([marker.pk], planned)  # the solo worker runs in order
    assert _status_when_checked(marker) == "good"
    assert RevocationCheck.objects.filter(certificate=cert).count() == 1
