"""What admins configure: managed mail domains and trust anchors, added through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Model
from django.http import HttpRequest

from certificates.admin.base import ServiceAddForm, ServiceAddMixin, admin_actor, pem_of
from certificates.models import Domain, TrustAnchor
from certificates.services import anchors, audit, domains
from certificates.services.actor import Actor
from certificates.services.errors import ServiceError


class DomainAddForm(ServiceAddForm):
    base_url = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text=Domain._meta.get_field("base_url").help_text,
    )

    class Meta:
        model = Domain
        fields = ["name", "base_url", "dns_ttl", "dnssec_signed"]

    def clean_name(self) -> str:
        try:
            return domains.domain_name(self.cleaned_data["name"])
        except ServiceError as exc:
            raise forms.ValidationError(exc.detail) from exc

    def create(self, actor: Actor) -> Model:
        data = self.cleaned_data
        return domains.add_domain(
            actor,
            data["name"],
            base_url=data["base_url"],
            dns_ttl=data["dns_ttl"],
            dnssec_signed=data["dnssec_signed"],
        )


@admin.register(Domain)
class DomainAdmin(ServiceAddMixin, admin.ModelAdmin):
    add_form = DomainAddForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "base_url", "dns_ttl", "dnssec_signed", "created_at"]
    search_fields = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Domain | None = None) -> list[str]:
        return ["name", "created_at"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Domain, form: forms.ModelForm, change: bool
    ) -> None:
        if change:  # publishing settings; the name is read-only
            obj.save()
            audit.record(
                admin_actor(request), "domain.changed", obj, fields=sorted(form.changed_data)
            )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class TrustAnchorAddForm(ServiceAddForm):
    pem_file = forms.FileField(
        label="Root certificate file",
        required=False,
        help_text="The CA's root certificate, PEM or DER (.pem .crt .cer).",
    )
    pem_text = forms.CharField(
        label="or paste it (PEM)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 70}),
    )

    class Meta:
        model = TrustAnchor
        fields = ["name"]

    def create(self, actor: Actor) -> Model:
        upload = self.cleaned_data.get("pem_file")
        data = b"".join(upload.chunks()) if upload else self.cleaned_data["pem_text"].encode()
        return anchors.add(actor, self.cleaned_data["name"], data)


@admin.register(TrustAnchor)
class TrustAnchorAdmin(ServiceAddMixin, admin.ModelAdmin):
    add_form = TrustAnchorAddForm
    list_display = ["name", "subject", "not_after", "sha256_fingerprint", "created_at"]
    search_fields = ["name", "subject", "sha256_fingerprint"]
    readonly_fields = ["name", "subject", "sha256_fingerprint", "not_after", "created_at", "pem"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: TrustAnchor | None = None
    ) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: TrustAnchor | None = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["name", "pem_file", "pem_text"]})]
        return [(None, {"fields": self.readonly_fields})]

    def save_model(
        self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool
    ) -> None:
        """Saved by anchors.add during validation; nothing in an anchor changes afterwards."""

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="Certificate (PEM)")
    def pem(self, obj: TrustAnchor) -> str:
        return pem_of(bytes(obj.der))
