"""Step 5: the article into the database, every fetch as a snapshot row, the run as a
``CrawlRun``. When the database fails, the item goes to a JSON-lines spool file
(``FAILED_ITEMS_FILE``) and the crawl goes on: the WARC and the spool keep everything."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals
from sqlalchemy.exc import SQLAlchemyError

from archive.store import Decision
from pipelines.archive_access import archive_of
from pipelines.base import CrawlerPipeline
from pipelines.drop import PageDropped

logger = logging.getLogger(__name__)


class StorePipeline(CrawlerPipeline):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.spool = Path(crawler.settings.get("FAILED_ITEMS_FILE"))
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = super().from_crawler(crawler)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def spider_opened(self, spider) -> None:
        if run_id := self.crawler.settings.getint("CRAWL_RUN_ID"):  # the scheduler made the row
            self.run_id = run_id
            return
        try:
            self.run_id = archive_of(self.crawler).start_run(spider.name)
        except SQLAlchemyError as exc:
            logger.error("archive database unavailable at start (%s): items will be spooled to %s", exc, self.spool)

    def spider_closed(self, spider, reason: str) -> None:
        if self.run_id is None:
            return
        try:
            archive_of(self.crawler).finish_run(self.run_id, self.stats.get_stats(), reason)
        except SQLAlchemyError as exc:
            logger.error("could not record the end of crawl run %s: %s", self.run_id, exc)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        try:
            known = Decision(**adapter["decision"]) if adapter.get("decision") else None
            decision = archive_of(self.crawler).save(dict(adapter), self.run_id, known)
        except SQLAlchemyError as exc:
            self._spool(adapter, exc)
            return item
        self.stats.inc_value(f"articles/{decision.outcome}")
        return item

    def item_dropped(self, item, response, exception, spider) -> None:
        """Dropped pages keep their snapshot row, with the reason as outcome."""
        reason = exception.reason if isinstance(exception, PageDropped) else exception.__class__.__name__
        try:
            archive_of(self.crawler).record_snapshot(ItemAdapter(item).asdict(), f"dropped:{reason}", self.run_id)
        except SQLAlchemyError as exc:
            self._spool(ItemAdapter(item), exc)

    def _spool(self, adapter: ItemAdapter, exc: Exception) -> None:
        self.stats.inc_value("store/failed")
        logger.error("archive database error, item spooled to %s: %s (%s)", self.spool, adapter.get("url"), exc)
        self.spool.parent.mkdir(parents=True, exist_ok=True)
        record = {k: v for k, v in dict(adapter).items() if k != "page"}
        record["error"] = str(exc)
        with self.spool.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
