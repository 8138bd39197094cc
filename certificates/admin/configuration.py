"""What admins configure: managed mail domains, trust anchors and certificate authorities,
added, changed and removed through the services (so each is checked and audited as on the
API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy, ngettext

from certificates.admin.base import ServiceAddAdmin, ServiceAddForm, admin_actor, pem_of
from certificates.models import CertificateAuthority, Domain, TrustAnchor
from certificates.services import anchors, authorities, domains
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
        fields = [
            "name",
            "base_url",
            "dns_ttl",
            "dnssec_signed",
            "certificate_authority",
            "requires_approval",
        ]

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
            certificate_authority=data["certificate_authority"],
            requires_approval=data["requires_approval"],
        )


@admin.register(Domain)
class DomainAdmin(ServiceAddAdmin[Domain]):
    add_form = DomainAddForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "certificate_authority",
        "requires_approval",
        "base_url",
        "dns_ttl",
        "dnssec_signed",
        "created_at",
    ]
    list_filter = ["requires_approval", "certificate_authority", "dnssec_signed"]
    list_select_related = ["certificate_authority"]
    search_fields = ["name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Domain | None = None) -> list[str]:
        return ["name", "created_at"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Domain, form: forms.ModelForm[Domain], change: bool
    ) -> None:
        if change and form.changed_data:  # publishing settings; the name is read-only
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            domains.change_domain(admin_actor(request), obj, **changes)

    def get_deleted_objects(
        self, objs: Sequence[Domain] | QuerySet[Domain], request: HttpRequest
    ) -> tuple[Any, Any, Any, list[Any]]:
        """Django's confirmation page refuses while anything is "protected": list there why
        a domain cannot go yet."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = [domains.removal_refusal(domain) for domain in objs]
        return deleted, counts, perms_needed, [*protected, *filter(None, refusals)]

    def delete_model(self, request: HttpRequest, obj: Domain) -> None:
        domains.remove_domain(admin_actor(request), obj.name)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Domain]) -> None:
        for domain in queryset:
            self.delete_model(request, domain)


class TrustAnchorAddForm(ServiceAddForm):
    pem_file = forms.FileField(
        label=gettext_lazy("Root certificate file"),
        required=False,
        help_text=gettext_lazy("The CA's root certificate, PEM or DER (.pem .crt .cer)."),
    )
    pem_text = forms.CharField(
        label=gettext_lazy("or paste it (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 70}),
    )

    name = forms.CharField(
        required=False,
        max_length=anchors.MAX_NAME,
        help_text=gettext_lazy("For example 'Sectigo Client Root'. Empty: the root's common name."),
    )

    class Meta:
        model = TrustAnchor
        fields = ["name"]

    def create(self, actor: Actor) -> Model:
        upload = self.cleaned_data.get("pem_file")
        data = b"".join(upload.chunks()) if upload else self.cleaned_data["pem_text"].encode()
        anchor = anchors.add(actor, self.cleaned_data["name"], data)
        self.cleaned_data["name"] = anchor.name  # the form copies it onto the row afterwards
        return anchor


@admin.register(TrustAnchor)
class TrustAnchorAdmin(ServiceAddAdmin[TrustAnchor]):
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
        self,
        request: HttpRequest,
        obj: TrustAnchor,
        form: forms.ModelForm[TrustAnchor],
        change: bool,
    ) -> None:
        """Saved by anchors.add during validation; nothing in an anchor changes afterwards."""
        trusted = anchors.trusting(obj).count()
        if trusted:
            self.message_user(
                request,
                ngettext(
                    "%(count)s stored certificate chain to this root: trusted now.",
                    "%(count)s stored certificates chain to this root: trusted now.",
                    trusted,
                )
                % {"count": trusted},
            )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """One anchor at a time: its page states what removing it does."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        anchor = self.get_object(request, object_id)
        trusted = anchors.trusting(anchor).count() if anchor is not None else 0
        consequence = ngettext(
            "%(count)s stored certificate is trusted through this root. Removing it judges "
            "them again: those that chain to no other trust anchor become 'untrusted root', "
            "with a warning on their pages.",
            "%(count)s stored certificates are trusted through this root. Removing it judges "
            "them again: those that chain to no other trust anchor become 'untrusted root', "
            "with a warning on their pages.",
            trusted,
        ) % {"count": trusted}
        return super().delete_view(request, object_id, {"consequence": consequence})

    def delete_model(self, request: HttpRequest, obj: TrustAnchor) -> None:
        _anchor, untrusted = anchors.remove(admin_actor(request), obj.pk)
        if untrusted:
            ids = ", ".join(f"#{c.pk}" for c in untrusted)
            self.message_user(
                request,
                gettext("Now untrusted root: certificates %(ids)s.") % {"ids": ids},
                messages.WARNING,
            )

    @admin.display(description=gettext_lazy("Certificate (PEM)"))
    def pem(self, obj: TrustAnchor) -> str:
        return pem_of(bytes(obj.der))


class AuthorityForm(ServiceAddForm):
    """Adding and changing both go through services.authorities (checked and audited); which
    domains a CA serves is set on each domain."""

    submit_url = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text=CertificateAuthority._meta.get_field("submit_url").help_text,
    )

    class Meta:
        model = CertificateAuthority
        fields = list(authorities.FIELDS)

    def create(self, actor: Actor) -> Model:
        data = {field: self.cleaned_data[field] for field in authorities.FIELDS}
        if self.instance.pk is None:
            return authorities.add(actor, **data)
        changed = {field: data[field] for field in self.changed_data if field in data}
        return authorities.change(actor, self.instance, **changed)


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ServiceAddAdmin[CertificateAuthority]):
    add_form = AuthorityForm
    form = AuthorityForm
    list_display = ["name", "product", "profile", "submit_url", "caa_issuemail", "served"]
    list_filter = ["profile"]
    search_fields = ["name", "product", "caa_issuemail", "domains__name"]
    readonly_fields = ["served", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CertificateAuthority]:
        return super().get_queryset(request).prefetch_related("domains")

    def has_change_permission(
        self, request: HttpRequest, obj: CertificateAuthority | None = None
    ) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and self.has_certificate_admin_permission(request)

    def has_delete_permission(
        self, request: HttpRequest, obj: CertificateAuthority | None = None
    ) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and self.has_certificate_admin_permission(request)

    @admin.display(description=gettext_lazy("Domains it serves"))
    def served(self, obj: CertificateAuthority) -> str:
        return ", ".join(d.name for d in obj.domains.all()) or "—"

    def save_model(
        self,
        request: HttpRequest,
        obj: CertificateAuthority,
        form: forms.ModelForm[CertificateAuthority],
        change: bool,
    ) -> None:
        """Saved by the service during validation."""

    def delete_model(self, request: HttpRequest, obj: CertificateAuthority) -> None:
        authorities.remove(admin_actor(request), obj)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[CertificateAuthority]
    ) -> None:
        for authority in queryset:
            self.delete_model(request, authority)
