"""Benchmark: beat's database scheduler on the embedded SQLite database, under write load.
Prints how many write transactions, beat dispatches and tasks ran, and how many met
"database is locked" (target: none).

    .venv/bin/python bench/beat_sqlite.py [SECONDS] [WRITERS]

In a throwaway var/ folder (embedded mode: SQLite in WAL mode, file-system broker) it starts a
solo worker and beat with every periodic task set to run each second (as an admin could set
them in the Django admin; beat keeps that) and beat writing its schedule back after every
dispatch instead of every three minutes, plus WRITERS processes that each commit small write
transactions (an audit event and a notice, as a page would) as fast as they can.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")

SETUP = """
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask
every_second = IntervalSchedule.objects.create(every=1, period="seconds")
for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
    PeriodicTask.objects.create(name=name, task=entry["task"], interval=every_second)
"""
BEAT = """
import django; django.setup()
from portal.celery import app
app.conf.beat_sync_every = 1
app.start(["beat", "--max-interval=1", "--loglevel=INFO"])
"""
WORKER = """
import django; django.setup()
from portal.celery import app
app.worker_main(["worker", "--pool=solo", "--loglevel=INFO"])
"""
WRITER = """
import sys, time
import django; django.setup()
from django.db import OperationalError, transaction
from certificates.models import AuditEvent, Notification
deadline, done, locked, n = time.monotonic() + float(sys.argv[1]), 0, 0, 0
while time.monotonic() < deadline:
    n += 1
    try:
        with transaction.atomic():
            event = AuditEvent.objects.create(actor_label="bench", action="bench.write")
            Notification.objects.create(
                kind="bench", key=f"bench:{sys.argv[2]}:{n}", recipient="x@example.com",
                event=event, sent_at=event.created_at,
            )
        done += 1
    except OperationalError as exc:
        locked += "locked" in str(exc)
print(done, locked)
"""


def main(seconds: float, writers: int) -> None:
    var = Path(tempfile.mkdtemp(prefix="bench-beat-"))
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_"))
    } | {"PORTAL_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "portal.settings"}

    def python(code: str, *args: str, log: Path | None = None) -> subprocess.Popen[str]:
        output = log.open("w") if log else subprocess.PIPE
        return subprocess.Popen(
            [PYTHON, "-c", code, *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )

    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "shell", "--no-imports", "-c", SETUP], cwd=ROOT, env=env, check=True)

    services = [python(WORKER, log=var / "worker.log"), python(BEAT, log=var / "beat.log")]
    time.sleep(3)
    started = time.monotonic()
    load = [python(WRITER, str(seconds), str(i)) for i in range(writers)]
    results = [p.communicate()[0].split()[-2:] for p in load]
    elapsed = time.monotonic() - started
    for process in services:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)

    logs = {name: (var / f"{name}.log").read_text() for name in ("beat", "worker")}
    written = sum(int(done) for done, _ in results)
    locked = sum(int(lock) for _, lock in results)
    dispatched = logs["beat"].count("Sending due task")
    succeeded = len(re.findall(r"Task \S+ succeeded", logs["worker"]))
    in_logs = sum(log.count("database is locked") for log in logs.values())
    crashed = "Unrecoverable error" in logs["worker"]
    print(f"{elapsed:.0f} s, {writers} writer process(es), worker and beat on SQLite ({var})")
    print(f"write transactions: {written:,} ({written / elapsed:,.0f}/s), locked: {locked}")
    print(f"beat dispatches: {dispatched}, tasks succeeded: {succeeded}")
    print(f"'database is locked' in the beat and worker logs: {in_logs}")
    print(f"worker stopped by an unrecoverable error: {'yes' if crashed else 'no'}")
    if locked or in_logs or crashed or not dispatched or not succeeded:
        sys.exit("the database was locked, or beat and worker did not keep running")


if __name__ == "__main__":
    arguments = sys.argv[1:3]
    main(float(arguments[0]) if arguments else 60.0, int(arguments[1]) if arguments[1:] else 2)
