"""The crawl's WARC files, shared by the steps that write to them (the capture and the
renderer) as a Scrapy extension (``pipelines.step.service``): one ``WarcStore`` (``WARC_DIR``,
rotating at ``WARC_MAX_SIZE``, gzip level ``WARC_COMPRESSION_LEVEL``) and one writer thread, so
records are compressed while the reactor keeps fetching (zlib and hashing release the GIL)."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from scrapy import signals

from archive.processes import process_alive
from archive.warc import Exchange, RecordRef, WarcStore, finish_orphans
from pipelines.workers import in_executor

logger = logging.getLogger(__name__)


class WarcWriter:
    def __init__(self, store: WarcStore):
        self.store = store
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="warc-writer")

    async def response(self, exchange: Exchange) -> RecordRef:
        return await in_executor(self.thread, self.store.write, exchange)

    async def revisit(
        self, exchange: Exchange, refers_to_uri: str, refers_to_date: datetime, not_modified: str | None = None
    ) -> RecordRef:
        return await in_executor(
            self.thread, self.store.write_revisit, exchange, refers_to_uri, refers_to_date, not_modified
        )

    async def conversion(self, url: str, html: bytes, refers_to: str, when: datetime) -> RecordRef:
        return await in_executor(self.thread, self.store.write_conversion, url, html, refers_to, when)

    def close(self) -> None:
        self.thread.shutdown(wait=True)
        self.store.close()

    @classmethod
    def from_crawler(cls, crawler) -> WarcWriter:
        """The crawler's writer (files named after its spider), closed when the spider closes
        (every item is done by then); WARC files a dead crawl left open are finished first."""
        settings = crawler.settings
        for path in finish_orphans(settings.get("WARC_DIR"), process_alive):
            logger.warning(
                "WARC file %s was left open by a crawl that died: finished after its last whole record", path
            )
        store = WarcStore(
            settings.get("WARC_DIR"),
            prefix=crawler.spider.name if crawler.spider else "archive",
            max_size=settings.getint("WARC_MAX_SIZE"),
            compression_level=settings.getint("WARC_COMPRESSION_LEVEL"),
        )
        writer = cls(store)
        crawler.signals.connect(writer.close, signal=signals.spider_closed)
        return writer
