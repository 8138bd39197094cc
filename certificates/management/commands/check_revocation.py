"""Check revocation now, in this process: one certificate, or every one that is due (the same
sweep the Celery tasks run, without a broker)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certificates.models import Certificate
from certificates.services import revocation, revocation_sweep
from certificates.services.actor import Actor


class Command(BaseCommand):
    help = "Check revocation (OCSP, then the CRL) of one certificate or of every one due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--certificate", type=int, metavar="ID", help="only this certificate")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["certificate"] is not None:
            cert = Certificate.objects.filter(pk=options["certificate"]).first()
            if cert is None:
                raise CommandError(f"There is no certificate #{options['certificate']}.")
            check = revocation.check_now(Actor(user=None, via="command"), cert)
            how = f" by {check.method.upper()}" if check.method else ""
            self.stdout.write(f"Certificate #{cert.pk}: {check.status}{how}. {check.detail}")
            return
        started = time.monotonic()
        summary = revocation_sweep.sweep()
        self.stdout.write(f"{summary} Took {time.monotonic() - started:.1f} s.")
