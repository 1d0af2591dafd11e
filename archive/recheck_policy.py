"""When to fetch a known article again: often while it is young, less as it ages, then never.

The default schedule (``RECHECK_SCHEDULE``: pairs of *age under, hours* → *every, minutes*):
every 15 min under 3 h old, 30 min under a day, 2 h under a week, daily under 30 days,
weekly under 90 days, then never. An article's age counts from its publication time (else
from when it was first seen). An article the site has unpublished (``unpublished``) is never
re-checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

DEFAULT_RECHECK_SCHEDULE: tuple[tuple[float, float], ...] = (
    (3, 15),
    (24, 30),
    (24 * 7, 120),
    (24 * 30, 24 * 60),
    (24 * 90, 7 * 24 * 60),
)


def aware(value: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


GONE = 410
MISSING = 404


def unpublished(status: int, missing_before: bool) -> bool:
    """An article its site has taken down: 410 Gone says so at once; a 404 may be a passing
    fault (a deploy, a cache), so it takes a second one in a row. It is never re-checked again
    (its versions stay in the archive)."""
    return status == GONE or (status == MISSING and missing_before)


def next_check(born: datetime, now: datetime, schedule: Sequence[Sequence[float]] = DEFAULT_RECHECK_SCHEDULE):
    """The time of the next re-check of an article born at ``born``, or None for never."""
    age = aware(now) - aware(born)
    for max_age_hours, every_minutes in schedule:
        if age < timedelta(hours=max_age_hours):
            return aware(now) + timedelta(minutes=every_minutes)
    return None
