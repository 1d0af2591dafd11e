"""Stop fetching before the disk that keeps what a crawl fetches is full.

As Heritrix pauses and Browsertrix stops at its disk-utilization limit: a WARC file or database
cut short by a full disk loses what was fetched, so when the free space on the disk of
``WARC_DIR`` or of the SQLite archive falls under ``DISK_MIN_FREE_MB``, the crawl closes with
reason ``disk_full`` — one line saying where and how much is left — and Scrapy finishes what is in
flight: items stored, WARC files closed, the run recorded with that outcome. The next scheduled
round starts again and stops as quickly while there is still no room. A continuous crawl
(``CONTINUOUS``), which has no next process to wait for, pauses instead: it takes no new request
from its queue, keeps what is in flight, looks for room every ``DISK_CHECK_SECONDS`` and goes on
where it stopped once there is room, its queue and rounds intact. Checked when the spider opens
and then at most every ``DISK_CHECK_SECONDS`` as responses come in (one ``statvfs``).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.database import sqlite_file

logger = logging.getLogger(__name__)
REASON = "disk_full"
MB = 1 << 20


def _existing(path: Path) -> Path:
    """The path, or its nearest existing ancestor (a WARC folder made on the first write)."""
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def low_disk(paths: list[Path], min_free: int) -> tuple[Path, int] | None:
    """The first path whose disk has less than ``min_free`` bytes free, with what it has."""
    for path in paths:
        free = shutil.disk_usage(_existing(path)).free
        if free < min_free:
            return path, free
    return None


class DiskGuard:
    def __init__(self, crawler, paths: list[Path], min_free: int, every: float, pause: bool = False):
        self.crawler, self.paths, self.min_free, self.every = crawler, paths, min_free, every
        self.pause = pause
        self._next_check = 0.0
        self._closing: asyncio.Future | None = None
        self._paused = self._closed = False

    @classmethod
    def from_crawler(cls, crawler) -> DiskGuard:
        settings = crawler.settings
        min_free = settings.getint("DISK_MIN_FREE_MB") * MB
        if min_free <= 0:
            raise NotConfigured
        paths = [Path(p) for p in (settings.get("WARC_DIR"),) if p]
        if (database := sqlite_file(settings.get("DATABASE_URL") or "")) is not None:
            paths.append(database.parent)
        pause = settings.getbool("SCHEDULED") and settings.getbool("CONTINUOUS")
        guard = cls(crawler, paths, min_free, settings.getfloat("DISK_CHECK_SECONDS"), pause)
        crawler.signals.connect(guard.check, signal=signals.spider_opened)
        crawler.signals.connect(guard.response_received, signal=signals.response_received)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def response_received(self) -> None:
        if time.monotonic() >= self._next_check:
            self.check()

    def check(self) -> None:
        self._next_check = time.monotonic() + self.every
        if self._closing is not None or self._paused or (low := low_disk(self.paths, self.min_free)) is None:
            return
        path, free = low
        self.crawler.stats.set_value("disk/free_mb", free // MB)
        if self.pause:
            logger.error(
                "pausing: %d MB free on the disk of %s, under DISK_MIN_FREE_MB=%d; what was fetched is kept, "
                "fetching goes on when there is room",
                free // MB,
                path,
                self.min_free // MB,
            )
            self.crawler.stats.inc_value("disk/paused")
            self.crawler.engine.pause()
            self._paused = True
            self._look_for_room()
            return
        logger.error(
            "stopping: %d MB free on the disk of %s, under DISK_MIN_FREE_MB=%d; what was fetched is kept",
            free // MB,
            path,
            self.min_free // MB,
        )
        self._closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason=REASON))

    def spider_closed(self) -> None:
        self._closed = True

    def _look_for_room(self) -> None:
        """While paused: every ``DISK_CHECK_SECONDS``, whether there is room again."""
        from twisted.internet import reactor

        if self._closed:
            return
        if low_disk(self.paths, self.min_free) is not None:
            reactor.callLater(self.every, self._look_for_room)
            return
        logger.warning("room again on the disk: fetching goes on")
        self._paused = False
        self.crawler.engine.unpause()
