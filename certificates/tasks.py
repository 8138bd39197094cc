"""Celery tasks: thin, idempotent, taking primary keys and re-reading the rows."""

from __future__ import annotations

from datetime import datetime

from celery import Task, shared_task
from django.db import DatabaseError
from django.utils import timezone

from certificates import notices
from certificates.services import expiry, notifications, revocation_sweep

MAIL_RETRIES = 5
MAIL_RETRY_SECONDS = 30


@shared_task(name=notices.SEND_TASK, bind=True, acks_late=True, max_retries=MAIL_RETRIES)
def send_notification(self: Task[[int], str], notice_id: int) -> str:
    """Send one owed notice, once, however often this task runs."""
    try:
        return notices.deliver(notice_id)
    except OSError as exc:  # mail server unreachable: the claim is released, try again later
        raise self.retry(exc=exc, countdown=MAIL_RETRY_SECONDS * 2**self.request.retries) from exc


@shared_task(acks_late=True)
def send_due_notifications() -> int:
    """Beat's sweep: enqueue every notice that is owed and not being sent."""
    pending = list(notifications.due().values_list("pk", flat=True)[:500])
    for pk in pending:
        notices.enqueue(pk)
    return len(pending)


# Revocation: beat asks for a sweep; the sweep enqueues batches per issuer and CRL URL.
# Certificates left unknown by a network fault are tried again by the same task with
# exponential backoff; after the last try the database's revocation_due_at brings them back.
REVOCATION_RETRIES = 4
REVOCATION_RETRY_SECONDS = 60
REVOCATION_SOFT_TIME_LIMIT = 540
REVOCATION_TIME_LIMIT = 600


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=REVOCATION_SOFT_TIME_LIMIT,
    time_limit=REVOCATION_TIME_LIMIT,
)
def sweep_revocation() -> int:
    """Enqueue a batch task for everything due; returns the number of batches."""
    planned_at = timezone.now()
    batches = revocation_sweep.start(planned_at)
    for ids in batches:
        check_revocation_batch.delay(ids, planned_at.isoformat())
    return len(batches)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),  # the database went away mid-batch
    retry_backoff=REVOCATION_RETRY_SECONDS,
    max_retries=REVOCATION_RETRIES,
    soft_time_limit=REVOCATION_SOFT_TIME_LIMIT,
    time_limit=REVOCATION_TIME_LIMIT,
)
def check_revocation_batch(
    self: Task[[list[int], str], str], certificate_ids: list[int], checked_before: str
) -> str:
    summary = revocation_sweep.check_batch(
        certificate_ids, checked_before=datetime.fromisoformat(checked_before)
    )
    if summary.transient and self.request.retries < REVOCATION_RETRIES:
        raise self.retry(
            args=(summary.transient, timezone.now().isoformat()),
            countdown=REVOCATION_RETRY_SECONDS * 2**self.request.retries,
        )
    return str(summary)


# Expiry: one task a day moves statuses on and owes the threshold notices and digests (each
# notice is its own send_notification task). What is due comes from the database, so a sweep
# lost with a killed worker is made good by the next; a sweep that ran half-way committed
# whole batches only.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),  # the database went away: again after 1, 2, 4, 8 minutes
    retry_backoff=60,
    max_retries=4,
    soft_time_limit=1500,
    time_limit=1800,
)
def sweep_expiry() -> str:
    return str(expiry.sweep(timezone.now()))
