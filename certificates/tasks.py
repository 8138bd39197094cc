"""Celery tasks: thin, idempotent, taking primary keys and re-reading the rows."""

from __future__ import annotations

from celery import shared_task

from certificates import notices
from certificates.services import notifications


@shared_task(
    name=notices.SEND_TASK, bind=True, acks_late=True, max_retries=5, default_retry_delay=30
)
def send_notification(self, notice_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one owed notice, once, however often this task runs."""
    try:
        return notices.deliver(notice_id)
    except OSError as exc:  # mail server unreachable: the claim is released, try again later
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def send_due_notifications() -> int:
    """Beat's sweep: enqueue every notice that is owed and not being sent."""
    pending = list(notifications.due().values_list("pk", flat=True)[:500])
    for pk in pending:
        notices.enqueue(pk)
    return len(pending)
