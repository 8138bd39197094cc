"""The expiry sweep in this process, with time moved by time-machine: each threshold notice is
owed once however often the sweep runs, only the nearest threshold after missed sweeps or a
late upload, none for a certificate already renewed; the admins' digest once per ISO week.
(The mails themselves reach a real SMTP server in test_expiry_tasks.py.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from certificates import mail, notices
from certificates.models import AuditEvent, Certificate, CertificateRequest, Notification
from certificates.services import expiry
from tests.factories import OWNER_EMAIL, SignCsr, issue_via_api, post_json, upload_certificate

pytestmark = pytest.mark.usefixtures("trust_anchor")


def issue(client: Client, sign_csr: SignCsr, **options: Any) -> Certificate:
    _, cert = issue_via_api(client, sign_csr, OWNER_EMAIL, **options)
    return Certificate.objects.get(pk=cert["id"])


def sweep_at(moment: datetime, times: int = 1) -> expiry.Swept:
    with time_machine.travel(moment, tick=False):
        for _ in range(times):
            swept = expiry.sweep(timezone.now())
    return swept


def owed_keys() -> list[str]:
    return list(
        Notification.objects.filter(kind="expiry_warning")
        .order_by("pk")
        .values_list("key", flat=True)
    )


def rendered(notice: Notification) -> mail.Message:
    context = notices.context_of(notice)
    assert context is not None
    return mail.render(notice.kind, context)


def test_each_threshold_is_owed_once_however_often_the_sweep_runs(
    owner_api: Client, sign_csr: SignCsr, owner: User
) -> None:
    cert = issue(owner_api, sign_csr, days=40)
    sweep_at(cert.not_after - timedelta(days=30, hours=1), times=2)
    assert owed_keys() == []  # 30 days and an hour left: no threshold passed yet

    expected = []
    for days in (30, 14, 7, 1):
        swept = sweep_at(cert.not_after - timedelta(days=days) + timedelta(hours=1), times=3)
        expected.append(f"expiry:{cert.pk}:{days}")
        assert owed_keys() == expected
        assert swept.notices == {}  # the second and third sweep owed nothing more
        cert.refresh_from_db()
        assert cert.expiry_notice_days == days

    sweep_at(cert.not_after + timedelta(hours=1))
    assert len(owed_keys()) == 4  # expired: no more notices
    events = AuditEvent.objects.filter(action="certificate.expiry_notice").order_by("pk")
    assert [e.details["threshold_days"] for e in events] == [30, 14, 7, 1]
    assert [n.recipient for n in Notification.objects.filter(kind="expiry_warning")] == [
        owner.email
    ] * 4


def test_the_notice_says_the_days_left_and_links_to_renew(
    owner_api: Client, sign_csr: SignCsr, settings: Any
) -> None:
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    cert = issue(owner_api, sign_csr, days=40)
    sweep_at(cert.not_after - timedelta(days=13, hours=12))
    message = rendered(Notification.objects.get(kind="expiry_warning"))
    assert message.subject == f"Your S/MIME certificate for {OWNER_EMAIL} expires in 13 days"
    assert f"https://portal.example.com/certificates/{cert.pk}/#renew" in message.text
    assert f'href="https://portal.example.com/certificates/{cert.pk}/#renew"' in message.html
    assert f"ends on {cert.not_after:%Y-%m-%d %H:%M} UTC" in message.text


def test_after_missed_sweeps_only_the_nearest_threshold_is_owed(
    owner_api: Client, sign_csr: SignCsr
) -> None:
    cert = issue(owner_api, sign_csr, days=40)
    swept = sweep_at(cert.not_after - timedelta(days=3))  # 30, 14 and 7 passed while down
    assert owed_keys() == [f"expiry:{cert.pk}:7"]
    assert swept.notices == {7: 1}
    sweep_at(cert.not_after - timedelta(hours=20))
    assert owed_keys() == [f"expiry:{cert.pk}:7", f"expiry:{cert.pk}:1"]


def test_a_certificate_uploaded_with_five_days_left_gets_the_seven_day_notice_then_the_last(
    owner_api: Client, sign_csr: SignCsr
) -> None:
    cert = issue(owner_api, sign_csr, days=6)  # valid from an hour ago: 5 days 23 hours left
    sweep_at(timezone.now())
    assert owed_keys() == [f"expiry:{cert.pk}:7"]
    message = rendered(Notification.objects.get(key=f"expiry:{cert.pk}:7"))
    assert message.subject.endswith("expires in 5 days")
    sweep_at(cert.not_after - timedelta(hours=2))
    message = rendered(Notification.objects.get(key=f"expiry:{cert.pk}:1"))
    assert message.subject.endswith("expires within a day")


def test_no_notice_for_a_certificate_whose_renewal_was_issued(
    owner_api: Client, sign_csr: SignCsr
) -> None:
    old = issue(owner_api, sign_csr, days=20)
    renewal = post_json(owner_api, f"/api/v1/certificates/{old.pk}/renew").json()
    later = timezone.now() + timedelta(minutes=5)  # issued after the old one
    upload_certificate(owner_api, sign_csr, renewal, OWNER_EMAIL, now=later)
    old.refresh_from_db()
    assert old.status == "superseded"
    sweep_at(timezone.now() + timedelta(hours=1))
    sweep_at(old.not_after - timedelta(hours=1))
    assert owed_keys() == []


def test_a_renewal_issued_for_less_time_than_the_old_one_has_left_stops_no_reminder(
    owner_api: Client, sign_csr: SignCsr
) -> None:
    old = issue(owner_api, sign_csr, days=20)
    renewal = post_json(owner_api, f"/api/v1/certificates/{old.pk}/renew").json()
    new = upload_certificate(owner_api, sign_csr, renewal, OWNER_EMAIL, days=10)
    old.refresh_from_db()
    assert old.status == "expiring"  # not superseded: it ends after the renewal
    assert CertificateRequest.objects.get(pk=renewal["id"]).state == "issued"

    swept = sweep_at(timezone.now() + timedelta(hours=1))
    # The old one is mailed; the new one needs nothing while the old one outlasts it.
    assert owed_keys() == [f"expiry:{old.pk}:30"]
    assert swept.not_needed == 1 and new["id"] != old.pk


def test_no_notice_while_a_live_certificate_covering_the_same_uses_ends_later(
    owner_api: Client, sign_csr: SignCsr
) -> None:
    longer = issue(owner_api, sign_csr, days=60)  # signing and encryption
    shorter = issue(owner_api, sign_csr, days=20, key_usage="signing")
    shorter.refresh_from_db()
    assert (shorter.status, longer.status) == ("expiring", "active")  # neither superseded

    swept = sweep_at(timezone.now() + timedelta(hours=1))
    assert owed_keys() == [] and swept.not_needed == 1
    longer.revoked_at = timezone.now()  # the longer one gone: the reminder is owed again
    longer.status = "revoked"
    longer.save()
    sweep_at(timezone.now() + timedelta(hours=2))
    assert owed_keys() == [f"expiry:{shorter.pk}:30"]


def test_an_open_renewal_does_not_stop_the_reminder(owner_api: Client, sign_csr: SignCsr) -> None:
    cert = issue(owner_api, sign_csr, days=20)
    assert post_json(owner_api, f"/api/v1/certificates/{cert.pk}/renew").status_code == 201
    sweep_at(timezone.now() + timedelta(hours=1))
    assert owed_keys() == [f"expiry:{cert.pk}:30"]  # the CA may not have answered yet


def test_thresholds_come_from_the_setting(
    owner_api: Client, sign_csr: SignCsr, settings: Any
) -> None:
    cert = issue(owner_api, sign_csr, days=40)
    settings.EXPIRY_NOTICE_DAYS = (10,)
    sweep_at(cert.not_after - timedelta(days=20))
    assert owed_keys() == []
    sweep_at(cert.not_after - timedelta(days=9))
    assert owed_keys() == [f"expiry:{cert.pk}:10"]
    settings.EXPIRY_NOTICE_DAYS = ()
    sweep_at(cert.not_after - timedelta(hours=1))
    assert owed_keys() == [f"expiry:{cert.pk}:10"]


def test_a_row_read_before_another_sweep_claimed_it_is_not_owed_again(
    owner_api: Client, sign_csr: SignCsr
) -> None:
    cert = issue(owner_api, sign_csr, days=20)
    stale = Certificate.objects.get(pk=cert.pk)
    sweep_at(timezone.now() + timedelta(hours=1))
    assert expiry._claim(stale, 30) is False
    assert owed_keys() == [f"expiry:{cert.pk}:30"]


def test_the_admins_digest_is_owed_once_per_week_and_lists_what_needs_attention(
    owner_api: Client, sign_csr: SignCsr, admin: User, settings: Any
) -> None:
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    expiring = issue(owner_api, sign_csr, days=20)
    unknown = issue(owner_api, sign_csr, days=200, key_usage="encryption")
    Certificate.objects.filter(pk=unknown.pk).update(revocation_status="unknown")
    waiting = post_json(owner_api, f"/api/v1/certificates/{unknown.pk}/renew").json()
    now = timezone.now()  # a Monday 8 to 14 days on: the request has waited over a week
    monday = (now + timedelta(days=15 - now.isoweekday())).replace(hour=6, minute=0)

    sweep_at(monday, times=2)
    sweep_at(monday + timedelta(days=3))
    digests = Notification.objects.filter(kind="weekly_digest")
    assert sorted(digests.values_list("recipient", flat=True)) == [
        "carol@example.com",
        "root@example.com",  # the superuser the trust anchor fixture made
    ]
    year, week, _ = monday.isocalendar()
    assert digests.filter(key=f"weekly_digest:{year}-W{week:02d}:carol@example.com").exists()

    with time_machine.travel(monday + timedelta(days=3), tick=False):
        message = rendered(digests.get(recipient="carol@example.com"))
    assert message.subject == (
        f"S/MIME portal weekly digest {year}-W{week:02d}: "
        "1 expiring, 1 waiting on the CA, 1 revocation unknown"
    )
    assert f"- {OWNER_EMAIL} (owner alice) ends {expiring.not_after:%Y-%m-%d}" in message.text
    assert f"/certificates/{expiring.pk}/" in message.text
    assert f"- #{waiting['id']} {OWNER_EMAIL} (owner alice), CSR ready since" in message.text
    assert f"https://portal.example.com/certificates/{unknown.pk}/" in message.text

    sweep_at(monday + timedelta(days=7))
    assert Notification.objects.filter(kind="weekly_digest").count() == 4
