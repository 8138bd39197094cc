"""Server-held private keys, encrypted at rest under KEY_ENCRYPTION_KEY (pki.keywrap), and the
rotation of everything stored under that key.

Plain key bytes exist only inside these functions, never in the database, a log line or an
audit event.
"""

from __future__ import annotations

from typing import Protocol, cast

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

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


class _Wrapped(Protocol):
    associated_data: bytes


def wrapped_fields() -> list[tuple[type[models.Model], str]]:
    """Every field that holds a blob under KEY_ENCRYPTION_KEY, in any app: a model names its
    fields in WRAPPED_FIELDS and binds each blob to its row with an ``associated_data``
    property (stored keys here, TSIG secrets in discovery)."""
    return [
        (model, name)
        for model in apps.get_models()
        for name in getattr(model, "WRAPPED_FIELDS", ())
    ]


def rewrap_all() -> tuple[int, int]:
    """Re-encrypt every blob still under an older key-encryption key. Returns (rewrapped,
    total); empty fields (a domain without a TSIG secret) are not counted."""
    wrapping_keys = configured_keys()
    rewrapped = 0
    total = 0
    for model, name in wrapped_fields():
        rows = model._default_manager.exclude(**{name: b""})
        for pk in rows.values_list("pk", flat=True).iterator():
            total += 1
            with transaction.atomic():
                row = model._default_manager.select_for_update().get(pk=pk)
                blob = bytes(getattr(row, name))
                if not keywrap.needs_rewrap(blob, wrapping_keys):
                    continue
                bound_to = cast(_Wrapped, row).associated_data
                plain = keywrap.unwrap(blob, wrapping_keys, bound_to)
                setattr(row, name, keywrap.wrap(plain, wrapping_keys, bound_to))
                row.save(update_fields=[name])
                rewrapped += 1
    return rewrapped, total
