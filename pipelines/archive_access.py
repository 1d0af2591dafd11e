"""The archive as the dedupe and store steps share it: one per crawler, opened lazily so
a dead database is a per-item failure, not a crawl that cannot start."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from archive.store import Archive
from pipelines.base import crawler_shared


def clock_of(settings) -> Callable[[], datetime]:
    """``ARCHIVE_NOW`` (ISO 8601) fixes the time the archive sees: tests inject it, nobody waits."""
    if fixed := settings.get("ARCHIVE_NOW"):
        moment = datetime.fromisoformat(fixed)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return lambda: moment
    return lambda: datetime.now(UTC)


def archive_of(crawler) -> Archive:
    """The crawler's ``Archive`` for ``DATABASE_URL`` (raises if the database is unreachable)."""
    settings = crawler.settings
    return crawler_shared(
        crawler,
        "archive",
        lambda: Archive(
            settings.get("DATABASE_URL"),
            near_duplicate_threshold=settings.getfloat("NEAR_DUPLICATE_THRESHOLD"),
            minor_edit_max_chars=settings.getint("MINOR_EDIT_MAX_CHARS"),
            recheck_schedule=settings.getlist("RECHECK_SCHEDULE"),
            clock=clock_of(settings),
        ),
    )
