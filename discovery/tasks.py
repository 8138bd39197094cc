"""Celery tasks: thin doors onto the publishing services."""

from __future__ import annotations

from celery import shared_task

from discovery.services import verification


@shared_task(acks_late=True)
def verify_due_publications() -> int:
    """Beat's hourly sweep: re-check the DNS records of publications whose daily check is due."""
    return verification.verify_due()
