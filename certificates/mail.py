"""The one place that sends mail: subject, text and HTML rendered from one template family.

What each notice says and when it is owed is ``certificates.notices``; this is the seam to the
mail server.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from cryptography import x509
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone

from certificates import portal_identity
from certificates.pki.smime_message import signed_and_encrypted


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def render(template: str, context: dict[str, Any]) -> Message:
    """``emails/TEMPLATE.subject.txt``, ``.txt`` and ``.html`` with ``base_url`` added."""
    context = {"base_url": settings.PORTAL_BASE_URL, **context}
    subject = _plain_text(f"emails/{template}.subject.txt", context)
    return Message(
        subject=" ".join(subject.split()),  # one header line, whatever the template holds
        text=_plain_text(f"emails/{template}.txt", context),
        html=render_to_string(f"emails/{template}.html", context),
    )


def _plain_text(name: str, context: dict[str, Any]) -> str:
    """Plain text is not HTML: rendered without autoescaping, so a name typed as da"ve reads
    da"ve, not da&quot;ve. Only the .html part is escaped."""
    template = Engine.get_default().get_template(name)
    return template.render(Context(context, autoescape=False))


def send(to: str, message: Message) -> None:
    mail = EmailMultiAlternatives(message.subject, message.text, settings.DEFAULT_FROM_EMAIL, [to])
    mail.attach_alternative(message.html, "text/html")
    mail.send()


def send_sealed(to: str, message: Message, encrypt_to: x509.Certificate | None) -> None:
    """``message`` signed with the portal's S/MIME identity and, when ``encrypt_to`` is given,
    encrypted to that certificate, so only its key opens it."""
    data = signed_and_encrypted(
        sender=settings.DEFAULT_FROM_EMAIL,
        recipient=to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        signer=portal_identity.load(),
        encrypt_to=encrypt_to,
        date=timezone.now(),
        message_id=make_msgid(domain=portal_identity.sender_address().rpartition("@")[2]),
    )
    _Prebuilt(to, data).send()


class _Prebuilt(EmailMessage):
    """A message whose bytes are final: Django's backends send them as they are (serialising
    a signed entity again could change it and break the signature)."""

    def __init__(self, to: str, data: bytes) -> None:
        super().__init__(from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
        self.prebuilt = data

    def message(self, *, policy: Any = None) -> Any:  # backends call as_bytes(), get_charset()
        return _Bytes(self.prebuilt)


@dataclass(frozen=True)
class _Bytes:
    data: bytes

    def as_bytes(self, linesep: str = "\n") -> bytes:
        return self.data.replace(b"\r\n", linesep.encode())

    def get_charset(self) -> None:
        return None
