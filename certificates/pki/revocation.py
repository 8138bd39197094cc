"""What a revocation check finds, shared by the OCSP and CRL readers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509

# Clocks differ: answers a few minutes "from the future" or just past nextUpdate are accepted.
SKEW = timedelta(minutes=5)


class RevocationStatus(StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # never read as good: no answer, an untrusted answer, no URL to ask


class Method(StrEnum):
    OCSP = "ocsp"
    CRL = "crl"


@dataclass(frozen=True)
class Finding:
    status: RevocationStatus
    detail: str  # a sentence for the certificate page and the admins
    method: Method | None = None
    revoked_at: datetime | None = None
    reason: str = ""  # the CA's revocation reason, in words
    next_update: datetime | None = None  # the answer holds until then
    transient: bool = False  # unknown because of a network fault: worth asking again soon


def reason_text(reason: x509.ReasonFlags | None) -> str:
    """'keyCompromise' -> 'key compromise'; no reason given -> 'unspecified'."""
    if reason is None:
        return "unspecified"
    return re.sub(r"(?<!^)([A-Z])", r" \1", reason.value).lower()


def stale(this_update: datetime, next_update: datetime | None, now: datetime) -> str | None:
    """Why an answer issued at this_update, valid until next_update, is not current at now."""
    if this_update > now + SKEW:
        return f"it claims to be issued in the future ({this_update:%Y-%m-%d %H:%M} UTC)"
    if next_update is not None and next_update < now - SKEW:
        return f"it expired at {next_update:%Y-%m-%d %H:%M} UTC (its nextUpdate)"
    return None
