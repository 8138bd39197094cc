from django.db import models


class Notification(models.Model):
    """A mail the portal owes or has sent. ``key`` makes each notice unique, so a retried or
    duplicated task never mails twice (claimed by a conditional UPDATE on ``sent_at``)."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=64)
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}"
