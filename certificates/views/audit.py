"""The audit page (certificate admins): every recorded action, filtered and paginated."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from certificates.forms import AuditFilterForm
from certificates.services import audit
from certificates.services.errors import Forbidden

PAGE_SIZE = 50


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        events = audit.search(
            request.user,
            actor=filters.get("actor") or "",
            action=filters.get("action") or "",
            object_type=filters.get("object_type") or "",
            object_id=filters.get("object_id") or "",
        )
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "certificates/audit.html", context)
