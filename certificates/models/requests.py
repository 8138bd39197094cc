from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from certificates.models.keys import RequestKeySource, StoredKey


class RequestState(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    CSR_READY = "csr_ready", _("CSR ready")
    SUBMITTED = "submitted", _("Submitted to CA")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


# The state table (the README shows it): the only transitions that exist. A request for an
# address in a domain that requires approval starts awaiting it; approving makes it csr_ready
# (nothing reaches the CA or gets issued before that), and it can still be rejected or
# cancelled.
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestState.CSR_READY: frozenset({RequestState.AWAITING_APPROVAL}),
    RequestState.SUBMITTED: frozenset({RequestState.CSR_READY}),
    RequestState.ISSUED: frozenset({RequestState.CSR_READY, RequestState.SUBMITTED}),
    RequestState.CANCELLED: frozenset(
        {RequestState.AWAITING_APPROVAL, RequestState.CSR_READY, RequestState.SUBMITTED}
    ),
    RequestState.REJECTED: frozenset(
        {RequestState.AWAITING_APPROVAL, RequestState.CSR_READY, RequestState.SUBMITTED}
    ),
}
# Requests still on their way; the rest are final.
OPEN_STATES = (RequestState.AWAITING_APPROVAL, RequestState.CSR_READY, RequestState.SUBMITTED)


class CertificateRequest(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificate_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    email = models.CharField(
        max_length=254, help_text="Stored as written; matched case-insensitively"
    )
    subject = models.JSONField(default=dict)
    key_source = models.CharField(max_length=16, choices=RequestKeySource.choices)
    key_type = models.CharField(max_length=16)
    stored_key = models.ForeignKey(
        StoredKey, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    csr_pem = models.TextField()
    spki_sha256 = models.CharField(max_length=64)
    state = models.CharField(
        max_length=24, choices=RequestState.choices, default=RequestState.CSR_READY, db_index=True
    )
    ca_name = models.CharField(max_length=200, blank=True)
    order_ref = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was marked as sent to the CA"
    )
    reject_reason = models.TextField(blank=True)
    renewal_of = models.ForeignKey(
        "certificates.Certificate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewals",
    )
    warnings = models.JSONField(default=list)
    hidden_by_owner = models.BooleanField(
        default=False, help_text="Left out of the owner's list on My certificates"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Request #{self.pk} for {self.email} ({self.state})"
