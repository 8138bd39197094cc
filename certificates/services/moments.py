"""Times callers give as filters, made into what the database compares."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC: without a zone it is UTC already; with one it is converted, since
    PostgreSQL takes offsets only up to ±15:59 where ISO 8601 (and Python) allow ±23:59. A
    moment outside the years 1-9999 once in UTC becomes the nearer end of them, which filters
    the same rows."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        end = datetime.max if moment.year > 1 else datetime.min
        return end.replace(tzinfo=UTC)
