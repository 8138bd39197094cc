"""Certificate authorities (admins): the list with a form to add one, a page to change one,
and removal. Every change goes through services.authorities (checked and audited)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from certificates.manage_forms import AuthorityForm
from certificates.models import CertificateAuthority
from certificates.services import authorities
from certificates.services.actor import signed_in_user
from certificates.services.errors import NotFound, ServiceError
from certificates.views.shell import admin_required, post_only, web_actor


@admin_required
def authority_list(request: HttpRequest) -> HttpResponse:
    form = AuthorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = authorities.add(web_actor(request), **form.service_fields())
        except ServiceError as exc:
            return _render_list(request, form, error=exc.detail, status=exc.status)
        messages.success(request, _("%(name)s is recorded.") % {"name": added.name})
        return redirect("authority-list")
    return _render_list(request, form, status=400 if form.is_bound else 200)


def _render_list(
    request: HttpRequest, form: AuthorityForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "authorities": authorities.listed(signed_in_user(request)),
        "error": error,
    }
    return render(request, "certificates/authorities.html", context, status=status)


@admin_required
def authority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    authority = _authority_or_404(request, pk)
    form = AuthorityForm(request.POST or None, instance=authority)
    if request.method == "POST" and form.is_valid():
        try:
            authorities.change(web_actor(request), authority, **form.service_fields())
        except ServiceError as exc:
            return _render_edit(request, form, authority, error=exc.detail, status=exc.status)
        messages.success(request, _("%(name)s is saved.") % {"name": authority.name})
        return redirect("authority-list")
    return _render_edit(request, form, authority, status=400 if form.is_bound else 200)


def _render_edit(
    request: HttpRequest,
    form: AuthorityForm,
    authority: CertificateAuthority,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "authority": authority, "error": error}
    return render(request, "certificates/authority_edit.html", context, status=status)


def authority_page(request: HttpRequest, pk: int) -> str:
    return reverse("authority-edit", args=[_authority_or_404(request, pk).pk])


@admin_required
@post_only(authority_page)
def authority_delete(request: HttpRequest, pk: int) -> HttpResponse:
    authority = _authority_or_404(request, pk)
    authorities.remove(web_actor(request), authority)
    messages.success(
        request,
        _("%(name)s is removed; its domains name no CA now.") % {"name": authority.name},
    )
    return redirect("authority-list")


def _authority_or_404(request: HttpRequest, pk: int) -> CertificateAuthority:
    try:
        return authorities.get(signed_in_user(request), pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
