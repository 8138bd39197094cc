"""The certificates table (admins): search, filters, sorting, pages and the CSV of exactly
what the filters find. The API's list and export run the same search."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from certificates.manage_forms import CertificateFilterForm
from certificates.responses import streamed_csv
from certificates.services import certificate_lists, csv_exports
from certificates.services.actor import signed_in_user
from certificates.services.certificate_lists import Sort
from certificates.views.shell import admin_required

PAGE_SIZE = 50


@admin_required
def certificate_list(request: HttpRequest) -> HttpResponse:
    form = CertificateFilterForm(request.GET)
    if not form.is_valid():
        return _render(request, form, None, status=400)
    rows = certificate_lists.search(signed_in_user(request), **form.search_filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, form, page)


@admin_required
def certificate_export(request: HttpRequest) -> HttpResponseBase:
    form = CertificateFilterForm(request.GET)
    if not form.is_valid():
        return _render(request, form, None, status=400)
    lines = csv_exports.certificates_csv(signed_in_user(request), **form.search_filters())
    return streamed_csv(lines, "certificates.csv")


def _render(
    request: HttpRequest, form: CertificateFilterForm, page: object, status: int = 200
) -> HttpResponse:
    sort = (form.cleaned_data.get("sort") if form.is_bound else None) or Sort.NEWEST
    context = {"form": form, "page": page, "sort": sort}
    return render(request, "certificates/certificate_list.html", context, status=status)
