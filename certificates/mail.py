"""The one place that sends mail: subject, text and HTML rendered from one template family.

What each notice says and when it is owed is ``certificates.notices``; this is the seam to the
mail server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string


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
