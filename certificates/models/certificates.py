from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from certificates.models.domains import normalise_name
from certificates.models.keys import KeySource, StoredKey
from certificates.pki.certinfo import KeyUsage
from certificates.pki.chain import Verdict
from certificates.pki.errors import PkiError

# The values are pki's; the models add the labels people read.
CHAIN_VERDICT_CHOICES = [
    (Verdict.TRUSTED.value, "Trusted"),
    (Verdict.UNTRUSTED_ROOT.value, "Untrusted root"),
    (Verdict.INVALID.value, "Invalid"),
]
KEY_USAGE_CHOICES = [  # KeyUsage.NONE is refused on upload, so never stored
    (KeyUsage.SIGNING.value, "Signing"),
    (KeyUsage.ENCRYPTION.value, "Encryption"),
    (KeyUsage.BOTH.value, "Signing and encryption"),
]


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class TrustAnchor(models.Model):
    """A root an admin trusts; uploaded chains that end here are `trusted`."""

    name = models.CharField(max_length=200, unique=True)
    der = models.BinaryField(editable=False)
    subject = models.CharField(max_length=1000)
    sha256_fingerprint = models.CharField(max_length=64, unique=True)
    not_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    request = models.OneToOneField(
        "certificates.CertificateRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    key_source = models.CharField(max_length=16, choices=KeySource.choices)
    stored_key = models.ForeignKey(
        StoredKey, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    email = models.CharField(
        max_length=254, help_text="The owner's address this certificate is for"
    )
    email_domain = models.CharField(
        max_length=253,
        editable=False,
        help_text="The address's domain in lower case, kept by save() for filters and figures",
    )
    der = models.BinaryField(editable=False)
    chain_pem = models.TextField(blank=True, help_text="Issuer first, then upwards")
    serial_hex = models.CharField(max_length=64)
    # Text, not varchar: a subject with many attributes runs to thousands of characters.
    issuer = models.TextField()
    subject = models.TextField()
    emails = models.JSONField(default=list)
    key_usage = models.CharField(max_length=16, choices=KEY_USAGE_CHOICES)
    key_type = models.CharField(max_length=16)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField(db_index=True)
    sha256_fingerprint = models.CharField(max_length=64, db_index=True)
    spki_sha256 = models.CharField(max_length=64, db_index=True)
    ocsp_urls = models.JSONField(default=list)
    crl_urls = models.JSONField(default=list)
    ca_issuers_urls = models.JSONField(default=list)
    chain_verdict = models.CharField(max_length=16, choices=CHAIN_VERDICT_CHOICES)
    trust_anchor = models.ForeignKey(
        TrustAnchor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chain_reason = models.TextField(blank=True)
    warnings = models.JSONField(default=list)
    status = models.CharField(
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ACTIVE,
        db_index=True,
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Filled by the background revocation checks (a later feature); declared revocations set
    # method "declared".
    revocation_status = models.CharField(max_length=16, blank=True)
    revocation_method = models.CharField(max_length=16, blank=True)
    revocation_checked_at = models.DateTimeField(null=True, blank=True)
    revocation_due_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When revocation is next checked (empty: at the next sweep)",
    )
    next_check_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the status next changes by date alone (services.status keeps it)",
    )
    expiry_notice_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The nearest expiry threshold (days before the end) the owner was mailed for",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "What is due": rows whose next check has come, in the order they came due.
            models.Index(fields=["next_check_at", "status"], name="certificate_due"),
            # The admin table, the API list and the dashboard at 100,000 certificates
            # (bench/admin_views.py): status with its end dates and domains (the expiry
            # timeline, "ending within", live certificates per domain, read from the index
            # alone); revocation results; the latest revocations; the newest first.
            models.Index(
                fields=["status", "not_after", "email_domain"], name="certificate_status_end"
            ),
            models.Index(
                fields=["revocation_status", "status", "not_after"], name="certificate_revocation"
            ),
            models.Index(fields=["status", "revoked_at"], name="certificate_revoked"),
            models.Index(fields=["created_at", "id"], name="certificate_newest"),
            models.Index(fields=["email_domain", "status"], name="certificate_domain"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.serial_hex[:16]}, {self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email_domain = email_domain_of(self.email)
        super().save(*args, **kwargs)


def email_domain_of(address: str) -> str:
    """The address's domain as managed domains are stored (normalise_name); one IDNA refuses,
    which no managed domain can be, is kept lower-cased as written."""
    domain = address.rpartition("@")[2]
    try:
        return normalise_name(domain)
    except PkiError:
        return domain.strip().lower()
