"""The discovery-and-fetch spider every site spider is made of.

It reads discovery sources (sitemap indexes, news sitemaps, RSS/Atom feeds,
listing pages), picks article URLs (the site rule's pattern, or a URL-shape
heuristic for sites without rules), fetches each article once per run and
yields one page item per article fetch. It never parses article fields: the
pipelines do.

Arguments: ``-a start=URL[,URL…]`` replaces the discovery sources,
``-a limit=N`` caps the article fetches of a run, ``-a since=YYYY-MM-DD``
skips entries dated before that day (where sources give dates).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from sqlalchemy.exc import SQLAlchemyError

from crawler.discovery import (
    Link,
    alternate_feeds,
    feed_links,
    looks_like_article,
    page_links,
    sitemap_links,
    source_kind,
)
from crawler.items import ArticleItem
from crawler.rendering import RENDER_MODES
from crawler.sites import SiteRules, rules_for_url
from pipelines.archive_access import archive_of
from pipelines.extraction.dates import parse_offset
from pipelines.extraction.urls import canonical_url, registered_host


def _header_pairs(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


class ArchiveSpider(scrapy.Spider):
    site_rules: SiteRules | None = None

    def __init__(
        self,
        *args,
        start: str | None = None,
        limit: str | None = None,
        since: str | None = None,
        render: str = "auto",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if render not in RENDER_MODES:
            raise ValueError(f"-a render={render!r}: use one of {', '.join(RENDER_MODES)}")
        self.render = render
        default_sources = self.site_rules.sources if self.site_rules else ()
        self.sources = [u.strip() for u in start.split(",") if u.strip()] if start else list(default_sources)
        if not self.sources:
            raise ValueError(f"spider {self.name!r} has no discovery source: pass -a start=URL[,URL…]")
        self.limit = int(limit) if limit else None
        tz = parse_offset(self.site_rules.timezone) if self.site_rules else UTC
        self.since = datetime.combine(date.fromisoformat(since), datetime.min.time(), tz) if since else None
        domains = set(self.site_rules.domains if self.site_rules else ())
        domains |= {urlsplit(u).hostname for u in self.sources if urlsplit(u).hostname}
        self.allowed_domains = sorted(domains)
        self.requested: set[str] = set()
        self.known: dict[str, datetime] = {}

    async def start(self):
        for request in self.scheduled_rechecks():
            yield request
        for url in self.sources:
            if self.is_article(url):
                if request := self.article_request(Link(url), source="start"):
                    yield request
            else:
                yield self.source_request(url)

    # -- scheduled mode ----------------------------------------------------------------
    @property
    def site_name(self) -> str:
        return self.site_rules.name if self.site_rules else registered_host(self.sources[0])

    def scheduled_rechecks(self) -> list[scrapy.Request]:
        """In scheduled mode (``SCHEDULED``): the archive's known articles (skipped in discovery
        unless their date moved) and the due re-checks, asked conditionally (ETag, Last-Modified)."""
        if not self.crawler.settings.getbool("SCHEDULED"):
            return []
        try:
            archive = archive_of(self.crawler)
            self.known = archive.known_articles(self.site_name)
            due = archive.due_articles(self.site_name)
        except SQLAlchemyError as exc:
            self.logger.error("scheduled mode without the archive (%s): crawling everything discovered", exc)
            return []
        requests = []
        for url, etag, last_modified in due:
            headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
            if request := self.article_request(Link(url), "recheck", headers, recheck=True):
                requests.append(request)
        self.crawler.stats.set_value("discovery/rechecks_due", len(due))
        return requests

    def already_archived(self, link: Link) -> bool:
        """Known and not changed since (a sitemap ``lastmod`` or feed date that moved brings it back)."""
        last = self.known.get(link.url) or self.known.get(canonical_url(link.url))
        if last is None:
            return False
        if link.date is not None and link.date > last:
            self.crawler.stats.inc_value("discovery/moved")
            return False
        self.crawler.stats.inc_value("discovery/known")
        return True

    # -- discovery ---------------------------------------------------------------------
    def source_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_source, errback=self.fetch_failed, meta={"source": url})

    def parse_source(self, response: Response):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        kind = source_kind(response.body, content_type)
        self.crawler.stats.inc_value(f"discovery/{kind}")
        if kind == "sitemapindex":
            for link in sitemap_links(response.body):
                if self.recent(link):
                    yield self.source_request(link.url)
        elif kind in ("urlset", "feed"):
            links = sitemap_links(response.body) if kind == "urlset" else feed_links(response.body, response.url)
            yield from self.article_requests(links, response.url)
        elif hasattr(response, "css"):
            yield from self.parse_listing(response)

    def parse_listing(self, response: Response):
        if response.url in self.sources and self.declares_article(response):
            yield self.page_item(response)
            return
        yield from self.article_requests(page_links(response, response.url), response.url)
        if self.site_rules is None:
            for feed in alternate_feeds(response, response.url):
                yield self.source_request(feed)

    def declares_article(self, response: Response) -> bool:
        """A start URL of a site without rules that is itself an article page (``news``
        spider on one article); known sites say so by their article URL pattern."""
        if self.site_rules or rules_for_url(response.url):
            return False
        return (response.css("meta[property='og:type']::attr(content)").get() or "").strip() == "article"

    def article_requests(self, links: list[Link], source: str):
        for link in links:
            if self.is_article(link.url) and self.recent(link) and (request := self.article_request(link, source)):
                yield request

    def is_article(self, url: str) -> bool:
        rules = self.site_rules or rules_for_url(url)
        if rules is not None and rules.owns(registered_host(url)):
            return rules.is_article_url(url)
        return any(looks_like_article(url, source) for source in self.sources)

    def recent(self, link: Link) -> bool:
        if self.since is None or link.date is None or link.date >= self.since:
            return True
        self.crawler.stats.inc_value("discovery/older_than_since")
        return False

    def article_request(
        self, link: Link, source: str, headers: dict | None = None, recheck: bool = False
    ) -> scrapy.Request | None:
        key = canonical_url(link.url)
        if key in self.requested or (not recheck and self.already_archived(link)):
            return None
        if self.limit is not None and len(self.requested) >= self.limit:
            self.crawler.stats.inc_value("discovery/over_limit")
            return None
        self.requested.add(key)
        self.crawler.stats.inc_value("discovery/articles")
        return scrapy.Request(
            link.url,
            callback=self.parse_article,
            errback=self.fetch_failed,
            headers=headers,
            meta={"handle_httpstatus_all": True, "discovered_from": source},
        )

    # -- fetching ----------------------------------------------------------------------
    def parse_article(self, response: Response):
        yield self.page_item(response)

    def page_item(self, response: Response) -> ArticleItem:
        request = response.request
        url = request.meta.get("redirect_urls", [request.url])[0] if request else response.url
        rules = rules_for_url(response.url) or self.site_rules
        return ArticleItem(
            url=url,
            final_url=response.url,
            status=response.status,
            response_headers=_header_pairs(response.headers),
            request_headers=_header_pairs(request.headers) if request else [],
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
            page=response.body,
            fetched_at=datetime.now(UTC).isoformat(),
            site=rules.name if rules else registered_host(response.url),
            discovered_from=response.meta.get("discovered_from"),
            snapshot=response.meta.get("replayed_record"),
        )

    def fetch_failed(self, failure) -> None:
        """A fetch that never gave a response (DNS, refused, timeout, HTTP error on a source)."""
        request = failure.request
        reason = failure.value.__class__.__name__
        if (response := getattr(failure.value, "response", None)) is not None:
            reason = f"http_{response.status}"
        self.crawler.stats.inc_value(f"fetch/failed/{reason}")
        self.logger.warning("fetch failed: %s (%s: %s)", request.url, reason, failure.getErrorMessage())
