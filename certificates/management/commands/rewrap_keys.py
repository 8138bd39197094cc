"""Re-encrypt everything stored under KEY_ENCRYPTION_KEY (server-held private keys, TSIG
secrets) under its first key.

Rotation: put the new key first in KEY_ENCRYPTION_KEY (old ones after it), restart, run this,
then drop the old keys.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from certificates.services import audit, keystore
from certificates.services.actor import Actor


class Command(BaseCommand):
    help = "Re-encrypt stored private keys and TSIG secrets under the first KEY_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        rewrapped, total = keystore.rewrap_all()
        audit.record(
            Actor(user=None, via="command"), "keys.rewrapped", rewrapped=rewrapped, total=total
        )
        self.stdout.write(f"Re-encrypted {rewrapped} of {total} stored keys and secrets.")
