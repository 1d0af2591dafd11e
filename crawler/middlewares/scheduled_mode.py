"""Scheduled mode (``SCHEDULED``, set by ``python -m archive schedule``) as a spider middleware:
the spider only discovers and fetches; what the archive already knows is applied here.

At the start of a round, the articles of the site whose re-check is due (``RECHECK_POLICY``)
are asked first, conditionally (``If-None-Match`` / ``If-Modified-Since``), the most overdue
first and no more than the site's politeness allows in half a round (``RECHECK_BUDGET``; the
rest stay due for the next round, ``discovery/recheck_budget_reached``); afterwards, article
requests for URLs the archive already has are dropped unless their sitemap ``lastmod`` or feed
date is later than the last fetch (``discovery/known``, ``discovery/moved``) and the site's
dates have not proved empty (``recheck_policy.hints_trusted``: a site that stamps every entry
with the time of the request; ``discovery/hint_ignored``). What discovery found is looked up in
the archive in batches (``Archive.last_seen``), never the site's whole history. Without the
archive (a database that is down), everything discovered is crawled and the reason logged.

``CONTINUOUS``: the crawl does not end after its round. It waits on the crawl's clock
(``archive.clock``) until ``SCHEDULE_INTERVAL`` minutes after the round began (longer while the
site answers 429 or 503: ``recheck_policy.round_wait``) and starts the next one — discovery
sources polled again, due re-checks asked — until it is stopped (SIGTERM,
``CLOSESPIDER_*``): one long-lived crawl per site instead of a process per round, as
StormCrawler runs. The stat ``scheduled/next_round`` holds when it waits for ("" while a round
runs); on a fixed clock, which never gets there, the crawl ends after one round. A later round
that finds the archive not answering is put off (``scheduled/rounds_put_off``), at the same slowing
pace: what it would fetch could not be kept, and the site's sources still list it afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from archive.clock import next_look
from archive.keys import canonical_url
from archive.recheck_policy import ADAPTIVE, recheck_budget, round_wait
from archive.store import Archive
from crawler.discovery import Link
from pipelines.archive_access import ArchiveThread, clock_of
from pipelines.step import service

logger = logging.getLogger(__name__)
LOOKUP_EVERY = 1000
"""Discovered article requests held back at most before the archive is asked about them."""
NEXT_ROUND = "scheduled/next_round"
REFUSALS = ("downloader/response_status_count/429", "downloader/response_status_count/503")
"""Scrapy's counts of the answers that say a site is down or wants fewer requests."""


def is_known(known: dict[str, datetime], url: str, date: datetime | None) -> str | None:
    """``known`` or ``moved`` for an article URL the archive has (by its URL or canonical URL), else None."""
    last = known.get(url) or known.get(canonical_url(url))
    if last is None:
        return None
    return "moved" if date is not None and date > last else "known"


def _asks_archive(output) -> bool:
    """An article request whose fate depends on what the archive knows (a re-check is decided)."""
    if not isinstance(output, Request) or output.meta.get("recheck"):
        return False
    return output.meta.get("archive_role") == "article"


class ScheduledModeMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.hints_trusted = True
        settings = crawler.settings
        delay = settings.getfloat("DOWNLOAD_DELAY")
        if settings.getbool("AUTOTHROTTLE_ENABLED"):
            delay = max(delay, settings.getfloat("AUTOTHROTTLE_START_DELAY"))
        self.interval = timedelta(minutes=settings.getfloat("SCHEDULE_INTERVAL"))
        self.budget = settings.getint("RECHECK_BUDGET") or recheck_budget(self.interval.total_seconds(), delay)
        self.clock = clock_of(settings)
        self.rounds = 0
        self.round_began: datetime | None = None
        self.next_round: datetime | None = None
        self.starting = False  # a round's requests are being made: the crawl is not idle
        self.said_down = False
        self.refusals = 0  # 429 and 503 answers before this round
        self.refused_rounds = 0  # rounds in a row with such answers
        self.down_rounds = 0  # rounds in a row put off because the archive did not answer
        if settings.getbool("CONTINUOUS"):
            crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("SCHEDULED"):
            raise NotConfigured  # no message: Scrapy would log "Disabled …" as a warning in every crawl
        return cls(crawler)

    async def process_start(self, start):
        async for request in self._round(start):
            yield request

    async def process_spider_output(self, response, result):
        pending = []
        async for output in result:
            if not _asks_archive(output):
                yield output
                continue
            pending.append(output)
            if len(pending) >= LOOKUP_EVERY:
                for wanted in await self._unknown(pending):
                    yield wanted
                pending = []
        for wanted in await self._unknown(pending):
            yield wanted

    # -- a round ------------------------------------------------------------------------
    async def _round(self, start) -> AsyncIterator[Request]:
        """The round's requests: the due re-checks, then the spider's own start requests less
        the articles the archive has."""
        self.rounds += 1
        self.round_began = self.clock()
        self.refusals = self._refusals()
        self.stats.set_value("scheduled/rounds", self.rounds)
        for request in await self._rechecks():
            yield request
        pending = []
        async for request in start:
            if _asks_archive(request):
                pending.append(request)
            else:
                yield request
        for request in await self._unknown(pending):
            yield request

    async def _rechecks(self) -> list[Request]:
        spider = self.crawler.spider
        database = service(self.crawler, ArchiveThread)
        try:
            if self.crawler.settings.get("RECHECK_POLICY") == ADAPTIVE:  # the fixed ladder follows every date
                self.hints_trusted = await database.call(Archive.hints_trusted, spider.site_name)
            due = await database.call(Archive.due_articles, spider.site_name, None, self.budget + 1)
        except Exception as exc:  # any storage error: the crawl goes on, fetching everything
            self._without_archive(exc)
            return []
        if len(due) > self.budget:  # more are due than the site's politeness allows this round
            due = due[: self.budget]
            self.stats.set_value("discovery/recheck_budget_reached", self.budget)
        self.stats.inc_value("discovery/rechecks_due", len(due))
        requests = []
        for url, etag, last_modified in due:
            headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
            if request := spider.article_request(Link(url), "recheck", headers):
                request.meta["recheck"] = True
                requests.append(request)
        return requests

    async def _unknown(self, requests: list[Request]) -> Iterable[Request]:
        """The article requests worth making: new URLs, and known ones whose date moved (one
        look-up in the archive for all of them)."""
        if not requests:
            return ()
        urls = {u for r in requests for u in (r.url, canonical_url(r.url))}
        try:
            known = await service(self.crawler, ArchiveThread).call(Archive.last_seen, urls)
        except Exception as exc:  # any storage error: the crawl goes on, fetching everything
            self._without_archive(exc)
            return requests
        return [request for request in requests if self._wanted(request, known)]

    def _without_archive(self, exc: Exception) -> None:
        """Said once a crawl (a dead database fails every look-up), counted every time."""
        self.stats.inc_value("discovery/without_archive")
        if not self.said_down:
            self.said_down = True
            logger.error("scheduled mode without the archive (%s): crawling everything discovered", exc)

    def _wanted(self, request: Request, known: dict[str, datetime]) -> bool:
        fate = is_known(known, request.url, request.meta.get("link_date"))
        if fate == "moved" and not self.hints_trusted:
            fate = "hint_ignored"
        if fate is not None:
            self.stats.inc_value(f"discovery/{fate}")
        if fate == "moved":
            request.meta["hinted"] = True
        return fate not in ("known", "hint_ignored")

    # -- continuous ---------------------------------------------------------------------
    def spider_idle(self, spider) -> None:
        """The round is done: wait for the next one (unless the clock never moves)."""
        if self.starting:
            raise DontCloseSpider
        if self.next_round is None:
            self.refused_rounds = self.refused_rounds + 1 if self._refusals() > self.refusals else 0
            following = max(self.round_began + round_wait(self.interval, self.refused_rounds), self.clock())
            if next_look(self.clock, following) is None:
                return  # a fixed clock: this round was the crawl
            logger.info("round %d done; the next begins at %s", self.rounds, following.isoformat())
            self._wait_until(following)
        raise DontCloseSpider

    def _wait_until(self, when: datetime) -> None:
        self.next_round = when
        self.stats.set_value(NEXT_ROUND, when.isoformat())
        self._look()

    def _refusals(self) -> int:
        return sum(self.stats.get_value(name, 0) for name in REFUSALS)

    def _look(self) -> None:
        from twisted.internet import reactor

        if self.crawler.engine is None or not self.crawler.engine.running:
            return
        if self.clock() < self.next_round:
            reactor.callLater(next_look(self.clock, self.next_round), self._look)
            return
        self.next_round, self.starting = None, True
        self.stats.set_value(NEXT_ROUND, "")
        self.crawler.spider.new_round()
        deferred_from_coro(self._crawl_round())

    async def _crawl_round(self) -> None:
        try:
            if await self._archive_answers():
                self.down_rounds = 0
                async for request in self._round(self.crawler.spider.start()):
                    self.crawler.engine.crawl(request)
            else:  # a round that could keep nothing it fetched: put off, at a slowing pace
                self.down_rounds += 1
                self.stats.inc_value("scheduled/rounds_put_off")
                self._wait_until(self.clock() + round_wait(self.interval, self.down_rounds))
        finally:
            self.starting = False

    async def _archive_answers(self) -> bool:
        """Whether the archive answers a question now (one small query; a database known to be
        down fails at once, ``pipelines.archive_access``)."""
        try:
            database = service(self.crawler, ArchiveThread)
            await database.call(Archive.hints_trusted, self.crawler.spider.site_name, retry=False)
        except Exception as exc:
            self.stats.inc_value("discovery/without_archive")
            if self.down_rounds == 0:
                logger.error("the archive does not answer (%s): the round is put off until it does", exc)
            return False
        return True
