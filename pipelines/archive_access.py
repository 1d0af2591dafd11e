"""The archive as the crawl's steps share it: ``ArchiveThread``, a Scrapy extension (fetched with
``pipelines.step.service``), holds one ``Archive``, opened lazily so a dead database is a
per-item failure, not a crawl that cannot start — and one thread that runs all of its
database work, so the reactor never waits for SQL (a locked SQLite file holds a write for up
to 30 s).

A transient database error (locked, connection refused or lost) is retried with back-off
(``STORE_RETRY_TIMES``, ``STORE_RETRY_BACKOFF``); after that the database counts as down for
``STORE_DOWN_SECONDS`` and calls fail at once, so a dead server costs the crawl nothing but
spooled items (``pipelines.store_article``).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, is_dataclass
from typing import Any, TypeVar

from itemadapter import ItemAdapter
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from archive import clock
from archive.clock import Clock
from archive.database import close as close_database
from archive.store import Archive
from archive.warc import warc_dirs
from pipelines.workers import in_executor

logger = logging.getLogger(__name__)
T = TypeVar("T")


def fields_of(item: Any) -> dict:
    """The item's fields for the archive: values as the steps left them (plain data), its WARC
    record references as mappings. ``ItemAdapter.asdict`` would walk and copy every paragraph
    and image of the article, on the reactor thread."""
    return {k: asdict(v) if is_dataclass(v) else v for k, v in ItemAdapter(item).items()}


def clock_of(settings) -> Clock:
    """The clock ``CLOCK`` names (``archive.clock``): the wall clock unless a replay fixes the
    time or a simulation drives it."""
    return clock.from_spec(settings.get("CLOCK"))


def archive_from(settings) -> Archive:
    """An ``Archive`` for ``DATABASE_URL`` (raises if the database is unreachable)."""
    return Archive(
        settings.get("DATABASE_URL"),
        near_duplicate_threshold=settings.getfloat("NEAR_DUPLICATE_THRESHOLD"),
        minor_edit_max_chars=settings.getint("MINOR_EDIT_MAX_CHARS"),
        recheck_schedule=settings.getlist("RECHECK_SCHEDULE"),
        recheck_policy=settings.get("RECHECK_POLICY"),
        clock=clock_of(settings),
        warc_dir=settings.get("WARC_DIR"),
        other_warc_dirs=warc_dirs(settings.get("WARC_DIRS")),
    )


def is_transient(error: BaseException) -> bool:
    """A database error worth trying again: the database is busy, locked or unreachable."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


class ArchiveDownError(RuntimeError):
    """The database failed its retries a moment ago; writes are spooled until it may be back."""


class ArchiveThread:
    def __init__(
        self,
        archive: Callable[[], Archive],
        retries: int,
        backoff: float,
        down_seconds: float,
        stats,
        database_url: str | None = None,
    ):
        self._open = archive
        self._archive: Archive | None = None
        self.database_url = database_url
        self.retries, self.backoff, self.down_seconds = retries, backoff, down_seconds
        self.stats = stats
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="archive-db")
        self._down_until = 0.0
        self._down_error: BaseException | None = None

    @classmethod
    def from_crawler(cls, crawler) -> ArchiveThread:
        settings = crawler.settings
        # The thread waits on the database with the GIL released; with Python's 5 ms switch
        # interval, the busy reactor thread keeps it that long after every round trip, and a
        # PostgreSQL save (a dozen round trips) took 30 ms instead of 3 (make bench).
        if interval := settings.getfloat("GIL_SWITCH_INTERVAL"):
            sys.setswitchinterval(interval)
        return cls(
            lambda: archive_from(settings),
            retries=settings.getint("STORE_RETRY_TIMES"),
            backoff=settings.getfloat("STORE_RETRY_BACKOFF"),
            down_seconds=settings.getfloat("STORE_DOWN_SECONDS"),
            stats=crawler.stats,
            database_url=settings.get("DATABASE_URL"),
        )

    def archive(self) -> Archive:
        """The crawl's ``Archive``, opened on first use; an open that fails is tried again next time."""
        if self._archive is None:
            self._archive = self._open()
        return self._archive

    def _run(self, fn: Callable[..., T], args: tuple, kwargs: dict, retry: bool) -> T:
        if self._down_error is not None and time.monotonic() < self._down_until:
            # a new exception each time: raising the stored one again would grow its traceback
            raise ArchiveDownError(f"archive database down since its last error: {self._down_error}")
        self.stats.inc_value(f"archive/calls/{fn.__name__}")  # the crawl's round trips, by kind
        attempts = self.retries + 1 if retry else 1
        for attempt in range(attempts):
            try:
                result = fn(self.archive(), *args, **kwargs)
                self._down_error = None
                return result
            except Exception as exc:
                if not is_transient(exc) or attempt + 1 == attempts:
                    if is_transient(exc) and retry:
                        self._down_error, self._down_until = exc, time.monotonic() + self.down_seconds
                    raise
                self.stats.inc_value("store/retried")
                logger.warning("archive database busy or unreachable (%s); retrying", exc.__class__.__name__)
                time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    async def call(self, fn: Callable[..., T], *args: Any, retry: bool = True, **kwargs: Any) -> T:
        """``fn(archive, *args, **kwargs)`` on the database thread, awaited."""
        return await in_executor(self.thread, self._run, fn, args, kwargs, retry)

    async def cpu_seconds(self) -> float:
        """The CPU time the database thread has spent (its statements and SQLite's own work, not
        its waits for the server or the interpreter): ``store/cpu_seconds``, which ``make bench``
        reports per page. Read once, at the end: reading a thread's CPU clock around every call
        cost 0.6 ms of wall time each in a busy crawl, with the interpreter lock held."""
        return await in_executor(self.thread, time.thread_time)

    def call_now(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """The same, blocking (for the end of a crawl, when nothing else is left to do)."""
        return self.thread.submit(self._run, fn, args, kwargs, True).result()

    def close(self) -> None:
        """Close the archive's engine on its thread (SQLite's write-ahead log is checkpointed into
        the database file: ``archive.database.close``), then the thread."""
        self.thread.submit(self._close_engine).result()
        self.thread.shutdown(wait=True)

    def _close_engine(self) -> None:
        if self.database_url is None:
            return
        try:
            close_database(self.database_url)  # a no-op when the archive was never reached
        except Exception as exc:  # a database that is down keeps its log, which SQLite replays
            logger.warning("archive database not closed cleanly (%s)", exc.__class__.__name__)
