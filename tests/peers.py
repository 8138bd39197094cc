"""Real peers the tests talk to: an SMTP server (aiosmtpd) and a Celery worker.

The worker consumes from the broker the settings name: Redis in CI (REDIS_URL), an in-memory
broker in this process otherwise. Either way the task runs in a real worker, not eagerly.
"""

from __future__ import annotations

import email
import os
import socket
import time
from collections.abc import Callable, Iterator
from email.message import Message

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

    async def handle_DATA(self, server: object, session: Session, envelope: Envelope) -> str:  # noqa: N802
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
