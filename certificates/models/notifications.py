from django.db import models

from certificates.models.audit import AuditEvent


class Notification(models.Model):
    """A mail the portal owes or has sent; the database, not the broker, remembers it.

    ``key`` makes each notice unique. A worker claims a notice by setting ``claimed_at`` with a
    conditional UPDATE and sets ``sent_at`` only after the mail server took the message; a claim
    older than the lease (a worker killed mid-send) lets the periodic sweep send it again.
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=64)
    recipient = models.CharField(max_length=254)
    event = models.ForeignKey(
        AuditEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}"
