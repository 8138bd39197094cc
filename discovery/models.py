from django.db import models
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate, Domain
from discovery.dnsclient import TSIG_ALGORITHMS


class SmimeaForms(models.TextChoices):
    BOTH = "both", _("Both: 3 0 0 (full certificate) and 3 1 1 (key hash)")
    FULL = "full", _("3 0 0 only (full certificate: senders can encrypt with it)")
    KEY_HASH = "key-hash", _("3 1 1 only (public key hash: pins, cannot be encrypted to)")


class DnsState(models.TextChoices):
    UNKNOWN = "unknown", _("Not checked yet")
    OK = "ok", _("All records found")
    PROBLEM = "problem", _("Records missing or wrong")


class DomainPublishing(models.Model):
    """A managed domain's publishing settings (kept beside certificates.Domain, one to one)."""

    domain = models.OneToOneField(
        Domain, primary_key=True, on_delete=models.CASCADE, related_name="publishing"
    )
    smimea_forms = models.CharField(
        max_length=16,
        choices=SmimeaForms.choices,
        default=SmimeaForms.BOTH,
        help_text="Which SMIMEA records go into the zone (DNSSEC-signed domains only).",
    )
    lowercase_owner = models.BooleanField(
        default=True,
        help_text="The mail system treats local parts case-insensitively: for addresses with "
        "capitals, also publish SMIMEA at the lower-case owner name.",
    )
    caa_issuers = models.CharField(
        max_length=500,
        blank=True,
        help_text="Domains of the CAs allowed to issue S/MIME certificates for this domain "
        "(comma-separated, e.g. sectigo.com), for the suggested CAA issuemail records.",
    )
    update_server = models.CharField(
        max_length=60,
        blank=True,
        help_text="The zone's primary for RFC 2136 updates: an IP address with optional port.",
    )
    tsig_key_name = models.CharField(max_length=253, blank=True)
    tsig_algorithm = models.CharField(
        max_length=16,
        choices=[(a, a) for a in TSIG_ALGORITHMS],
        default=TSIG_ALGORITHMS[0],
    )
    # AES-GCM under KEY_ENCRYPTION_KEY with the domain as associated data (certificates.pki.keywrap)
    tsig_secret = models.BinaryField(blank=True, default=b"", editable=False)
    WRAPPED_FIELDS = ("tsig_secret",)  # certificates.services.keystore.rewrap_all rotates it
    last_push_at = models.DateTimeField(null=True, blank=True)
    last_push_ok = models.BooleanField(null=True, blank=True)
    last_push_detail = models.TextField(blank=True)

    class Meta:
        verbose_name = "domain publishing settings"
        verbose_name_plural = "domain publishing settings"

    def __str__(self) -> str:
        return f"Publishing settings for {self.domain}"

    @property
    def associated_data(self) -> bytes:
        return f"smime-portal:tsig-secret:domain:{self.domain_id}".encode()

    @property
    def can_push(self) -> bool:
        return bool(self.update_server and self.tsig_key_name and self.tsig_secret)


class Publication(models.Model):
    """A certificate published for discovery: served under /.well-known/smime/ and described
    by DNS records. Withdrawing deletes the row; the audit log keeps the history."""

    certificate = models.OneToOneField(
        Certificate, on_delete=models.CASCADE, related_name="publication"
    )
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="publications")
    lookup_name = models.CharField(
        max_length=200, help_text="The file name stem in lower case, as served"
    )
    follow_renewals = models.BooleanField(
        default=True, help_text="Publish this certificate's renewal in its place when issued."
    )
    published_at = models.DateTimeField(auto_now_add=True)
    dns_state = models.CharField(max_length=16, choices=DnsState.choices, default=DnsState.UNKNOWN)
    dns_checks = models.JSONField(default=list)
    dns_checked_at = models.DateTimeField(null=True, blank=True)
    next_dns_check_at = models.DateTimeField(db_index=True)
    push_ok = models.BooleanField(null=True, blank=True)
    push_detail = models.TextField(blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain", "lookup_name"]
        constraints = [
            # first.last and first_last (or Alice and alice) would share one file
            models.UniqueConstraint(fields=["domain", "lookup_name"], name="one_file_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.lookup_name} on {self.domain}"
