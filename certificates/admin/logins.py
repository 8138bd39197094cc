"""The wrong passwords the login limits count, and the admin's way to end a pause early."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.admin.base import (
    CERTIFICATE_ADMINS,
    CertificateAdminRights,
    ReadOnlyAdmin,
    admin_actor,
)
from certificates.models import LoginFailure
from certificates.services import logins


@admin.register(LoginFailure)
class LoginFailureAdmin(CertificateAdminRights, ReadOnlyAdmin[LoginFailure]):
    list_display = ["created_at", "username", "ip"]
    search_fields = ["username", "ip"]
    date_hierarchy = "created_at"
    actions = ["lift_selected"]

    @admin.action(
        description=gettext_lazy("Forgive selected failures (ends the pauses they caused)"),
        permissions=[CERTIFICATE_ADMINS],
    )
    def lift_selected(self, request: HttpRequest, queryset: QuerySet[LoginFailure]) -> None:
        removed = logins.lift(admin_actor(request), queryset)
        self.message_user(
            request, _("%(count)s failures forgiven.") % {"count": removed}, messages.SUCCESS
        )
