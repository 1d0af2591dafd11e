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


HINT_DECAY = 0.9
"""Each re-fetch a site's dates asked for weighs this much less at the next: recent ones count most."""
HINT_MIN_FOLLOWED = 5.0
"""A site's dates are followed until this many (decayed) re-fetches can judge them…"""
HINT_MIN_CONFIRMED = 0.3
"""…and afterwards while at least this share of them found a change."""


def hint_noted(followed: float, confirmed: float, changed: bool) -> tuple[float, float]:
    """The site's counters after a re-fetch its sitemap ``lastmod`` or feed date asked for."""
    return followed * HINT_DECAY + 1.0, confirmed * HINT_DECAY + (1.0 if changed else 0.0)


HINT_RELIABLE_SHARE = 0.8
"""A site whose announced re-fetches found a change this often announces its edits itself…"""
RELIABLE_HINTS_WAIT = 16.0
"""…and its articles' scheduled re-checks wait this many times longer: a safety net under its dates."""


def hints_reliable(followed: float, confirmed: float) -> bool:
    """Whether a site's dates announce its edits (enough judged re-fetches, nearly all of them
    finding a change), so that scheduled re-checks can be rare."""
    return followed >= HINT_MIN_FOLLOWED and confirmed >= HINT_RELIABLE_SHARE * followed


def hints_trusted(followed: float, confirmed: float) -> bool:
    """Whether a site's moved dates are worth a fetch: a site that stamps every entry with the
    time of the request announces changes that are not there."""
    return followed < HINT_MIN_FOLLOWED or confirmed >= HINT_MIN_CONFIRMED * followed


RECHECK_SHARE = 0.5
"""The share of a round's requests a site's re-checks may take: the rest is for its discovery
pages and new stories."""


def recheck_budget(round_seconds: float, delay_seconds: float, share: float = RECHECK_SHARE) -> int:
    """How many re-checks of one site a round can make within its politeness: the requests its
    delay allows in one round, times ``share``. The most overdue go first; the rest stay due for
    the next round (after an outage, a backlog drains at the site's pace instead of in a burst)."""
    return max(1, int(round_seconds * share / max(delay_seconds, 0.01)))


REFUSED_BACK_OFF_MAX = 8
"""A site that keeps answering 429 or 503 is polled at most this many times less often."""


def round_wait(interval: timedelta, refused_rounds: int) -> timedelta:
    """The wait before a site's next round: the interval, doubled for every round in a row the
    site answered 429 or 503 (down, or asking for less), up to ``REFUSED_BACK_OFF_MAX`` times:
    a site in trouble is slowed, not hammered, and back to its pace after one good round."""
    return interval * min(2**refused_rounds, REFUSED_BACK_OFF_MAX)


ADAPTIVE, FIXED = "adaptive", "fixed"
RECHECK_POLICIES = (ADAPTIVE, FIXED)
"""``RECHECK_POLICY``: ``adaptive`` (``adaptive_next_check``, the default) or ``fixed`` (the ladder alone)."""


class UnknownPolicyError(ValueError):
    """A ``RECHECK_POLICY`` that names no policy."""


def policy_named(name: str | None) -> str:
    """The policy ``RECHECK_POLICY`` names (``adaptive`` when unset)."""
    name = name or ADAPTIVE
    if name not in RECHECK_POLICIES:
        raise UnknownPolicyError(f"RECHECK_POLICY {name!r}: use one of {', '.join(RECHECK_POLICIES)}")
    return name


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


def interval_at(age: timedelta, schedule: Sequence[Sequence[float]] = DEFAULT_RECHECK_SCHEDULE) -> timedelta | None:
    """The fixed ladder's wait between two checks of an article of ``age``; None past its end."""
    for max_age_hours, every_minutes in schedule:
        if age < timedelta(hours=max_age_hours):
            return timedelta(minutes=every_minutes)
    return None


BACK_OFF_START = timedelta(hours=2)
"""Until this age an article is checked on the ladder: most edits come in its first hour."""
QUIET_SHARE = 0.5
"""Past it, the wait is this share of the time the article has stayed unchanged…"""
BACK_OFF_MAX = 4.0
"""…and at most this many times the ladder's wait."""


def adaptive_next_check(
    born: datetime,
    now: datetime,
    last_change: datetime,
    schedule: Sequence[Sequence[float]] = DEFAULT_RECHECK_SCHEDULE,
    reliable_hints: bool = False,
) -> datetime | None:
    """The next check of an article, backing off while it does not change and coming back at
    the ladder's pace after it did: past its first hours, the wait is half the time it has stayed
    unchanged (a story quiet for a day is unlikely to change within the hour), no shorter than
    the ladder's wait at its age and no longer than ``BACK_OFF_MAX`` times it; None when the
    ladder has ended. On a site whose dates announce its edits (``reliable_hints``), the wait is
    ``RELIABLE_HINTS_WAIT`` times longer. Chosen on the simulated newsroom (``make
    simulate-policy``, seed 1, 20 sites, 7 days)."""
    age = aware(now) - aware(born)
    wait = interval_at(age, schedule)
    if wait is None:
        return None
    if age >= BACK_OFF_START:
        quiet = aware(now) - aware(last_change)
        wait = min(max(wait, quiet * QUIET_SHARE), wait * BACK_OFF_MAX)
    return aware(now) + (wait * RELIABLE_HINTS_WAIT if reliable_hints else wait)
