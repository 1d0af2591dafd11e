"""Scheduled mode (``SCHEDULED``, set by ``python -m archive schedule``) as a spider middleware:
the spider only discovers and fetches; what the archive already knows is applied here.

At the start, the articles of the site whose re-check is due (``RECHECK_POLICY``) are asked
first, conditionally (``If-None-Match`` / ``If-Modified-Since``), the most overdue first and no
more than the site's politeness allows in half a round (``RECHECK_BUDGET``; the rest stay due for
the next round, ``discovery/recheck_budget_reached``); afterwards, article requests
for URLs the archive already has are dropped unless their sitemap ``lastmod`` or feed date is
later than the last fetch (``discovery/known``, ``discovery/moved``) and the site's dates have
not proved empty (``recheck_policy.hints_trusted``: a site that stamps every entry with the time of
the request; ``discovery/hint_ignored``). Without the archive (a database that is down),
everything discovered is crawled and the reason logged.
"""

from __future__ import annotations

import logging
from datetime import datetime

from scrapy import Request
from scrapy.exceptions import NotConfigured

from archive.keys import canonical_url
from archive.recheck_policy import ADAPTIVE, recheck_budget
from archive.store import Archive
from crawler.discovery import Link
from pipelines.archive_access import ArchiveThread
from pipelines.step import service

logger = logging.getLogger(__name__)


def is_known(known: dict[str, datetime], url: str, date: datetime | None) -> str | None:
    """``known`` or ``moved`` for an article URL the archive has (by its URL or canonical URL), else None."""
    last = known.get(url) or known.get(canonical_url(url))
    if last is None:
        return None
    return "moved" if date is not None and date > last else "known"


class ScheduledModeMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.known: dict[str, datetime] = {}
        self.hints_trusted = True
        settings = crawler.settings
        delay = settings.getfloat("DOWNLOAD_DELAY")
        if settings.getbool("AUTOTHROTTLE_ENABLED"):
            delay = max(delay, settings.getfloat("AUTOTHROTTLE_START_DELAY"))
        self.budget = settings.getint("RECHECK_BUDGET") or recheck_budget(
            settings.getfloat("SCHEDULE_INTERVAL") * 60, delay
        )

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("SCHEDULED"):
            raise NotConfigured  # no message: Scrapy would log "Disabled …" as a warning in every crawl
        return cls(crawler)

    async def process_start(self, start):
        spider = self.crawler.spider
        database = service(self.crawler, ArchiveThread)
        try:
            self.known = await database.call(Archive.known_articles, spider.site_name)
            if self.crawler.settings.get("RECHECK_POLICY") == ADAPTIVE:  # the fixed ladder follows every date
                self.hints_trusted = await database.call(Archive.hints_trusted, spider.site_name)
            due = await database.call(Archive.due_articles, spider.site_name, None, self.budget + 1)
        except Exception as exc:  # any storage error: the crawl goes on, fetching everything
            logger.error("scheduled mode without the archive (%s): crawling everything discovered", exc)
            due = []
        if len(due) > self.budget:  # more are due than the site's politeness allows this round
            due = due[: self.budget]
            self.stats.set_value("discovery/recheck_budget_reached", self.budget)
        self.stats.set_value("discovery/rechecks_due", len(due))
        for url, etag, last_modified in due:
            headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
            if request := spider.article_request(Link(url), "recheck", headers):
                request.meta["recheck"] = True
                yield request
        async for request in start:
            if self._wanted(request):
                yield request

    async def process_spider_output(self, response, result):
        async for output in result:
            if self._wanted(output):
                yield output

    def _wanted(self, output) -> bool:
        if not isinstance(output, Request) or output.meta.get("archive_role") != "article":
            return True
        if output.meta.get("recheck"):
            return True
        fate = is_known(self.known, output.url, output.meta.get("link_date"))
        if fate == "moved" and not self.hints_trusted:
            fate = "hint_ignored"
        if fate is not None:
            self.stats.inc_value(f"discovery/{fate}")
        if fate == "moved":
            output.meta["hinted"] = True
        return fate not in ("known", "hint_ignored")
