"""Run the expiry sweep now, in this process (the same code beat's daily task runs), and print
what it did."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from certificates.services import expiry


class Command(BaseCommand):
    help = (
        "Move certificates to expiring/expired by date, owe the owners' expiry notices and this "
        "week's admin digest; print a summary. The notices are sent by the worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(expiry.sweep(timezone.now())))
