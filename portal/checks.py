"""System checks that stop a misconfigured deployment before it can lose data."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def secrets_configured(app_configs: object, **kwargs: object) -> list[Error]:
    errors: list[Error] = []
    if not settings.EMBEDDED and not settings.SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is not set.",
                hint="With DATABASE_URL set, SECRET_KEY (or SECRET_KEY_FILE) must come from the "
                "environment so that every web process shares it.",
                id="portal.E001",
            )
        )
    if not settings.KEY_ENCRYPTION_KEY:
        errors.append(
            Error(
                "KEY_ENCRYPTION_KEY is not set.",
                hint="Set one or more base64 32-byte keys, comma-separated (first encrypts); "
                "generate one with: head -c 32 /dev/urandom | base64. "
                "Without it server-generated private keys cannot be stored or read.",
                id="portal.E002",
            )
        )
    else:
        for position, item in enumerate(settings.KEY_ENCRYPTION_KEY.split(","), start=1):
            try:
                raw = base64.b64decode(item.strip(), validate=True)
            except (binascii.Error, ValueError):
                raw = b""
            if len(raw) != 32:
                errors.append(
                    Error(
                        f"KEY_ENCRYPTION_KEY entry {position} is not a base64 32-byte key.",
                        id="portal.E003",
                    )
                )
    return errors
