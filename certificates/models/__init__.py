from certificates.models.audit import AuditEvent
from certificates.models.authorities import CertificateAuthority
from certificates.models.browser_keys import EncryptedKeyCopy
from certificates.models.certificates import Certificate, TrustAnchor
from certificates.models.domains import Domain
from certificates.models.keys import StoredKey
from certificates.models.logins import LoginFailure
from certificates.models.notifications import Notification
from certificates.models.requests import CertificateRequest
from certificates.models.revocation import CrlCache, RevocationCheck
from certificates.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Certificate",
    "CertificateAuthority",
    "CertificateRequest",
    "CrlCache",
    "Domain",
    "EncryptedKeyCopy",
    "LoginFailure",
    "Notification",
    "RevocationCheck",
    "StoredKey",
    "TrustAnchor",
]
