"""'Test my setup': the owner asks for a mail that the portal signs with its own S/MIME
identity and encrypts to the certificate. If their mail client opens it, the key is installed
where they read mail. The message itself is built when the worker sends it (``notices``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from django.db import transaction
from django.utils.translation import gettext as _

from certificates import notices, portal_identity
from certificates.models import AuditEvent, Certificate, Notification
from certificates.pki.smime_message import encryption_refusal
from certificates.services import audit
from certificates.services.actor import Actor
from certificates.services.errors import Conflict, Forbidden, TooMany
from certificates.services.status import USABLE

ACTION = "certificate.test_mail_sent"
# A button that mails: enough tries to mend a setup, too few to flood a mailbox.
PER_HOUR = 5


def refusal(cert: Certificate) -> str | None:
    """Why the test message to ``cert`` is signed but not encrypted; None when it is both."""
    return encryption_refusal(x509.load_der_x509_certificate(bytes(cert.der)))


def request(actor: Actor, cert: Certificate, now: datetime) -> Notification:
    """Owe the test message to the certificate's address; refused for others' certificates,
    certificates no longer in use, without an identity, and more than PER_HOUR an hour."""
    if actor.user is None or cert.owner_id != actor.user.pk:
        raise Forbidden(_("Only the certificate's owner can send the test message to it."))
    if cert.status not in USABLE:
        raise Conflict(
            _("Only a certificate in use can be tested; this one is %(status)s.")
            % {"status": cert.get_status_display().lower()}
        )
    if not portal_identity.available():
        raise Conflict(
            _(
                "The portal has no S/MIME identity to sign the test message with; an "
                "administrator sets PORTAL_SMIME_KEY and PORTAL_SMIME_CERT."
            )
        )
    with transaction.atomic():
        # The certificate's row serialises requests for it, so the count below is exact.
        Certificate.objects.select_for_update().values("pk").get(pk=cert.pk)
        recent = AuditEvent.objects.filter(
            action=ACTION,
            object_type=cert._meta.model_name,
            object_id=str(cert.pk),
            created_at__gte=now - timedelta(hours=1),
        )
        if recent.count() >= PER_HOUR:
            raise TooMany(
                _(
                    "%(count)d test messages were sent for this certificate in the last hour; "
                    "wait for them to arrive, or try again in an hour."
                )
                % {"count": PER_HOUR}
            )
        event = audit.record(actor, ACTION, cert, to=cert.email, encrypted=refusal(cert) is None)
        return notices.setup_test(event, cert)
