"""System checks that stop a misconfigured deployment before it can lose data.

(Missing secrets stop the settings module itself; this checks what is there.)"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from certificates.pki import keywrap
from certificates.pki.errors import PkiError


@register(Tags.security)
def key_encryption_keys_are_well_formed(app_configs: object, **kwargs: object) -> list[Error]:
    try:
        keywrap.parse_keys(settings.KEY_ENCRYPTION_KEY)
    except PkiError as exc:
        return [Error(f"KEY_ENCRYPTION_KEY: {exc.message}", id="portal.E001")]
    return []
