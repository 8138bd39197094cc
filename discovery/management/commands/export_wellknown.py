"""Write every published certificate into DIR/DOMAIN/.well-known/smime/ for a static server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from discovery.services import export


class Command(BaseCommand):
    help = (
        "Write the .well-known/smime/ tree of every managed domain into DIR (NAME.crt as DER, "
        "NAME.pem), replacing changed files atomically and removing withdrawn ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        root: Path = options["dir"]
        for name, (written, removed) in sorted(export.export_all(root).items()):
            folder = export.domain_folder(root, name)
            self.stdout.write(f"{folder}: {written} written, {removed} removed")
