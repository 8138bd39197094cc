"""Check published records in live DNS now; exits non-zero when any is missing or wrong."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certificates.models import Domain
from certificates.services.actor import Actor
from certificates.services.domains import find_domain
from certificates.services.errors import ServiceError
from discovery.dnscheck import RecordStatus
from discovery.services import verification


class Command(BaseCommand):
    help = "Check every published DNS record (of one domain, or all) through DNS_RESOLVERS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            targets = (
                [find_domain(options["domain"])] if options["domain"] else Domain.objects.all()
            )
        except ServiceError as exc:
            raise CommandError(exc.detail) from exc
        wrong = 0
        for domain in targets:
            for publication, checks in verification.verify_domain(
                Actor(user=None, via="command"), domain
            ):
                self.stdout.write(f"{publication.certificate.email}:")
                for check in checks:
                    dnssec = {True: ", DNSSEC", False: "", None: ""}[check.authenticated]
                    self.stdout.write(
                        f"  {check.status:8} {check.type:6} {check.name}{dnssec}  {check.detail}"
                    )
                    wrong += check.status != RecordStatus.OK
        if wrong:
            raise CommandError(f"{wrong} record(s) missing, different or not answered.")
