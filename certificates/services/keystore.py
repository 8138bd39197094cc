"""Server-held private keys, encrypted at rest under KEY_ENCRYPTION_KEY (pki.keywrap).

Plain key bytes exist only inside these functions, never in the database, a log line or an
audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from certificates.models import StoredKey
from certificates.pki import keys, keywrap
from certificates.pki.errors import PkiError


def configured_keys() -> list[bytes]:
    try:
        return keywrap.parse_keys(settings.KEY_ENCRYPTION_KEY)
    except PkiError as exc:
        raise ImproperlyConfigured(f"KEY_ENCRYPTION_KEY: {exc.message}") from exc


def store(owner: User, key: keys.PrivateKey) -> StoredKey:
    info = keys.check_public_key(key.public_key())
    stored = StoredKey(
        owner=owner, key_type=info.key_type, spki_sha256=keys.spki_sha256(key.public_key())
    )
    stored.ciphertext = keywrap.wrap(
        keys.private_key_to_der(key), configured_keys(), stored.associated_data
    )
    stored.save()
    return stored


def load(stored: StoredKey) -> keys.PrivateKey:
    der = keywrap.unwrap(bytes(stored.ciphertext), configured_keys(), stored.associated_data)
    return keys.load_private_key_der(der)


def rewrap_all() -> tuple[int, int]:
    """Re-encrypt every key still under an older key-encryption key. Returns (rewrapped, total)."""
    wrapping_keys = configured_keys()
    rewrapped = 0
    total = 0
    for pk in StoredKey.objects.values_list("pk", flat=True).iterator():
        total += 1
        with transaction.atomic():
            stored = StoredKey.objects.select_for_update().get(pk=pk)
            blob = bytes(stored.ciphertext)
            if not keywrap.needs_rewrap(blob, wrapping_keys):
                continue
            plain = keywrap.unwrap(blob, wrapping_keys, stored.associated_data)
            stored.ciphertext = keywrap.wrap(plain, wrapping_keys, stored.associated_data)
            stored.save(update_fields=["ciphertext"])
            rewrapped += 1
    return rewrapped, total
