"""The decide-and-store step: what the page is to the archive (a new article, another URL of a
known one, an unchanged re-fetch, an edit: ``archive.decisions``) is decided and written in one
call and one transaction (``Archive.save``); the decision comes back for the item's log line
(``decision``) and the stats (``articles/<outcome>``). Every other request becomes a snapshot
row with its outcome, the run a ``CrawlRun``.

All of it runs on the archive's database thread (``pipelines.archive_access``): the
reactor never waits. Outcome rows of requests that are not article items (the
``fetch_outcome`` signal) are batched. A write that fails for good goes to the spool
(``FAILED_ITEMS_FILE``, ``archive.spool``) and the crawl goes on: the WARC and the spool
keep everything, and the next crawl (or ``python -m archive spool load``) stores it.
At the start, runs left ``running`` by a crawl that died are marked ``failed``; while
the crawl runs, its row gets a heartbeat. A crawl dispatched to a scrapyd node renews its
site's lease (``SITE_LEASE``) with each heartbeat; one that finds the lease no longer its own
(it was pending too long on a node, or cut off from the database past the lease) stops, since
another node now crawls the site.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import asdict
from datetime import timedelta

from itemadapter import ItemAdapter
from scrapy import signals

from archive import spool
from archive.processes import process_alive
from archive.run_records import NODE, run_owner
from archive.store import Archive
from pipelines.archive_access import ArchiveThread, fields_of
from pipelines.drop import DROPPED, PageDropped
from pipelines.outcomes import fetch_outcome, links_refused, outcome_rows
from pipelines.step import CrawlerPipeline, service

logger = logging.getLogger(__name__)


def _renew(archive: Archive, run_id: int, lease: str | None, ttl: timedelta) -> bool:
    """The run's sign of life, and of its lease when it holds one; False when the lease is lost."""
    archive.heartbeat(run_id)
    return lease is None or archive.renew(lease, run_owner(run_id), ttl)


def _open_run(archive: Archive, spider: str, run_id: int | None, stale_after: timedelta) -> tuple[int, list[int]]:
    stale = archive.mark_stale_runs(NODE, process_alive, stale_after)
    if run_id:  # the scheduler made the row
        archive.claim_run(run_id, NODE, os.getpid())
        return run_id, stale
    return archive.start_run(spider, NODE, os.getpid()), stale


class StorePipeline(CrawlerPipeline):
    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.spool = settings.get("FAILED_ITEMS_FILE")
        self.database = service(crawler, ArchiveThread)
        self.run_id: int | None = None
        self.batch_size = settings.getint("OUTCOME_BATCH_SIZE")
        self.heartbeat_every = settings.getfloat("RUN_HEARTBEAT_SECONDS")
        self.stale_after = timedelta(seconds=settings.getfloat("RUN_STALE_SECONDS"))
        self.lease = settings.get("SITE_LEASE")
        self.lease_ttl = timedelta(seconds=settings.getfloat("SCHEDULE_LEASE_SECONDS"))
        self._rows: list[dict] = []
        self._pending: set[asyncio.Future] = set()
        self._heartbeat: asyncio.Task | None = None
        self._flusher: asyncio.Task | None = None
        self._closing: asyncio.Future | None = None
        self.flush_every = settings.getfloat("OUTCOME_FLUSH_SECONDS")

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = super().from_crawler(crawler)
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.fetch_outcome, signal=fetch_outcome)
        crawler.signals.connect(pipeline.links_refused, signal=links_refused)
        return pipeline

    # -- the run ----------------------------------------------------------------------
    async def spider_opened(self, spider) -> None:
        self._heartbeat = asyncio.ensure_future(self._beat(spider.name))
        self._flusher = asyncio.ensure_future(self._flush_every(self.flush_every))
        if not await self._open_run(spider.name):
            logger.error("archive database unavailable at start: items are spooled to %s meanwhile", self.spool)

    async def _open_run(self, spider: str) -> bool:
        """Record the run (and mark dead ones failed), then store what earlier crawls spooled."""
        try:
            self.run_id, stale = await self.database.call(
                _open_run, spider, self.crawler.settings.getint("CRAWL_RUN_ID"), self.stale_after
            )
        except Exception as exc:
            logger.warning("crawl run not recorded yet (%s)", exc.__class__.__name__)
            return False
        if stale:
            logger.warning("crawl run(s) %s were left running by a crawl that died: marked failed", stale)
        if self.lease:
            await self._renew()
        await self._load_spool()
        return True

    async def _renew(self) -> bool:
        """The heartbeat (and the lease); whether the database answered."""
        try:
            held = await self.database.call(_renew, self.run_id, self.lease, self.lease_ttl, retry=False)
        except Exception as exc:
            logger.warning("no heartbeat for crawl run %s (%s)", self.run_id, exc.__class__.__name__)
            return False
        if not held:
            logger.error("crawl run %s lost its lease %s: another crawl has it; stopping", self.run_id, self.lease)
            # not awaited here: closing cancels this very heartbeat
            self._closing = asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="lease_lost"))
        return True

    async def _load_spool(self) -> None:
        if not os.path.exists(self.spool) or not os.path.getsize(self.spool):
            return
        try:
            report = await self.database.call(spool.load, self.spool)
        except Exception as exc:
            logger.warning("spool %s not loaded (%s): next time", self.spool, exc.__class__.__name__)
            return
        self.stats.set_value("spool/loaded", report.loaded)
        logger.info("spool %s: %d write(s) stored, %d still failing", self.spool, report.loaded, report.failed)

    async def _beat(self, spider: str) -> None:
        """The run's sign of life; a run the database could not record at the start is recorded
        as soon as it can, and what was spooled while it was down is stored once it answers (a
        continuous crawl may run for months)."""
        while True:
            await asyncio.sleep(self.heartbeat_every)
            if self.run_id is None:
                await self._open_run(spider)
            elif await self._renew():
                await self._load_spool()

    async def _flush_every(self, seconds: float) -> None:
        """Outcome rows reach the database within seconds, not only at the end of the crawl."""
        while True:
            await asyncio.sleep(seconds)
            self._flush()

    async def spider_closed(self, spider, reason: str) -> None:
        self._flush()
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        for task in (self._heartbeat, self._flusher):
            if task is not None:
                task.cancel()
        self.stats.set_value("store/cpu_seconds", await self.database.cpu_seconds())
        if self.run_id is not None:
            await self._load_spool()  # what an outage spooled, stored now if the database is back
            try:
                await self.database.call(Archive.finish_run, self.run_id, self.stats.get_stats(), reason)
                if self.lease:
                    await self.database.call(Archive.release, self.lease, run_owner(self.run_id))
            except Exception as exc:
                logger.error("could not record the end of crawl run %s: %s", self.run_id, exc)
        self.database.close()

    # -- articles -----------------------------------------------------------------------
    async def process_item(self, item):
        adapter = ItemAdapter(item)
        try:
            decision = await self.database.call(Archive.save, fields_of(item), self.run_id)
        except Exception as exc:
            self._spool(spool.SAVE, adapter.asdict(), exc)
            return item
        adapter["decision"] = asdict(decision)
        self.stats.inc_value(f"articles/{decision.outcome}")
        return item

    async def item_dropped(self, item, response, exception, spider) -> None:
        """Dropped pages keep their snapshot row, with the reason as outcome."""
        reason = exception.reason if isinstance(exception, PageDropped) else exception.__class__.__name__
        record = ItemAdapter(item).asdict() | {"outcome": f"{DROPPED}:{reason}", "detail": str(exception)[:500]}
        try:
            await self.database.call(Archive.record_snapshot, record, record["outcome"], self.run_id)
        except Exception as exc:
            self._spool(spool.SNAPSHOT, record, exc)

    # -- every other request ---------------------------------------------------------------
    def fetch_outcome(self, request, outcome: str, detail: str | None, response=None) -> None:
        """A request's outcome (``pipelines.outcomes``): its captures' rows (earlier hops with
        their fate, the last with ``outcome``), or one row without a record when nothing came."""
        captures = request.meta.get("captures") or []
        request.meta["captures"] = []  # recorded once
        self._add_rows(outcome_rows(request.url, captures, outcome, detail, responded=response is not None), outcome, 1)

    def links_refused(self, urls: list[str], outcome: str) -> None:
        """Links refused before any request (``pipelines.outcomes.links_refused``): a row each."""
        rows = [row for url in urls for row in outcome_rows(url, [], outcome, "", responded=False)]
        self._add_rows(rows, outcome, len(urls))

    def _add_rows(self, rows: list[dict], outcome: str, requests: int) -> None:
        """``rows`` of ``requests`` outcomes, written in batches."""
        self._rows += rows
        self.stats.inc_value(f"outcomes/{outcome.split(':', 1)[0]}", requests)
        if len(self._rows) >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        """The rows so far, written ``batch_size`` at a time (a sitemap's refusals come 50,000 at once)."""
        rows, self._rows = self._rows, []
        for start in range(0, len(rows), self.batch_size):
            future = asyncio.ensure_future(self._write_rows(rows[start : start + self.batch_size]))
            self._pending.add(future)
            future.add_done_callback(self._pending.discard)

    async def _write_rows(self, rows: list[dict]) -> None:
        try:
            await self.database.call(Archive.record_fetches, rows, self.run_id)
        except Exception as exc:
            self._spool(spool.FETCHES, {"rows": rows}, exc)

    def _spool(self, op: str, payload: dict, exc: Exception) -> None:
        self.stats.inc_value("store/failed")
        what = payload.get("url") or f"{len(payload.get('rows', ()))} outcome row(s)"
        logger.error("archive database error, spooled to %s: %s (%s)", self.spool, what, exc)
        spool.append(self.spool, op, payload, self.run_id, str(exc), self.crawler.settings.get("DATABASE_URL"))
