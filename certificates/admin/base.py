"""What the admin classes share: the acting admin, view-only models, service-backed add forms
and actions that ask for a reason first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.services.access import is_admin
from certificates.services.actor import Actor
from certificates.services.errors import ServiceError

# ``@admin.action(permissions=[CERTIFICATE_ADMINS])``: offered to certificate admins only.
CERTIFICATE_ADMINS = "certificate_admin"

_M = TypeVar("_M", bound=Model)


def admin_actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="admin")


class CertificateAdminRights:
    """Staff status opens the admin and Django's model permissions decide what a staff member
    sees; what goes through the services (adding domains and anchors, rejecting, revoking)
    also needs certificate-admin rights, as on the pages and in the API."""

    def has_certificate_admin_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """View only: rows are made and changed by the portal's own flows."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ServiceAddForm(forms.ModelForm[Any]):
    """An add form whose save is a service call: the service validates, creates and audits.

    The call happens at the end of validation, so a refusal is shown on the form with the
    service's sentence; the service writes the row and its audit event in one transaction.
    """

    actor: Actor | None = None

    def create(self, actor: Actor) -> Model:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and self.actor is not None:
            try:
                self.instance = self.create(self.actor)
            except ServiceError as exc:
                raise forms.ValidationError(exc.detail) from exc
        return data

    def validate_unique(self) -> None:
        """The service checks for duplicates and has already saved the row."""


class ServiceAddAdmin(CertificateAdminRights, admin.ModelAdmin[_M]):
    """Uses ``add_form`` (a ServiceAddForm) on the add page, bound to the acting admin; only
    certificate admins with Django's add permission see it."""

    add_form: type[ServiceAddForm]

    def has_add_permission(self, request: HttpRequest) -> bool:
        allowed = super().has_add_permission(request)
        return allowed and self.has_certificate_admin_permission(request)

    def get_form(
        self, request: HttpRequest, obj: _M | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[_M]]:
        if obj is None:
            kwargs["form"] = self.add_form
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, ServiceAddForm):
            form.actor = admin_actor(request)
        return form

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Adding runs without the admin's transaction around the whole form: the service
        parses the upload first and then writes in its own short transaction, whereas the
        admin's would hold SQLite's write lock for every other writer while it parses."""
        if object_id is None:
            # (Django's own method without the transaction; private, so not in django-stubs.)
            added: HttpResponse = self._changeform_view(  # type: ignore[attr-defined]
                request, object_id, form_url, extra_context
            )
            if request.method == "POST" and _shows_errors(added):
                added.status_code = 400  # refused, as on the pages and the API, not 200
            return added
        return super().changeform_view(request, object_id, form_url, extra_context)


def _shows_errors(response: HttpResponse) -> bool:
    """Whether the admin answered with its form again, showing why it refused."""
    context = getattr(response, "context_data", None) or {}
    return bool(context.get("errors"))


def pem_of(der: bytes) -> str:
    if not der:
        return ""
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=200, widget=forms.TextInput(attrs={"size": 60})
    )


def with_reason(
    modeladmin: admin.ModelAdmin[_M],
    request: HttpRequest,
    queryset: QuerySet[_M],
    title: str,
    act: Callable[[_M, str], object],
) -> HttpResponse | None:
    """Ask for a reason on an intermediate page, then apply ``act`` to each selected row."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "opts": modeladmin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/certificates/action_reason.html", context)
    done = 0
    for obj in queryset:
        try:
            act(obj, form.cleaned_data["reason"])
            done += 1
        except ServiceError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.detail}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(count)s done.") % {"count": done}, messages.SUCCESS)
    return None
