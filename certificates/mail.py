"""The one place that sends mail: subject, text and HTML rendered from one template family."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send(template: str, to: str, context: dict[str, Any]) -> None:
    """Render ``emails/TEMPLATE.subject.txt``, ``.txt`` and ``.html`` and send them to ``to``."""
    context = {"base_url": settings.PORTAL_BASE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}.subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
