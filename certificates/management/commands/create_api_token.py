"""Create an API token for a user and print it once (and nothing else) on stdout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certificates.services import tokens
from certificates.services.access import find_user
from certificates.services.actor import Actor
from certificates.services.errors import ServiceError


class Command(BaseCommand):
    help = "Create an API token for USERNAME; the token is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--scope", action="append", default=[], help="e.g. keys:export")
        parser.add_argument(
            "--expires",
            type=int,
            default=tokens.DEFAULT_EXPIRY_DAYS,
            metavar="DAYS",
            help=f"days until it expires (1-{tokens.MAX_EXPIRY_DAYS}; "
            f"default {tokens.DEFAULT_EXPIRY_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = find_user(options["username"])
            _, plain = tokens.create(
                Actor(user=None, via="command"),
                user,
                options["name"],
                scopes=options["scope"],
                expires_days=options["expires"],
            )
        except ServiceError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(plain)
