"""Beat's schedule is in the database: beat adds CELERY_BEAT_SCHEDULE's entries the database
lacks, keeps what an admin changed across restarts, and admins see and change it in the
Django admin (under the portal's Content-Security-Policy)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from portal.beat import Scheduler
from portal.celery import app

pytestmark = pytest.mark.django_db(transaction=True)  # beat closes old connections


def start_beat() -> dict[str, Any]:
    """What beat does when it starts; the entries it holds now, by name (django-celery-beat
    holds a crontab entry only in the hours around its time)."""
    scheduler = Scheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    return dict(scheduler.schedule)


def crontab_of(name: str) -> tuple[str, str]:
    crontab = PeriodicTask.objects.get(name=name).crontab
    return crontab.minute, crontab.hour


def test_beat_adds_the_code_schedule_and_keeps_admin_changes_across_restarts() -> None:
    entries = start_beat()
    assert set(PeriodicTask.objects.values_list("name", flat=True)) == set(
        settings.CELERY_BEAT_SCHEDULE
    )
    assert "sweep-revocation" in entries
    expiry = PeriodicTask.objects.get(name="sweep-expiry")
    assert (expiry.task, expiry.enabled) == ("certificates.tasks.sweep_expiry", True)
    assert crontab_of("sweep-expiry") == ("0", "6")
    assert PeriodicTask.objects.get(name="sweep-revocation").interval.every == 600

    # An admin runs the expiry sweep at 02:30, the revocation sweep every 20 minutes, and
    # stops the DNS checks.
    expiry.crontab = CrontabSchedule.objects.create(minute="30", hour="2", timezone="UTC")
    expiry.save()
    revocation = PeriodicTask.objects.get(name="sweep-revocation")
    revocation.interval = IntervalSchedule.objects.create(every=1200, period="seconds")
    revocation.save()
    PeriodicTask.objects.filter(name="verify-published-dns").update(enabled=False)

    entries = start_beat()  # beat restarts
    assert crontab_of("sweep-expiry") == ("30", "2")
    assert entries["sweep-revocation"].schedule.run_every.total_seconds() == 1200
    assert "verify-published-dns" not in entries

    PeriodicTask.objects.filter(name="sweep-expiry").delete()  # back to the default
    start_beat()
    assert crontab_of("sweep-expiry") == ("0", "6")


def test_admins_see_and_change_the_schedule_in_the_django_admin() -> None:
    start_beat()
    root = User.objects.create_superuser("root-admin", "root@example.com", "x-pass-1234")
    client = Client()
    client.force_login(root)
    listing = client.get("/admin/django_celery_beat/periodictask/")
    assert listing.status_code == 200
    for name in settings.CELERY_BEAT_SCHEDULE:
        assert name in listing.content.decode()
    assert "won&#x27;t be dispatched" not in listing.content.decode()  # our scheduler is known

    expiry = PeriodicTask.objects.get(name="sweep-expiry")
    page = client.get(f"/admin/django_celery_beat/periodictask/{expiry.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    # Every script is a file (the CSP allows no inline script); the crontab in words is data.
    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == []
    assert "admin-crontab-help.js" in html
    assert "At 06:00 AM" in html
