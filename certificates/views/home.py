"""My certificates: a person's certificates and requests, each with what to do next. Certificate
admins find the organisation's figures on the dashboard."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from certificates import extensions
from certificates.services import certificate_lists, next_steps
from certificates.services.actor import signed_in_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    now = timezone.now()
    show_hidden = request.GET.get("requests") == "hidden"
    context: dict[str, object] = {
        "rows": next_steps.my_certificates(user, now),
        "requests": next_steps.my_requests(user, now, hidden=show_hidden),
        "show_hidden": show_hidden,
        "hidden_count": next_steps.hidden_count(user),
        "expiring": certificate_lists.awaiting_renewal(user),
        "expiring_days": settings.EXPIRING_DAYS,
        "action_templates": extensions.CERTIFICATE_ACTION_TEMPLATES,
    }
    return render(request, "certificates/home.html", context)
