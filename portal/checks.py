"""System checks that stop a misconfigured deployment before it can lose data.

(Missing secrets stop the settings module itself; this checks what is there.)"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from certificates import portal_identity
from certificates.pki import keywrap, smime_identity
from certificates.pki.emails import addresses_match
from certificates.pki.errors import PkiError


@register(Tags.security)
def key_encryption_keys_are_well_formed(app_configs: object, **kwargs: object) -> list[Error]:
    try:
        keywrap.parse_keys(settings.KEY_ENCRYPTION_KEY)
    except PkiError as exc:
        return [Error(f"KEY_ENCRYPTION_KEY: {exc.message}", id="portal.E001")]
    return []


@register(Tags.security)
def smime_identity_is_usable(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    """A configured identity must load and belong together, and mail clients compare its
    address with the sender's: say so before the first test message goes out wrong."""
    if not settings.PORTAL_SMIME_KEY:
        return []
    try:
        identity = portal_identity.load()
    except PkiError as exc:
        return [Error(f"PORTAL_SMIME_KEY / PORTAL_SMIME_CERT: {exc.message}", id="portal.E002")]
    sender = portal_identity.sender_address()
    if not any(addresses_match(sender, a) for a in smime_identity.addresses(identity)):
        return [
            Warning(
                f"PORTAL_SMIME_CERT is not for the sender address {sender} "
                "(DEFAULT_FROM_EMAIL): mail clients will say the test message's signature "
                "is from someone else.",
                id="portal.W002",
            )
        ]
    return []
