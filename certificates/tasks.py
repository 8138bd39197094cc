"""Celery tasks: thin, idempotent, taking primary keys and re-reading the rows."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from certificates import mail
from certificates.models import AuditEvent, Certificate, Notification


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30)
def send_key_export_notice(self, event_id: int) -> str:  # type: ignore[no-untyped-def]
    """Tell the owner that their private key was exported; once per export event."""
    event = AuditEvent.objects.filter(pk=event_id, action="key.exported").first()
    if event is None:
        return "no such export"
    cert = Certificate.objects.select_related("owner").filter(pk=event.object_id).first()
    if cert is None:
        return "certificate gone"
    recipient = cert.owner.email or cert.email
    notice, _ = Notification.objects.get_or_create(
        key=f"key_exported:{event.pk}", defaults={"kind": "key_exported", "recipient": recipient}
    )
    claimed = Notification.objects.filter(pk=notice.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return "already sent"
    try:
        mail.send("key_exported", recipient, {"event": event, "certificate": cert})
    except OSError as exc:  # mail server unreachable: release the claim and retry later
        Notification.objects.filter(pk=notice.pk).update(sent_at=None)
        raise self.retry(exc=exc) from exc
    return f"sent to {recipient}"
