"""Lists of certificates, each through the viewer's access: the one filtered search behind the
admin table, the API's list and the CSV exports, and what the home page asks people to act on.
They read the stored status (services.status keeps it true)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.models import Certificate, CertificateRequest
from certificates.models.certificates import CertificateStatus
from certificates.models.domains import normalise_name
from certificates.models.requests import OPEN_STATES, RequestState
from certificates.pki.errors import PkiError
from certificates.pki.revocation import RevocationStatus
from certificates.services.access import visible_certificates
from certificates.services.errors import Invalid
from certificates.services.moments import as_utc

ENDING = (CertificateStatus.EXPIRING, CertificateStatus.EXPIRED)
# A renewal that was cancelled or rejected renews nothing.
RENEWING = (*OPEN_STATES, RequestState.ISSUED)


# Results of the last revocation check as filters: the statuses a check stores
# (pki.revocation.RevocationStatus; a declared revocation stores "revoked" too), and
# ``unchecked`` for certificates not checked yet, whose stored revocation_status is empty.
# (django-stubs types TextChoices' functional form without labels, which Django accepts.)
RevocationFilter = models.TextChoices(  # type: ignore[call-overload]
    "RevocationFilter",
    [(status.name, (status.value, status.value.capitalize())) for status in RevocationStatus]
    + [("UNCHECKED", ("unchecked", "Not checked yet"))],
    module=__name__,
)


class Sort(models.TextChoices):
    """?sort= values; a leading "-" sorts descending."""

    NEWEST = "-created_at", gettext_lazy("Newest first")
    OLDEST = "created_at", gettext_lazy("Oldest first")
    ENDING_FIRST = "not_after", gettext_lazy("Ending first")
    ENDING_LAST = "-not_after", gettext_lazy("Ending last")
    EMAIL = "email", gettext_lazy("Address A-Z")
    EMAIL_DESC = "-email", gettext_lazy("Address Z-A")
    OWNER = "owner", gettext_lazy("Owner A-Z")
    OWNER_DESC = "-owner", gettext_lazy("Owner Z-A")
    STATUS = "status", gettext_lazy("Status A-Z")
    STATUS_DESC = "-status", gettext_lazy("Status Z-A")
    ISSUER = "issuer", gettext_lazy("Issuer A-Z")
    ISSUER_DESC = "-issuer", gettext_lazy("Issuer Z-A")
    KEY_SOURCE = "key_source", gettext_lazy("Key source A-Z")
    KEY_SOURCE_DESC = "-key_source", gettext_lazy("Key source Z-A")


# The column each sort key orders by (when it is not the key itself).
_SORT_COLUMNS = {"owner": "owner__username"}
MAX_WITHIN_DAYS = 3650
# The columns lists never show: the certificate and its chain stay in the database.
HEAVY_FIELDS = ("der", "chain_pem")
_HEX = re.compile(r"[0-9a-f]{4,}")


def search(
    viewer: User,
    *,
    q: str | None = None,
    status: str | None = None,
    domain: str | None = None,
    issuer: str | None = None,
    key_source: str | None = None,
    expiring_within: int | None = None,
    revocation: str | None = None,
    expires_before: datetime | None = None,
    email: str | None = None,
    sort: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Certificate]:
    """The certificates ``viewer`` may see, filtered and sorted (newest first by default).

    ``q`` finds a name or address (in the subject, the address, the owner's account), or a
    serial number or SHA-256 fingerprint by its first hex digits (colons and spaces ignored).
    ``expiring_within`` keeps those whose end is in the next so many days; a date without a
    zone is UTC. Every filter is optional; empty ones are ignored.
    """
    rows = visible_certificates(viewer).defer(*HEAVY_FIELDS)
    if q and q.strip():
        rows = rows.filter(_matching(q.strip()))
    if status:
        rows = rows.filter(status=status)
    if domain and domain.strip():
        try:
            rows = rows.filter(email_domain=normalise_name(domain))
        except PkiError as exc:
            raise Invalid(exc.message) from exc
    if issuer and issuer.strip():
        rows = rows.filter(issuer__icontains=issuer.strip())
    if key_source:
        rows = rows.filter(key_source=key_source)
    if expiring_within is not None:
        now = now or timezone.now()
        rows = rows.filter(not_after__gte=now, not_after__lt=now + timedelta(days=expiring_within))
    if revocation:
        if revocation not in RevocationFilter.values:
            raise Invalid(
                _("revocation must be one of %(names)s.")
                % {"names": ", ".join(RevocationFilter.values)}
            )
        stored = "" if revocation == RevocationFilter.UNCHECKED else revocation
        rows = rows.filter(revocation_status=stored)
    if expires_before is not None:
        rows = rows.filter(not_after__lt=as_utc(expires_before))
    if email and email.strip():
        rows = rows.filter(email__iexact=email.strip())
    return rows.order_by(*ordering(sort or Sort.NEWEST))


def _matching(term: str) -> Q:
    found = Q(email__icontains=term) | Q(subject__icontains=term) | Q(owner__username__iexact=term)
    digits = re.sub(r"[\s:]", "", term).lower()
    if _HEX.fullmatch(digits):
        found |= Q(serial_hex__startswith=digits) | Q(sha256_fingerprint__startswith=digits)
    return found


def ordering(sort: str) -> tuple[str, str]:
    """ORDER BY for a ?sort= key; the id breaks ties so pages never overlap."""
    if sort not in Sort.values:
        raise Invalid(_("sort must be one of %(names)s.") % {"names": ", ".join(Sort.values)})
    sign, key = ("-", sort[1:]) if sort.startswith("-") else ("", sort)
    return f"{sign}{_SORT_COLUMNS.get(key, key)}", f"{sign}id"


if TYPE_CHECKING:  # a type for the checker only: it cannot be built at run time
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _Renewing(TypedDict):
        renewing: bool

    CertificateWithRenewal = WithAnnotations[Certificate, _Renewing]


def awaiting_renewal(viewer: User) -> QuerySet[CertificateWithRenewal]:
    """``viewer``'s own certificates that are expiring or expired and have no renewal that
    was issued or is still open: the person has something to do."""
    return (
        with_renewal_flag(Certificate.objects.filter(owner=viewer, status__in=ENDING))
        .filter(renewing=False)
        .order_by("not_after")
    )


def with_renewal_flag(rows: QuerySet[Certificate]) -> QuerySet[CertificateWithRenewal]:
    """``rows`` with ``renewing``: whether a renewal was issued or is still open."""
    renewing = CertificateRequest.objects.filter(renewal_of=OuterRef("pk"), state__in=RENEWING)
    return rows.annotate(renewing=Exists(renewing))
