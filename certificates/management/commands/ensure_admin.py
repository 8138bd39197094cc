"""First-run helper for the quickstart: create an admin account once and print its password."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from certificates.models import Domain
from certificates.models.domains import normalise_name


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
        User.objects.create_superuser(options["username"], options["email"], password)
        Domain.objects.get_or_create(name=normalise_name(options["email"].rsplit("@", 1)[1]))
        self.stdout.write(
            f"Created admin account: username {options['username']}, password {password}\n"
            f"Managed mail domain: {options['email'].rsplit('@', 1)[1]} (add more in the admin)."
        )
