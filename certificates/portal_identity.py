"""Where the portal's own S/MIME identity comes from: PORTAL_SMIME_KEY and PORTAL_SMIME_CERT
when set, otherwise (embedded mode only) a self-signed one generated once into var/.

Only the worker that sends the "Test my setup" message reads the key; pages ask ``available``
alone, which touches no file.
"""

from __future__ import annotations

import os
import secrets
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from certificates.pki import smime_identity
from certificates.pki.smime_identity import SmimeIdentity


def available() -> bool:
    return bool(settings.PORTAL_SMIME_KEY) or settings.PORTAL_SMIME_GENERATED is not None


def sender_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def load() -> SmimeIdentity:
    """The identity; ImproperlyConfigured when there is none (the pages offer no test then),
    PkiError when the configured one is unreadable (a system check says so at start)."""
    if settings.PORTAL_SMIME_KEY:
        assert settings.PORTAL_SMIME_CERT is not None  # envconf.together: both or neither
        key, cert = settings.PORTAL_SMIME_KEY.encode(), settings.PORTAL_SMIME_CERT.encode()
    elif settings.PORTAL_SMIME_GENERATED is not None:
        key = cert = _generated_once(Path(settings.PORTAL_SMIME_GENERATED))
    else:
        raise ImproperlyConfigured(
            "The portal has no S/MIME identity: set PORTAL_SMIME_KEY and PORTAL_SMIME_CERT."
        )
    return smime_identity.load(key, cert)


def _generated_once(path: Path) -> bytes:
    """The identity file, made (mode 0600, like the other secrets in var/) by whichever
    process gets there first: each writes its own temporary file and links it into place,
    and a link that finds the file there already loses, so every process reads one identity."""
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = smime_identity.generate(sender_address(), timezone.now())
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_bytes()
