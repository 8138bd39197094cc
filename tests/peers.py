"""Real peers the tests talk to: an SMTP server (aiosmtpd) and a Celery worker.

The worker consumes from the broker the settings name: Redis in CI (REDIS_URL), an in-memory
broker in this process otherwise. Either way the task runs in a real worker, not eagerly.
"""

from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.raw: list[bytes] = []  # as received: a signature covers bytes, not a parse

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.raw.append(envelope.original_content or b"")
        message = email.message_from_bytes(envelope.content)  # type: ignore[arg-type]
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def wait_for(self, count: int = 1, timeout: float = 20.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} mail(s), got {len(self.messages)}"
        return self.messages


@pytest.fixture
def smtp_sink(settings: pytest.FixtureRequest) -> Iterator[SmtpSink]:
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield sink
    finally:
        controller.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test with a real worker takes seconds (starting and stopping it): marked slow."""
    for item in items:
        if "celery_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[None]:
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    if not os.environ.get("REDIS_URL") and not os.environ.get("CELERY_BROKER_URL"):
        app.conf.broker_url = "memory://"
        app.conf.broker_transport = None  # (the embedded file-system one is named in settings)
        # An earlier live-server test may have sent a task through the file-system broker:
        # its pooled connections and producer would keep sending there, past this worker.
        # Not app.close(): it also takes the app off Celery's list of live apps, and a shared
        # task imported after that (the autodiscovery below, when this test runs first) is
        # never registered, so the worker refuses its messages as unknown.
        app._pool = None
        app.amqp._producer_pool = None
    app.loader.import_default_modules()  # the apps' tasks (autodiscovery), as a worker does
    # Tests without a worker still enqueue (on-commit callbacks run by the test): drop what they
    # left on the shared broker, or this test's worker runs another test's sweep on this
    # test's rows (a stale expiry sweep mails a digest nobody here asked for).
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        yield


def wait_until(predicate: Callable[[], object], timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


class WorkerProcess:
    """A Celery worker in its own process (tests/worker_process.py) on this test's database
    and the broker of REDIS_URL, mailing ``smtp_port``; one that a test can SIGKILL."""

    def __init__(self, log: Path, smtp_port: int, **env: str) -> None:
        from django.db import connection

        self.log = log
        self.env = {
            **os.environ,
            "TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            **env,
        }

    def start(self) -> None:
        before = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.worker_process"],
                cwd=Path(__file__).resolve().parent.parent,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: " ready." in self.log.read_text()[before:], timeout=60)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no rollback but the database's own."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
