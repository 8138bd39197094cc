"""Trust anchors: the roots an admin trusts for the chain verdict."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from django.db import transaction

from certificates.models import TrustAnchor
from certificates.pki import bundle, readable
from certificates.pki.errors import PkiError
from certificates.pki.subject import display_name
from certificates.services import audit
from certificates.services.access import require_admin
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid
from certificates.services.text import single_line


def add(actor: Actor, name: str, data: bytes) -> TrustAnchor:
    require_admin(actor.user)
    name = single_line("name", "The trust anchor's name", name)
    if not name:
        raise Invalid("Name the trust anchor (for example 'Sectigo Client Root').")
    try:
        certs = bundle.load_certificates(data)
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    if len(certs) != 1:
        raise Invalid(f"Upload exactly one root certificate; the file holds {len(certs)}.")
    root = certs[0]
    if not readable.is_ca(root):
        raise Invalid("This certificate is not a CA certificate (no basicConstraints CA:TRUE).")
    fingerprint = root.fingerprint(hashes.SHA256()).hex()
    # Parsed above, outside the transaction: it only holds the (SQLite) write lock to write.
    with transaction.atomic():
        if TrustAnchor.objects.filter(sha256_fingerprint=fingerprint).exists():
            raise Conflict("This root is already a trust anchor.")
        if TrustAnchor.objects.filter(name=name).exists():
            raise Conflict(f"A trust anchor named {name!r} exists already; choose another name.")
        anchor = TrustAnchor.objects.create(
            name=name[:200],
            der=root.public_bytes(serialization.Encoding.DER),
            subject=display_name(root.subject)[:1000],
            sha256_fingerprint=fingerprint,
            not_after=root.not_valid_after_utc,
        )
        audit.record(actor, "trust_anchor.added", anchor, fingerprint=fingerprint)
    return anchor
