from certificates.models.audit import AuditEvent
from certificates.models.authorities import CertificateAuthority
from certificates.models.certificates import Certificate, TrustAnchor
from certificates.models.domains import Domain
from certificates.models.keys import StoredKey
from certificates.models.notifications import Notification
from certificates.models.requests import CertificateRequest
from certificates.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Certificate",
    "CertificateAuthority",
    "CertificateRequest",
    "Domain",
    "Notification",
    "StoredKey",
    "TrustAnchor",
]
