from django.conf import settings
from django.db import models


class AuditObject(models.TextChoices):
    """What an event can be about: the model names of the audited rows."""

    REQUEST = "certificaterequest", "Request"
    CERTIFICATE = "certificate", "Certificate"
    STORED_KEY = "storedkey", "Stored key"
    API_TOKEN = "apitoken", "API token"
    DOMAIN = "domain", "Domain"
    TRUST_ANCHOR = "trustanchor", "Trust anchor"
    USER = "user", "User account"
    CERTIFICATE_AUTHORITY = "certificateauthority", "Certificate authority"


class AuditEvent(models.Model):
    """Who did what to which object, when and from where. Details never hold secrets."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Username at the time, or 'system'")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True, choices=AuditObject.choices)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )
