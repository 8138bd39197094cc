"""The optional encrypted server copy of a key made in the owner's browser.

The page encrypts the key under a passphrase the portal never receives; the portal keeps the
encrypted PKCS#8 as it came, so the owner can finish on another device. It cannot open it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from certificates.models import CertificateRequest, EncryptedKeyCopy
from certificates.models.keys import KeySource
from certificates.pki import encrypted_key as pki_encrypted_key
from certificates.pki.errors import PkiError
from certificates.services import audit
from certificates.services.actor import Actor
from certificates.services.errors import Invalid


def checked(encrypted_key: str | bytes | None, key_source: str) -> str | None:
    """The copy as PEM once it proved to be an encrypted PKCS#8 key, or None when none was sent.
    Called before any transaction opens: parsing stays out of the write lock."""
    if not encrypted_key:
        return None
    if key_source != KeySource.BROWSER:
        raise Invalid(
            _(
                "encrypted_key is the server copy of a key made in the browser; send it "
                "with key_source 'browser' only."
            )
        )
    data = encrypted_key.encode() if isinstance(encrypted_key, str) else encrypted_key
    try:
        return pki_encrypted_key.check_encrypted_key(data)
    except PkiError as exc:
        raise Invalid(exc.message) from exc


def keep(actor: Actor, request: CertificateRequest, pem: str) -> None:
    """Store a checked copy with its request (inside the request's own transaction)."""
    EncryptedKeyCopy.objects.create(
        request=request, owner=request.owner, spki_sha256=request.spki_sha256, pem=pem
    )
    audit.record(actor, "key.copy_stored", request, spki_sha256=request.spki_sha256)
