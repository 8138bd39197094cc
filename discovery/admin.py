"""Django admin: domain publishing settings (saved through the service, so audited and the TSIG
secret encrypted) and a read-only list of publications with a withdraw action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.admin.base import ReadOnlyAdmin, ServiceAddForm, admin_actor
from certificates.services.actor import Actor
from discovery.forms import DomainPublishingForm
from discovery.models import DomainPublishing, Publication
from discovery.services import domains, publishing


class AdminDomainPublishingForm(ServiceAddForm, DomainPublishingForm):
    """Saved by the service at the end of validation, so a refusal shows on the form."""

    class Meta(DomainPublishingForm.Meta):
        fields = ["domain", *DomainPublishingForm.Meta.fields]

    def create(self, actor: Actor) -> Model:
        """Adding and changing both update the domain's one settings row; without a domain
        there is no row to update and the instance stays as it is."""
        unchanged: DomainPublishing = self.instance
        domain = self.cleaned_data.get("domain") or getattr(unchanged, "domain", None)
        if domain is None:
            return unchanged
        return domains.update(actor, domain, self.changes())


@admin.register(DomainPublishing)
class DomainPublishingAdmin(admin.ModelAdmin[DomainPublishing]):
    form = AdminDomainPublishingForm
    list_display = ["domain", "smimea_forms", "lowercase_owner", "update_server", "last_push_ok"]
    readonly_fields = ["last_push_at", "last_push_ok", "last_push_detail"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: DomainPublishing | None = None
    ) -> list[str]:
        return ["domain", *self.readonly_fields] if obj is not None else [*self.readonly_fields]

    def get_form(
        self,
        request: HttpRequest,
        obj: DomainPublishing | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[DomainPublishing]]:
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, AdminDomainPublishingForm):
            form.actor = admin_actor(request)
        return form

    def save_model(
        self,
        request: HttpRequest,
        obj: DomainPublishing,
        form: forms.ModelForm[DomainPublishing],
        change: bool,
    ) -> None:
        """Saved by domains.update during validation."""

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin[Publication]):
    list_display = ["lookup_name", "domain", "certificate", "dns_state", "published_at"]
    list_filter = ["domain", "dns_state"]
    search_fields = ["lookup_name", "certificate__email"]
    actions = ["withdraw"]

    @admin.action(description=gettext_lazy("Withdraw the selected publications"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Publication]) -> None:
        actor = admin_actor(request)
        count = sum(
            publishing.withdraw(actor, p.certificate, "withdrawn by an admin")
            for p in queryset.select_related("certificate")
        )
        self.message_user(request, _("%(count)s withdrawn.") % {"count": count}, messages.SUCCESS)
