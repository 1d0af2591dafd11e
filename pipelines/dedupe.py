"""Step 4: what this page is to the archive — a new article, another URL of a known one
(alias), an unchanged re-fetch, or an edit (a new version)."""

from __future__ import annotations

import logging
from dataclasses import asdict

from itemadapter import ItemAdapter
from sqlalchemy.exc import SQLAlchemyError

from pipelines.archive_access import archive_of
from pipelines.base import CrawlerPipeline

logger = logging.getLogger(__name__)


class DedupePipeline(CrawlerPipeline):
    def process_item(self, item):
        adapter = ItemAdapter(item)
        try:
            decision = archive_of(self.crawler).classify(dict(adapter))
        except SQLAlchemyError as exc:  # the store step spools the item
            logger.error("dedupe: archive unavailable (%s)", exc.__class__.__name__)
            adapter["decision"] = None
            return item
        adapter["decision"] = asdict(decision)
        self.stats.inc_value(f"dedupe/{decision.outcome}")
        return item
