"""Step 1: the raw fetch into a WARC file, before anything can go wrong with it."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from itemadapter import ItemAdapter

from archive.warc import Exchange, WarcStore
from pipelines.base import CrawlerPipeline


class SnapshotPipeline(CrawlerPipeline):
    """Writes request + response records (``WARC_DIR``, rotating at ``WARC_MAX_SIZE``)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        prefix = crawler.spider.name if crawler.spider else "archive"
        self.store = WarcStore(settings.get("WARC_DIR"), prefix=prefix, max_size=settings.getint("WARC_MAX_SIZE"))
        self.replaying = bool(settings.get("REPLAY_FROM"))

    def close_spider(self) -> None:
        self.store.close()

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter.get("snapshot"):  # replayed: the record already exists
            self.stats.inc_value("warc/reused")
            return item
        if self.replaying:  # the replay's stand-in 404 for an unrecorded URL is no fetch to keep
            return item
        ref = self.store.write(
            Exchange(
                url=adapter["final_url"],
                status=adapter["status"],
                headers=adapter["response_headers"],
                body=adapter["page"],
                fetched_at=datetime.fromisoformat(adapter["fetched_at"]),
                request_headers=tuple(adapter.get("request_headers") or ()),
            )
        )
        adapter["snapshot"] = asdict(ref)
        self.stats.inc_value("warc/records")
        self.stats.inc_value("warc/bytes", ref.length)
        return item
