"""Print a domain's zone snippet: every published record and the suggested CAA records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certificates.services.domains import find_domain
from certificates.services.errors import ServiceError
from discovery.services.published import zone_text


class Command(BaseCommand):
    help = "Print the zone snippet (TXT, SMIMEA, CAA) of a managed mail domain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domain")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            domain = find_domain(options["domain"])
        except ServiceError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(zone_text(domain), ending="")
