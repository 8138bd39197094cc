"""The mail the portal sends people: one function per notice.

A notice is owed in the caller's transaction (a ``Notification`` row: the database, not the
broker, remembers it) and its send is enqueued when that transaction commits; beat's sweep
sends whatever a lost broker message or a killed worker left owed. What a notice says comes
from ``templates/emails/KIND.subject.txt``, ``KIND.txt`` and ``KIND.html``, rendered when it is
sent from the audit event that caused it, so the row holds no copy of names or reasons; a kind
about no single object (the weekly digest) gathers what it says when it is sent.

The services call these functions; they never import the Celery tasks. This module enqueues by
task name on the project's Celery app, and ``certificates.tasks`` registers that name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography import x509
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from certificates import mail
from certificates.models import AuditEvent, Certificate, CertificateRequest, Notification
from certificates.pki.smime_message import encryption_refusal
from certificates.services import digest, notifications
from certificates.services.access import ADMIN_GROUP
from portal.celery import app as celery_app

SEND_TASK = "certificates.tasks.send_notification"

# Each kind is also its template family; the model is what its audit event is about, and the
# name that object has in the templates.
KINDS: dict[str, tuple[type[Certificate] | type[CertificateRequest], str]] = {
    "key_exported": (Certificate, "certificate"),
    "certificate_revoked": (Certificate, "certificate"),
    "request_approved": (CertificateRequest, "req"),
    "request_rejected": (CertificateRequest, "req"),
    "request_cancelled": (CertificateRequest, "req"),
    "request_issued": (CertificateRequest, "req"),
    "dns_records_wrong": (Certificate, "certificate"),
    "revocation_found": (Certificate, "certificate"),
    "expiry_warning": (Certificate, "certificate"),
    "setup_test": (Certificate, "certificate"),
}
# Kinds about no single object: what they say is gathered when they are sent.
GATHERED: dict[str, Callable[[Notification], dict[str, Any]]] = {
    "weekly_digest": lambda notice: digest.context(notice.created_at, timezone.now()),
}


def key_exported(event: AuditEvent, cert: Certificate) -> Notification:
    """A private key left the portal as a PKCS#12 bundle: always told, so a stolen session or
    token shows up in the owner's mailbox."""
    return _owe("key_exported", event, cert.owner, cert.email)


def request_approved(event: AuditEvent, req: CertificateRequest) -> Notification | None:
    """An admin approved a request that waited for it (a domain that requires approval): the
    requester can now send the CSR to the CA."""
    return _owe_unless_own(event, "request_approved", req.owner, req.email)


def request_rejected(event: AuditEvent, req: CertificateRequest) -> Notification | None:
    """An admin rejected the request, whether it awaited approval or was approved already; the
    mail carries the reason."""
    return _owe_unless_own(event, "request_rejected", req.owner, req.email)


def request_cancelled(event: AuditEvent, req: CertificateRequest) -> Notification | None:
    return _owe_unless_own(event, "request_cancelled", req.owner, req.email)


def request_issued(event: AuditEvent, req: CertificateRequest) -> Notification | None:
    """Someone else (an admin) uploaded the certificate: the requester can now use it."""
    return _owe_unless_own(event, "request_issued", req.owner, req.email)


def certificate_revoked(event: AuditEvent, cert: Certificate) -> Notification | None:
    """Someone else (an admin) declared the certificate revoked, with the reason."""
    return _owe_unless_own(event, "certificate_revoked", cert.owner, cert.email)


def dns_records_wrong(event: AuditEvent, cert: Certificate) -> Notification:
    """Published records that were right are wrong now (discovery's live check); the event's
    details list the problems."""
    return _owe("dns_records_wrong", event, cert.owner, cert.email)


def revocation_found(event: AuditEvent, cert: Certificate) -> list[Notification]:
    """A revocation check found the certificate revoked by its CA: its owner and every
    certificate admin are told, each once."""
    return [
        _owe("revocation_found", event, cert.owner, address, per_recipient=True)
        for address in _owner_and_admins(cert)
    ]


def expiry_warning(event: AuditEvent, cert: Certificate, days: int) -> Notification | None:
    """The certificate ends within ``days`` days, one of EXPIRY_NOTICE_DAYS: its owner gets a
    link to renew, once per certificate and threshold (the notice's key)."""
    recipient = getattr(cert.owner, "email", "") or cert.email
    return _owe_once("expiry_warning", f"expiry:{cert.pk}:{days}", recipient, event)


def setup_test(event: AuditEvent, cert: Certificate) -> Notification:
    """'Test my setup': a message signed by the portal and encrypted to the certificate, to
    the certificate's own address, where the mail client holding its key reads. Built, signed
    and encrypted when sent (``_send``)."""
    return _owe("setup_test", event, cert.owner, cert.email, per_recipient=True)


def weekly_digest(now: datetime) -> list[Notification]:
    """This ISO week's digest to every certificate admin, once per week each (the key): what
    needs their attention, gathered when it is sent."""
    year, week, _ = now.isocalendar()
    owed = (
        _owe_once("weekly_digest", f"weekly_digest:{year}-W{week:02d}:{address.lower()}", address)
        for address in _unique(_admin_addresses())
    )
    return [notice for notice in owed if notice is not None]


def _admin_addresses() -> list[str]:
    admins = get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name=ADMIN_GROUP), is_active=True
    )
    return list(admins.exclude(email="").values_list("email", flat=True))


def _owner_and_admins(cert: Certificate) -> list[str]:
    return _unique([getattr(cert.owner, "email", "") or cert.email, *_admin_addresses()])


def _unique(addresses: list[str]) -> list[str]:
    """Each address once, compared without case."""
    unique: dict[str, str] = {}
    for address in addresses:
        unique.setdefault(address.lower(), address)
    return list(unique.values())


def _owe_unless_own(event: AuditEvent, kind: str, owner: User, address: str) -> Notification | None:
    """State changes people make themselves they already know of; others' are mailed."""
    if event.actor_id is not None and event.actor_id == owner.pk:
        return None
    return _owe(kind, event, owner, address)


def _owe(
    kind: str,
    event: AuditEvent,
    owner: User,
    address: str,
    *,
    per_recipient: bool = False,
) -> Notification:
    """Owe one notice about ``event``. By default it goes to the owner (their account address,
    else ``address``); with ``per_recipient`` to ``address`` itself, one notice each."""
    recipient = address if per_recipient else getattr(owner, "email", "") or address
    key = f"{kind}:{event.pk}" + (f":{recipient.lower()}" if per_recipient else "")
    notice = notifications.owe(kind, key, recipient, event)
    _enqueue_on_commit(notice)
    return notice


def _owe_once(
    kind: str, key: str, recipient: str, event: AuditEvent | None = None
) -> Notification | None:
    """Owe the notice with ``key`` unless it is owed already (None then)."""
    notice = notifications.owe_once(kind, key, recipient, event)
    if notice is not None:
        _enqueue_on_commit(notice)
    return notice


def _enqueue_on_commit(notice: Notification) -> None:
    # robust: a broker that is down must not turn a finished action into an error; the notice
    # stays owed in the database and beat's sweep sends it.
    transaction.on_commit(lambda: enqueue(notice.pk), robust=True)


def enqueue(notice_id: int) -> None:
    celery_app.send_task(SEND_TASK, args=[notice_id])


def deliver(notice_id: int) -> str:
    """Send one owed notice, once, however often this runs (a conditional claim).

    An OSError (mail server unreachable) releases the claim and propagates, for a retry.
    """
    notice = Notification.objects.select_related("event").filter(pk=notice_id).first()
    if notice is None or notice.sent_at is not None:
        return "nothing to send"
    if not notifications.claim(notice.pk):
        return "claimed by another worker"
    context = context_of(notice)
    if context is None:
        notifications.mark_sent(notice.pk)  # its subject is gone: nothing left to tell
        return "subject gone"
    try:
        _send(notice, context)
    except OSError:
        notifications.release(notice.pk)
        raise
    notifications.mark_sent(notice.pk)
    return f"sent to {notice.recipient}"


def _send(notice: Notification, context: dict[str, Any]) -> None:
    message = mail.render(notice.kind, context)
    if notice.kind == "setup_test":
        mail.send_sealed(notice.recipient, message, context["encrypt_to"])
    else:
        mail.send(notice.recipient, message)


def _sealing(cert: Certificate) -> dict[str, Any]:
    """The test message's certificate to encrypt to, or why it is signed only."""
    leaf = x509.load_der_x509_certificate(bytes(cert.der))
    refusal = encryption_refusal(leaf)
    return {"encrypt_to": None if refusal else leaf, "refusal": refusal}


def context_of(notice: Notification) -> dict[str, Any] | None:
    """What the templates see: the event (its details hold the reason), the object it is about
    and its owner; None when either is gone. Kinds about no single object gather theirs."""
    if notice.kind in GATHERED:
        return GATHERED[notice.kind](notice)
    event = notice.event
    model, name = KINDS[notice.kind]
    if event is None:
        return None
    obj = model._default_manager.select_related("owner").filter(pk=event.object_id).first()
    if obj is None:
        return None
    context = {"event": event, name: obj, "owner": obj.owner, "reason": event.details.get("reason")}
    if notice.kind == "setup_test":
        assert isinstance(obj, Certificate)  # KINDS: a setup test is about a certificate
        context.update(_sealing(obj))
    return context
