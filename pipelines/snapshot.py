"""Step 1: the raw fetch into a WARC file, before anything can go wrong with it. A payload
already archived for the same URL is written as a ``revisit`` record pointing at it.
Records are compressed and written on a writer thread (zlib and hashing release the GIL),
so the reactor keeps fetching meanwhile."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime

from itemadapter import ItemAdapter
from sqlalchemy.exc import SQLAlchemyError

from archive.store import Capture
from archive.warc import Exchange, WarcStore, payload_digest
from pipelines.archive_access import archive_of
from pipelines.base import CrawlerPipeline
from pipelines.workers import in_executor

logger = logging.getLogger(__name__)


class SnapshotPipeline(CrawlerPipeline):
    """Writes request + response records (``WARC_DIR``, rotating at ``WARC_MAX_SIZE``)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        prefix = crawler.spider.name if crawler.spider else "archive"
        self.store = WarcStore(
            settings.get("WARC_DIR"),
            prefix=prefix,
            max_size=settings.getint("WARC_MAX_SIZE"),
            compression_level=settings.getint("WARC_COMPRESSION_LEVEL"),
        )
        self.replaying = bool(settings.get("REPLAY_FROM"))
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="warc-writer")

    def _previous_capture(self, exchange: Exchange) -> Capture | None:
        """An earlier capture of the same bytes at the same URL; without the database, none."""
        try:
            return archive_of(self.crawler).previous_capture(exchange.url, payload_digest(exchange.body))
        except SQLAlchemyError as exc:
            logger.warning("no revisit check for %s: archive unavailable (%s)", exchange.url, exc.__class__.__name__)
            return None

    def close_spider(self) -> None:
        self.writer.shutdown(wait=True)
        self.store.close()

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter.get("snapshot"):  # replayed: the record already exists
            adapter["snapshot"] = {**adapter["snapshot"], "reused": True}
            self.stats.inc_value("warc/reused")
            return item
        if self.replaying:  # the replay's stand-in 404 for an unrecorded URL is no fetch to keep
            return item
        exchange = Exchange(
            url=adapter["final_url"],
            status=adapter["status"],
            headers=adapter["response_headers"],
            body=adapter["page"],
            fetched_at=datetime.fromisoformat(adapter["fetched_at"]),
            request_headers=tuple(adapter.get("request_headers") or ()),
        )
        capture = self._previous_capture(exchange)
        if capture is None:
            ref = await in_executor(self.writer, self.store.write, exchange)
        else:
            ref = await in_executor(self.writer, self.store.write_revisit, exchange, capture.url, capture.fetched_at)
            self.stats.inc_value("warc/revisits")
        adapter["snapshot"] = asdict(ref)
        self.stats.inc_value("warc/records")
        self.stats.inc_value("warc/bytes", ref.length)
        return item
