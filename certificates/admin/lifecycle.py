"""The lifecycle's rows, view only: requests, certificates, keys, tokens, audit, notices.

Approving and rejecting requests, declaring certificates revoked and revoking tokens are
actions that call the services, offered to certificate admins only.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.admin.base import (
    CERTIFICATE_ADMINS,
    CertificateAdminRights,
    ReadOnlyAdmin,
    admin_actor,
    pem_of,
    with_reason,
)
from certificates.models import (
    ApiToken,
    AuditEvent,
    Certificate,
    CertificateRequest,
    Notification,
    StoredKey,
)
from certificates.services import issuance, tokens
from certificates.services import requests as request_service
from certificates.services.errors import ServiceError


@admin.register(CertificateRequest)
class CertificateRequestAdmin(CertificateAdminRights, ReadOnlyAdmin[CertificateRequest]):
    list_display = [
        "id",
        "email",
        "owner",
        "state",
        "key_source",
        "key_type",
        "ca_name",
        "created_at",
        "submitted_at",
    ]
    list_filter = ["state", "key_source", "ca_name"]
    list_select_related = ["owner"]
    search_fields = ["email", "owner__username", "order_ref"]
    exclude = ["stored_key"]
    actions = ["approve_selected", "reject_selected"]
    date_hierarchy = "created_at"

    @admin.action(
        description=gettext_lazy("Approve selected requests (those awaiting approval)"),
        permissions=[CERTIFICATE_ADMINS],
    )
    def approve_selected(
        self, request: HttpRequest, queryset: QuerySet[CertificateRequest]
    ) -> None:
        actor = admin_actor(request)
        approved = 0
        for obj in queryset:
            try:
                request_service.approve(actor, obj)
                approved += 1
            except ServiceError as exc:
                self.message_user(request, f"{obj}: {exc.detail}", messages.ERROR)
        if approved:
            self.message_user(
                request, _("%(count)s approved.") % {"count": approved}, messages.SUCCESS
            )

    @admin.action(
        description=gettext_lazy("Reject selected requests"), permissions=[CERTIFICATE_ADMINS]
    )
    def reject_selected(
        self, request: HttpRequest, queryset: QuerySet[CertificateRequest]
    ) -> HttpResponse | None:
        actor = admin_actor(request)
        return with_reason(
            self,
            request,
            queryset,
            _("Reject requests"),
            lambda obj, reason: request_service.reject(actor, obj, reason),
        )


@admin.register(Certificate)
class CertificateAdmin(CertificateAdminRights, ReadOnlyAdmin[Certificate]):
    list_display = [
        "id",
        "email",
        "owner",
        "status",
        "key_usage",
        "key_source",
        "chain_verdict",
        "revocation_status",
        "not_after",
        "serial_hex",
    ]
    list_filter = ["status", "chain_verdict", "key_source", "key_usage", "revocation_status"]
    list_select_related = ["owner"]
    search_fields = ["email", "owner__username", "serial_hex", "sha256_fingerprint"]
    date_hierarchy = "not_after"
    exclude = ["stored_key"]
    readonly_fields = ["pem"]
    actions = ["revoke_selected"]

    @admin.display(description=gettext_lazy("Certificate (PEM)"))
    def pem(self, obj: Certificate) -> str:
        return pem_of(bytes(obj.der))

    @admin.action(
        description=gettext_lazy("Declare selected certificates revoked"),
        permissions=[CERTIFICATE_ADMINS],
    )
    def revoke_selected(
        self, request: HttpRequest, queryset: QuerySet[Certificate]
    ) -> HttpResponse | None:
        actor = admin_actor(request)
        return with_reason(
            self,
            request,
            queryset,
            _("Declare certificates revoked"),
            lambda obj, reason: issuance.declare_revoked(actor, obj, reason),
        )


@admin.register(StoredKey)
class StoredKeyAdmin(ReadOnlyAdmin[StoredKey]):
    """Metadata only: the ciphertext is never displayed."""

    list_display = ["id", "owner", "key_type", "spki_sha256", "created_at"]
    search_fields = ["owner__username", "spki_sha256"]
    fields = readonly_fields = ("id", "owner", "key_type", "spki_sha256", "created_at")


@admin.register(ApiToken)
class ApiTokenAdmin(CertificateAdminRights, ReadOnlyAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "scopes", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    fields = readonly_fields = (
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke_selected"]

    @admin.action(
        description=gettext_lazy("Revoke selected tokens"), permissions=[CERTIFICATE_ADMINS]
    )
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = admin_actor(request)
        for token in queryset:
            try:
                tokens.revoke(actor, token.user, token.pk)
            except ServiceError as exc:
                self.message_user(request, f"{token}: {exc.detail}", messages.ERROR)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = ["created_at", "actor_label", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "action", "object_repr", "object_id"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin[Notification]):
    list_display = ["kind", "recipient", "created_at", "claimed_at", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["recipient", "key"]
