"""Celery tasks: thin, idempotent, taking primary keys and re-reading the rows."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from certificates import mail
from certificates.models import Certificate, CertificateRequest, Notification
from certificates.services import notifications


def _key_exported_context(notice: Notification) -> dict[str, Any] | None:
    if notice.event is None:
        return None
    cert = Certificate.objects.select_related("owner").filter(pk=notice.event.object_id).first()
    return {"event": notice.event, "certificate": cert} if cert is not None else None


def _request_context(notice: Notification) -> dict[str, Any] | None:
    if notice.event is None:
        return None
    request = (
        CertificateRequest.objects.select_related("owner").filter(pk=notice.event.object_id).first()
    )
    return {"event": notice.event, "request": request} if request is not None else None


CONTEXTS = {
    "key_exported": _key_exported_context,
    "request_approved": _request_context,
    "request_rejected": _request_context,
}


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30)
def send_notification(self, notice_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one owed notice, once, however often this task runs."""
    notice = Notification.objects.select_related("event").filter(pk=notice_id).first()
    if notice is None or notice.sent_at is not None:
        return "nothing to send"
    if not notifications.claim(notice.pk):
        return "claimed by another worker"
    context = CONTEXTS[notice.kind](notice)
    if context is None:
        notifications.mark_sent(notice.pk)  # its subject is gone: nothing left to tell
        return "subject gone"
    try:
        mail.send(notice.kind, notice.recipient, context)
    except OSError as exc:  # mail server unreachable: release the claim and retry later
        notifications.release(notice.pk)
        raise self.retry(exc=exc) from exc
    notifications.mark_sent(notice.pk)
    return f"sent to {notice.recipient}"


@shared_task(acks_late=True)
def send_due_notifications() -> int:
    """Beat's sweep: enqueue every notice that is owed and not being sent."""
    pending = list(notifications.due().values_list("pk", flat=True)[:500])
    for pk in pending:
        send_notification.delay(pk)
    return len(pending)
