"""The expiry sweep on a real Celery worker (Redis when REDIS_URL is set), mailing a real SMTP
server, with time moved by time-machine (in the worker's thread too): each threshold is mailed
once across repeated sweeps, a renewed certificate never, the admins' digest once a week."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from certificates import tasks
from certificates.models import Certificate, Notification
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api, post_json, upload_certificate
from tests.peers import SmtpSink, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("trust_anchor")]
BASE = "https://portal.example.com"


def text_of(message: Message) -> str:
    text, _ = message.get_payload()  # type: ignore[misc]
    return str(text.get_payload(decode=True).decode())


def subject(message: Message) -> str:
    return " ".join(message["Subject"].split())  # unfolded: long subjects span two lines


def expiry_mails(sink: SmtpSink) -> list[Message]:
    return [m for m in sink.messages if "Your S/MIME certificate for" in subject(m)]


def sweep_twice_at(moment: datetime, until: Callable[[], object]) -> None:
    """What beat does, twice (a retry, a second beat), at ``moment``; waits ``until`` holds and
    everything owed by then is sent. The solo worker takes its queue in order, so the mails
    the first sweep owed are sent after the second sweep has run."""
    with time_machine.travel(moment, tick=True):
        tasks.sweep_expiry.delay()
        tasks.sweep_expiry.delay()
        wait_until(until)
        wait_until(lambda: not Notification.objects.filter(sent_at=None).exists())


def test_the_worker_mails_each_threshold_once_and_nothing_for_a_renewed_certificate(
    celery_worker: None,
    smtp_sink: SmtpSink,
    settings: Any,
    owner: User,
    owner_api: Client,
    colleague_api: Client,
    sign_csr: SignCsr,
) -> None:
    settings.PORTAL_BASE_URL = BASE
    _, issued = issue_via_api(owner_api, sign_csr, OWNER_EMAIL, days=40)
    cert = Certificate.objects.get(pk=issued["id"])
    # Bob renewed his certificate: the renewal superseded it, so he hears nothing.
    _, bobs = issue_via_api(colleague_api, sign_csr, "bob@example.com", days=40)
    renewal = post_json(colleague_api, f"/api/v1/certificates/{bobs['id']}/renew").json()
    upload_certificate(colleague_api, sign_csr, renewal, now=timezone.now() + timedelta(minutes=5))

    for count, days in enumerate((30, 14, 7, 1), start=1):
        sweep_twice_at(
            cert.not_after - timedelta(days=days) + timedelta(hours=1),
            until=lambda: len(expiry_mails(smtp_sink)) >= count,  # noqa: B023
        )
        mails = expiry_mails(smtp_sink)
        assert len(mails) == count, [subject(m) for m in mails]
        mail = mails[-1]
        assert mail["X-Envelope-To"] == owner.email
        left = "within a day" if days == 1 else f"in {days - 1} days"
        assert subject(mail) == f"Your S/MIME certificate for {OWNER_EMAIL} expires {left}"
        assert f"{BASE}/certificates/{cert.pk}/#renew" in text_of(mail)

    expired = cert.not_after + timedelta(hours=1)  # nothing more to say
    sweep_twice_at(expired, until=lambda: Certificate.objects.get(pk=cert.pk).status == "expired")
    assert len(expiry_mails(smtp_sink)) == 4
    assert all(m["X-Envelope-To"] == owner.email for m in expiry_mails(smtp_sink))


def test_the_worker_mails_each_admin_one_digest_per_week(
    celery_worker: None, smtp_sink: SmtpSink, admin: User
) -> None:
    now = timezone.now()
    monday = (now + timedelta(days=8 - now.isoweekday())).replace(hour=6, minute=0)
    for count, day in ((2, 0), (2, 2), (2, 6), (4, 7), (4, 8)):
        sweep_twice_at(
            monday + timedelta(days=day),
            until=lambda: len(smtp_sink.messages) >= count,  # noqa: B023
        )
    digests = [m for m in smtp_sink.messages if "weekly digest" in subject(m)]
    weeks = [(monday + timedelta(days=d)).isocalendar() for d in (0, 7)]
    assert sorted((m["X-Envelope-To"], subject(m)[:36]) for m in digests) == sorted(
        (address, f"S/MIME portal weekly digest {year}-W{week:02d}")
        for address in (admin.email, "root@example.com")
        for year, week, _ in weeks
    )
