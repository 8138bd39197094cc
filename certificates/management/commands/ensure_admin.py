"""First-run helper for the quickstart: create an admin account once and print its password."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from certificates.models import Domain
from certificates.models.domains import normalise_name
from certificates.services import domains
from certificates.services.actor import Actor
from certificates.services.errors import ServiceError


class Command(BaseCommand):
    help = "Create the quickstart admin (and its mail domain) if no superuser exists yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@example.com")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "Admin account exists already (its password was printed on the first run; "
                "reset it with: .venv/bin/python manage.py changepassword "
                f"{options['username']})."
            )
            return
        password = secrets.token_urlsafe(12)
        name = normalise_name(options["email"].rpartition("@")[2])
        with transaction.atomic():
            admin = User.objects.create_superuser(options["username"], options["email"], password)
            # Through the service, so the name is checked and the addition audited.
            if not Domain.objects.filter(name=name).exists():
                try:
                    domains.add_domain(Actor(user=admin, via="command"), name)
                except ServiceError as exc:
                    raise CommandError(f"--email {options['email']}: {exc.detail}") from exc
        self.stdout.write(
            f"Created admin account: username {options['username']}, password {password}\n"
            f"Managed mail domain: {name} (add more in the admin)."
        )
