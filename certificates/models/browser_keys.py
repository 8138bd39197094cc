from django.conf import settings
from django.db import models


class EncryptedKeyCopy(models.Model):
    """The owner's optional server copy of a key made in their browser: the encrypted PKCS#8
    ("ENCRYPTED PRIVATE KEY") the page made with the owner's key passphrase. The portal never
    has that passphrase, so it stores and returns the text without being able to open it."""

    request = models.OneToOneField(
        "certificates.CertificateRequest", on_delete=models.CASCADE, related_name="key_copy"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    spki_sha256 = models.CharField(
        max_length=64, db_index=True, help_text="The request's public key; the copy is its key"
    )
    pem = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"encrypted key copy {self.spki_sha256[:16]}…"
