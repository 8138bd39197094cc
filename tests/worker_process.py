"""A Celery worker in a process of its own, on the calling test's database, for tests that kill
it (tests.peers.WorkerProcess starts it): ``python -m tests.worker_process``.

TEST_DATABASE_NAME names the test database (pytest-django's, which the settings do not know).
SLOW_EXPIRY_SECONDS pauses that long before each expiry notice is owed, so that a sweep takes
long enough to be killed half-way. NOTICE_GRACE_SECONDS shortens the two minutes that beat's
notice sweep leaves a new notice to its own send task, so a test need not wait that long.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
from django.conf import settings  # noqa: E402

settings.DATABASES["default"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
django.setup()

from certificates.services import expiry, notifications  # noqa: E402
from portal.celery import app  # noqa: E402

PAUSE = float(os.environ.get("SLOW_EXPIRY_SECONDS", "0"))
if PAUSE:
    owe = expiry._owe

    def slow_owe(*args: Any) -> None:
        time.sleep(PAUSE)
        owe(*args)

    expiry._owe = slow_owe

if "NOTICE_GRACE_SECONDS" in os.environ:
    notifications.SWEEP_GRACE = timedelta(seconds=float(os.environ["NOTICE_GRACE_SECONDS"]))

app.worker_main(
    ["worker", "--pool=solo", "--loglevel=INFO", "--without-mingle", "--without-gossip"]
)
