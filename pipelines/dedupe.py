"""Step 4: what this page is to the archive — a new article, another URL of a known one
(alias), an unchanged re-fetch, or an edit (a new version). Asked on the archive's database
thread, like every database call of the crawl."""

from __future__ import annotations

import logging
from dataclasses import asdict

from itemadapter import ItemAdapter

from archive.store import Archive
from pipelines.archive_access import archive_thread_of, fields_of
from pipelines.base import CrawlerPipeline

logger = logging.getLogger(__name__)


class DedupePipeline(CrawlerPipeline):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.database = archive_thread_of(crawler)

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        try:
            decision = await self.database.call(Archive.classify, fields_of(item), retry=False)
        except Exception as exc:  # the store step decides again, or spools the item
            logger.error("dedupe: archive unavailable (%s)", exc.__class__.__name__)
            adapter["decision"] = None
            return item
        adapter["decision"] = asdict(decision)
        self.stats.inc_value(f"dedupe/{decision.outcome}")
        return item
