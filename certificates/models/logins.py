from django.db import models
from django.utils import timezone


class LoginFailure(models.Model):
    """A password tried for an account and not accepted (yet): the login limits count these.

    The row is written *before* the password is checked and deleted when it was right, so
    parallel guesses cannot all pass a check that only read the count. Rows older than the
    cool-off are deleted as new ones arrive. The password itself is never stored.
    """

    username = models.CharField(max_length=150, help_text="As typed; the account may not exist")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["username", "created_at"]),
            models.Index(fields=["ip", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} from {self.ip or 'unknown'}"
