"""The audit page (certificate admins): every recorded action, filtered, paginated and
exported as CSV."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from certificates.manage_forms import AuditFilterForm
from certificates.responses import streamed_csv
from certificates.services import audit, csv_exports
from certificates.services.actor import signed_in_user
from certificates.views.shell import admin_required

PAGE_SIZE = 50


@admin_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "certificates/audit.html", {"form": form}, status=400)
    events = audit.search(signed_in_user(request), **form.search_filters())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certificates/audit.html", {"form": form, "page": page})


@admin_required
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "certificates/audit.html", {"form": form}, status=400)
    return streamed_csv(
        csv_exports.audit_csv(signed_in_user(request), **form.search_filters()), "audit.csv"
    )
