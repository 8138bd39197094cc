"""Final actions ask first, without JavaScript: their form's first POST answers with a page
that repeats what will happen and posts the same fields again with ``confirmed=yes``."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "yes"


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    consequence: str,
    confirm_label: str,
    back: str,
    back_label: str,
    carry: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The question, the action's button (posting ``carry`` again to the same address) and a
    way back that changes nothing."""
    return render(
        request,
        "certificates/confirm.html",
        {
            "title": title,
            "consequence": consequence,
            "confirm_label": confirm_label,
            "action": request.path,
            "back": back,
            "back_label": back_label,
            "carry": sorted((carry or {}).items()),
        },
    )
