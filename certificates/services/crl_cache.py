"""CRLs shared by every worker: fetched once per URL until nextUpdate, kept in the database.

A sweep split into many batches (and workers) reads each CRL once: the first batch that needs
a URL claims it with a conditional UPDATE (a lease), fetches and stores it; the others wait for
that row instead of downloading 20 MB again. A failed fetch is remembered for a while too, so
one sweep does not hammer a broken URL batch after batch.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from cryptography import x509
from django.db.models import Q
from django.utils import timezone

from certificates.models import CrlCache
from certificates.pki import crl
from certificates.pki.errors import PkiError
from certificates.services import outbound

LEASE = timedelta(seconds=90)  # longer than a fetch may take (FETCH_TIMEOUT)
FETCH_TIMEOUT = 60.0
LIFETIME_WITHOUT_NEXT_UPDATE = timedelta(hours=1)
# How long a failure answers for the URL before someone tries again.
REMEMBER_FAILURE = timedelta(minutes=15)
REMEMBER_TRANSIENT_FAILURE = timedelta(minutes=1)
_POLL_SECONDS = 0.5


class CrlUnavailable(Exception):
    def __init__(self, reason: str, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def load(url: str, issuer: x509.Certificate, now: datetime) -> tuple[crl.CrlIndex, bool]:
    """The current CRL at ``url``, checked against ``issuer``, and whether this call
    downloaded it. CrlUnavailable says why there is none."""
    waited_until = time.monotonic() + LEASE.total_seconds()
    while True:
        row = CrlCache.objects.filter(url=url).first()
        if row is not None and row.der is not None and row.valid_until and row.valid_until > now:
            return _read(bytes(row.der), issuer, url, now), False
        if row is not None and _failure_remembered(row):
            raise CrlUnavailable(row.error, row.transient)
        if _claim(url):
            return _fetch(url, issuer, now), True
        if time.monotonic() > waited_until:
            raise CrlUnavailable(
                f"Another worker has been fetching the CRL at {url} for too long.", True
            )
        time.sleep(_POLL_SECONDS)


def _read(der: bytes, issuer: x509.Certificate, url: str, now: datetime) -> crl.CrlIndex:
    try:
        return crl.load_crl(der, issuer=issuer, url=url, now=now)
    except PkiError as exc:
        raise CrlUnavailable(exc.message, False) from exc


def _failure_remembered(row: CrlCache) -> bool:
    if not row.error or row.attempted_at is None:
        return False
    memory = REMEMBER_TRANSIENT_FAILURE if row.transient else REMEMBER_FAILURE
    return row.attempted_at > timezone.now() - memory


def _claim(url: str) -> bool:
    """True for exactly one worker until its lease runs out."""
    CrlCache.objects.get_or_create(url=url)
    wall = timezone.now()
    free = Q(fetching_until__isnull=True) | Q(fetching_until__lt=wall)
    return bool(CrlCache.objects.filter(free, url=url).update(fetching_until=wall + LEASE))


def _fetch(url: str, issuer: x509.Certificate, now: datetime) -> crl.CrlIndex:
    try:
        answer = outbound.fetch(
            url,
            max_bytes=crl.MAX_CRL_BYTES,
            timeout=FETCH_TIMEOUT,
            accept="application/pkix-crl",
        )
        index = crl.load_crl(answer.body, issuer=issuer, url=url, now=now)
    except outbound.FetchError as exc:
        _remember_failure(url, exc.reason, exc.transient)
        raise CrlUnavailable(exc.reason, exc.transient) from exc
    except PkiError as exc:
        _remember_failure(url, exc.message, False)
        raise CrlUnavailable(exc.message, False) from exc
    wall = timezone.now()
    CrlCache.objects.filter(url=url).update(
        der=answer.body,
        this_update=index.this_update,
        next_update=index.next_update,
        valid_until=index.next_update or wall + LIFETIME_WITHOUT_NEXT_UPDATE,
        fetched_at=wall,
        attempted_at=wall,
        error="",
        transient=False,
        fetching_until=None,
    )
    return index


def _remember_failure(url: str, reason: str, transient: bool) -> None:
    # The CRL stored before, if any, is past its validity (else nobody would fetch): drop it.
    CrlCache.objects.filter(url=url).update(
        der=None,
        attempted_at=timezone.now(),
        error=reason,
        transient=transient,
        fetching_until=None,
    )


def drop_expired(now: datetime) -> int:
    """Free the space of CRLs no longer current (a sweep calls this)."""
    return CrlCache.objects.filter(valid_until__lt=now).exclude(der=None).update(der=None)
