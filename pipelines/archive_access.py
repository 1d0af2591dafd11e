"""The archive as the dedupe and store steps share it: one per crawler, opened lazily so
a dead database is a per-item failure, not a crawl that cannot start."""

from __future__ import annotations

from archive.store import Archive


def archive_of(crawler) -> Archive:
    """The crawler's ``Archive`` for ``DATABASE_URL`` (raises if the database is unreachable)."""
    archive = getattr(crawler, "_news_archive", None)
    if archive is None:
        settings = crawler.settings
        archive = Archive(
            settings.get("DATABASE_URL"),
            near_duplicate_threshold=settings.getfloat("NEAR_DUPLICATE_THRESHOLD"),
            minor_edit_max_chars=settings.getint("MINOR_EDIT_MAX_CHARS"),
        )
        crawler._news_archive = archive
    return archive
