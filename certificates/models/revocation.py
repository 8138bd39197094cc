from django.db import models

from certificates.models.certificates import Certificate
from certificates.pki.revocation import Method, RevocationStatus


class RevocationCheck(models.Model):
    """One revocation check of one certificate and what it found: the certificate page's
    history. The newest OCSP answer also serves as that certificate's cache until
    ``next_update``."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="revocation_checks"
    )
    checked_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=[(s.value, s.value) for s in RevocationStatus])
    method = models.CharField(
        max_length=8, blank=True, choices=[(m.value, m.value.upper()) for m in Method]
    )
    detail = models.TextField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    next_update = models.DateTimeField(null=True, blank=True)
    via = models.CharField(max_length=16, help_text="sweep, web, api or command")

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["certificate", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.status} ({self.method or 'no answer'}) at {self.checked_at:%Y-%m-%d %H:%M}"


class CrlCache(models.Model):
    """The last CRL fetched from a URL, shared by every worker until it is no longer current.

    The DER is kept rather than a parsed serial set: it is the smallest faithful form (a set
    with the revocation times and reasons is no smaller), it is re-verified against the
    issuer whenever it is read, so the table holds nothing that must be trusted blindly, and
    reading it back costs about 0.1 s for 100,000 entries. It is dropped once past
    ``valid_until``. ``fetching_until`` is a lease: one worker fetches a URL while the others
    wait for its result instead of downloading the same CRL again."""

    url = models.CharField(max_length=2000, unique=True)
    der = models.BinaryField(null=True, editable=False)
    this_update = models.DateTimeField(null=True)
    next_update = models.DateTimeField(null=True)
    valid_until = models.DateTimeField(null=True)
    fetched_at = models.DateTimeField(null=True)
    attempted_at = models.DateTimeField(null=True)
    error = models.TextField(blank=True, help_text="Why the last attempt gave no usable CRL")
    transient = models.BooleanField(default=False)
    fetching_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.url
