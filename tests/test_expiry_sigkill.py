"""A worker killed with SIGKILL in the middle of an expiry sweep, on real Redis: after a new
worker starts and beat's next sweeps run, every certificate has been checked and no owner got
a mail twice (counted at a real SMTP server).

The kill comes as soon as the sweep's first batch is committed: while the worker enqueues that
batch's send tasks (some are lost with it) and before the next batch commits (it rolls back).
The database remembers both: beat's expiry sweep owes the rest again, its notice sweep sends
what was owed but never enqueued."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from certificates import tasks
from certificates.models import Certificate, Notification
from certificates.models.certificates import CertificateStatus
from tests.peers import SmtpSink, WorkerProcess, wait_until

COUNT = 300
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="a worker in another process needs a broker both processes reach: REDIS_URL",
    ),
]


def ending_in_five_days(count: int) -> None:
    """``count`` people, each with a certificate that has 5 days left and is still stored as
    active, due for its move to expiring (rows as the upload leaves them, made in bulk)."""
    users = User.objects.bulk_create(
        User(username=f"user{i}", email=f"user{i}@example.com") for i in range(count)
    )
    now = timezone.now()
    not_after = now + timedelta(days=5)
    Certificate.objects.bulk_create(
        Certificate(
            owner=user,
            key_source="imported",
            email=user.email,
            der=b"0",
            serial_hex=f"{i:x}",
            issuer="CN=Test Issuing CA",
            subject=f"CN={user.email}",
            emails=[user.email],
            key_usage="both",
            key_type="ec-p256",
            not_before=now - timedelta(days=360),
            not_after=not_after,
            sha256_fingerprint=f"{i:064x}",
            spki_sha256=f"{i:064x}",
            chain_verdict="trusted",
            status=CertificateStatus.ACTIVE,
            next_check_at=not_after - timedelta(days=30),
        )
        for i, user in enumerate(users)
    )


def test_a_worker_killed_mid_sweep_loses_nothing_and_mails_nobody_twice(
    smtp_sink: SmtpSink, settings: Any, tmp_path: Path
) -> None:
    ending_in_five_days(COUNT)
    log = tmp_path / "worker.log"
    slow = WorkerProcess(log, settings.EMAIL_PORT, SLOW_EXPIRY_SECONDS="0.03")
    slow.start()
    try:
        tasks.sweep_expiry.delay()
        # The first batch of notices is committed; the second is half-way when the worker dies.
        wait_until(lambda: Notification.objects.filter(kind="expiry_warning").exists(), 60)
    finally:
        slow.kill()
    owed_before = Notification.objects.filter(kind="expiry_warning").count()
    assert 0 < owed_before < COUNT
    assert smtp_sink.messages == []  # the solo worker would have sent them after the sweep

    worker = WorkerProcess(log, settings.EMAIL_PORT, NOTICE_GRACE_SECONDS="0")
    worker.start()
    try:
        tasks.sweep_expiry.delay()  # what beat does next
        tasks.send_due_notifications.delay()
        smtp_sink.wait_for(COUNT, timeout=120)
        wait_until(lambda: not Notification.objects.filter(sent_at=None).exists(), 60)
    finally:
        worker.stop()

    recipients = [m["X-Envelope-To"] for m in smtp_sink.messages]
    assert len(recipients) == COUNT == len(set(recipients))
    certificates = Certificate.objects.all()
    assert {(c.status, c.expiry_notice_days) for c in certificates} == {
        (CertificateStatus.EXPIRING, 7)
    }
    assert "Task certificates.tasks.sweep_expiry" in log.read_text()
