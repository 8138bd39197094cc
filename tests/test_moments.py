"""Filter times become UTC for the database, whatever offset they came with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from certificates.services.moments import as_utc


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (datetime(2026, 5, 1, 12, 0), datetime(2026, 5, 1, 12, 0, tzinfo=UTC)),
        (
            datetime(2026, 5, 1, 5, 0, tzinfo=timezone(timedelta(hours=-18, minutes=-32))),
            datetime(2026, 5, 1, 23, 32, tzinfo=UTC),
        ),
        (
            datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-18))),
            datetime.max.replace(tzinfo=UTC),
        ),
        (
            datetime(1, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=23))),
            datetime.min.replace(tzinfo=UTC),
        ),
    ],
)
def test_times_become_utc_and_past_the_calendar_its_ends(
    given: datetime, expected: datetime
) -> None:
    moment = as_utc(given)
    assert moment == expected
    assert moment.utcoffset() == timedelta(0)
