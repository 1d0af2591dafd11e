"""Step 1: the raw fetch into a WARC file, before anything can go wrong with it. A payload
already archived for the same URL is written as a ``revisit`` record pointing at it."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime

from itemadapter import ItemAdapter
from sqlalchemy.exc import SQLAlchemyError

from archive.store import Capture
from archive.warc import Exchange
from pipelines.archive_access import archive_of
from pipelines.base import CrawlerPipeline
from pipelines.warc_writer import warc_writer_of

logger = logging.getLogger(__name__)


class SnapshotPipeline(CrawlerPipeline):
    """Writes request + response records (``pipelines.warc_writer``)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.writer = warc_writer_of(crawler)
        self.replaying = bool(crawler.settings.get("REPLAY_FROM"))

    def _previous_capture(self, exchange: Exchange) -> Capture | None:
        """An earlier capture of the same bytes at the same URL; without the database, none."""
        try:
            return archive_of(self.crawler).previous_capture(exchange.url, exchange.digest)
        except SQLAlchemyError as exc:
            logger.warning("no revisit check for %s: archive unavailable (%s)", exchange.url, exc.__class__.__name__)
            return None

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
            ref = await self.writer.response(exchange)
        else:
            ref = await self.writer.revisit(exchange, capture.url, capture.fetched_at)
            self.stats.inc_value("warc/revisits")
        adapter["snapshot"] = asdict(ref)
        self.stats.inc_value("warc/records")
        self.stats.inc_value("warc/bytes", ref.length)
        return item
