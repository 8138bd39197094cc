"""Trust anchors: the roots an admin trusts for the chain verdict. Adding or removing one
judges the stored certificates that chain to it again (services.verdicts)."""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate, TrustAnchor
from certificates.pki import bundle, readable
from certificates.pki.errors import PkiError
from certificates.pki.subject import display_name
from certificates.services import audit, verdicts
from certificates.services.access import require_admin
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Invalid, NotFound
from certificates.services.text import single_line

MAX_NAME = 200  # TrustAnchor.name


def name_after_subject(root: x509.Certificate) -> str:
    """A root's common name, or its whole subject when it has none."""
    common_names = root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    name = str(common_names[0].value) if common_names else display_name(root.subject)
    return name[:MAX_NAME]


def add(actor: Actor, name: str, data: bytes, now: datetime | None = None) -> TrustAnchor:
    """Trust the root in ``data``, named ``name`` (empty: after its subject)."""
    require_admin(actor.user)
    name = single_line("name", _("The trust anchor's name"), name)
    try:
        certs = bundle.load_certificates(data)
    except PkiError as exc:
        raise Invalid(exc.message) from exc
    if len(certs) != 1:
        raise Invalid(
            _("Upload exactly one root certificate; the file holds %(count)s.")
            % {"count": len(certs)}
        )
    root = certs[0]
    if not readable.is_ca(root):
        raise Invalid(_("This certificate is not a CA certificate (no basicConstraints CA:TRUE)."))
    name = name.strip()[:MAX_NAME] or name_after_subject(root)
    fingerprint = root.fingerprint(hashes.SHA256()).hex()
    # Parsed above, outside the transaction: it only holds the (SQLite) write lock to write.
    with transaction.atomic():
        if TrustAnchor.objects.filter(sha256_fingerprint=fingerprint).exists():
            raise Conflict(_("This root is already a trust anchor."))
        if TrustAnchor.objects.filter(name=name).exists():
            raise Conflict(
                _("A trust anchor named %(name)r exists already; choose another name.")
                % {"name": name}
            )
        anchor = TrustAnchor.objects.create(
            name=name,
            der=root.public_bytes(serialization.Encoding.DER),
            subject=display_name(root.subject)[:1000],
            sha256_fingerprint=fingerprint,
            not_after=root.not_valid_after_utc,
        )
        trusted = verdicts.after_adding(actor, anchor, now or timezone.now())
        audit.record(
            actor, "trust_anchor.added", anchor, fingerprint=fingerprint, now_trusted=len(trusted)
        )
    return anchor


def trusting(anchor: TrustAnchor) -> QuerySet[Certificate]:
    """The stored certificates trusted through ``anchor``."""
    return Certificate.objects.filter(trust_anchor=anchor)


def remove(
    actor: Actor, anchor_id: int, now: datetime | None = None
) -> tuple[TrustAnchor, list[Certificate]]:
    """Stop trusting an anchor. The certificates trusted through it are judged again: through
    another anchor they stay trusted, otherwise they become untrusted-root with a warning
    (returned with the removed anchor)."""
    require_admin(actor.user)
    with transaction.atomic():
        anchor = TrustAnchor.objects.select_for_update().filter(pk=anchor_id).first()
        if anchor is None:
            raise NotFound(_("There is no trust anchor #%(anchor_id)s.") % {"anchor_id": anchor_id})
        untrusted = verdicts.before_removing(actor, anchor, now or timezone.now())
        audit.record(
            actor,
            "trust_anchor.removed",
            anchor,
            fingerprint=anchor.sha256_fingerprint,
            now_untrusted=len(untrusted),
        )
        anchor.delete()
    return anchor, untrusted
