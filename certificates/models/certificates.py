from django.conf import settings
from django.db import models

from certificates.models.keys import KeySource, StoredKey


class ChainVerdict(models.TextChoices):
    TRUSTED = "trusted", "Trusted"
    UNTRUSTED_ROOT = "untrusted-root", "Untrusted root"
    INVALID = "invalid", "Invalid"


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    SUPERSEDED = "superseded", "Superseded"


class KeyUsage(models.TextChoices):
    SIGNING = "signing", "Signing"
    ENCRYPTION = "encryption", "Encryption"
    BOTH = "both", "Signing and encryption"


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
    der = models.BinaryField(editable=False)
    chain_pem = models.TextField(blank=True, help_text="Issuer first, then upwards")
    serial_hex = models.CharField(max_length=64)
    # Text, not varchar: a subject with many attributes runs to thousands of characters.
    issuer = models.TextField()
    subject = models.TextField()
    emails = models.JSONField(default=list)
    key_usage = models.CharField(max_length=16, choices=KeyUsage.choices)
    key_type = models.CharField(max_length=16)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField(db_index=True)
    sha256_fingerprint = models.CharField(max_length=64, db_index=True)
    spki_sha256 = models.CharField(max_length=64, db_index=True)
    ocsp_urls = models.JSONField(default=list)
    crl_urls = models.JSONField(default=list)
    ca_issuers_urls = models.JSONField(default=list)
    chain_verdict = models.CharField(max_length=16, choices=ChainVerdict.choices)
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
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} ({self.serial_hex[:16]}, {self.status})"
