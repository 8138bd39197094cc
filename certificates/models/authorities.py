from django.db import models
from django.utils.translation import gettext_lazy as _

from certificates.pki.subject import ValidationProfile


class Profile(models.TextChoices):
    """What the CA validates about the subject (S/MIME Baseline Requirements): the product
    decides which subject fields a request asks for (pki.subject.PROFILE_FIELDS)."""

    MAILBOX = ValidationProfile.MAILBOX.value, _("Mailbox-validated (the address only)")
    INDIVIDUAL = ValidationProfile.INDIVIDUAL.value, _("Individual-validated (the person's name)")
    ORGANIZATION = ValidationProfile.ORGANIZATION.value, _("Organization-validated")
    SPONSOR = ValidationProfile.SPONSOR.value, _("Sponsor-validated (organization and person)")


class CertificateAuthority(models.Model):
    """A CA the organisation orders certificates from, and how an employee sends it a CSR.

    Each managed domain names at most one CA (``Domain.certificate_authority``): a request's
    address leads to its CA, and the CA's profile to the subject fields the form asks for.
    """

    name = models.CharField(max_length=200, unique=True)
    product = models.CharField(
        max_length=200, blank=True, help_text="The CA's name for what to order, if it has one"
    )
    profile = models.CharField(max_length=16, choices=Profile.choices, default=Profile.MAILBOX)
    submit_url = models.URLField(blank=True, help_text="Where employees send the CSR")
    instructions = models.CharField(
        blank=True, max_length=1000, help_text="How to send it, in a sentence or two"
    )
    caa_issuemail = models.CharField(
        max_length=253,
        blank=True,
        help_text="The domain this CA names in CAA issuemail records (RFC 9495), e.g. sectigo.com",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "certificate authority"
        verbose_name_plural = "certificate authorities"

    def __str__(self) -> str:
        return self.name

    @property
    def validation_profile(self) -> ValidationProfile:
        return ValidationProfile(self.profile)
