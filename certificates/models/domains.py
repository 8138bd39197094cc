from typing import Any

from django.db import models

from certificates.pki.emails import normalise_domain


def normalise_name(name: str) -> str:
    """The stored form of a domain name: no surrounding spaces, no final dot, normalised like
    the domain of every address (pki.emails: lower case, IDNA A-labels). Raises PkiError for a
    name IDNA refuses."""
    return normalise_domain(name.strip().rstrip("."))


class Domain(models.Model):
    """A mail domain the organisation manages; requests are only for addresses in one."""

    name = models.CharField(max_length=253, unique=True, help_text="Lower case, e.g. example.com")
    # Publishing uses these; the foundation only stores them.
    base_url = models.URLField(
        blank=True, help_text="Public base URL serving /.well-known/smime/ (default https://NAME)"
    )
    dns_ttl = models.PositiveIntegerField(default=3600)
    dnssec_signed = models.BooleanField(
        default=False, help_text="SMIMEA records are offered only for DNSSEC-signed zones."
    )
    certificate_authority = models.ForeignKey(
        "certificates.CertificateAuthority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="domains",
        help_text="The CA the organisation orders this domain's certificates from",
    )
    requires_approval = models.BooleanField(
        default=False,
        help_text="New requests for addresses here wait for a certificate admin's approval "
        "before they can go to the CA.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = normalise_name(self.name)
        super().save(*args, **kwargs)
