"""Filters the tables share: a short issuer name and the days left before an end date."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from certificates.pki.subject import common_name_of

register = template.Library()


@register.filter
def common_name(display: str) -> str:
    """``CN=Example CA,O=Example`` → ``Example CA``."""
    return common_name_of(display)


@register.filter
def days_left(end: datetime) -> int:
    """Whole days from now until ``end``; negative once it has passed."""
    return (end - timezone.now()).days
