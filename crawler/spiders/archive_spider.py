"""The discovery-and-fetch spider every site spider is made of.

It reads discovery sources (sitemap indexes, news sitemaps, RSS/Atom feeds,
listing pages; on a site without rules also the feeds a start page announces and the
sitemaps its robots.txt lists), picks article URLs (the site rule's pattern, or a URL-shape
heuristic for sites without rules), fetches each article once per run and
yields one page item per article fetch. It never parses article fields: the
pipelines do.

Arguments: ``-a start=URL[,URL…]`` replaces the discovery sources,
``-a limit=N`` caps the article fetches of a run, ``-a since=YYYY-MM-DD``
skips entries dated before that day (where sources give dates).

Every request it makes ends in one recorded outcome (``pipelines.outcomes``): an article
fetch as a page item, a discovery page as ``discovered:<kind>``, a request that got no
response as ``refused:<reason>`` or ``failed:<error>``. Discovery is bounded per run
(``DISCOVERY_MAX_DEPTH``, ``DISCOVERY_MAX_SOURCES``, ``LISTING_MAX_PAGES``,
``SITEMAP_MAX_URLS``), what was cut counted in ``discovery/cut/*``. Sources found by discovery
(the sitemaps of an index, a listing's next page) are asked a few at a time, and only while fewer
than ``DISCOVERY_BACKLOG`` requests wait in the scheduler: a sitemap index of a million URLs is read
as its articles are fetched, not all at once.
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, date, datetime
from functools import cached_property
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number

from crawler.discovery import (
    Link,
    alternate_feeds,
    feed_links,
    has_article_path,
    page_links,
    robots_sitemaps,
    sitemap_links,
    source_kind,
)
from crawler.rendering import RENDER_MODES
from crawler.sites import SiteRules, rules_for_url
from pipelines.archive_access import clock_of
from pipelines.extraction.dates import parse_offset
from pipelines.extraction.urls import absolute_url, canonical_url, registered_host
from pipelines.items import PageItem
from pipelines.outcomes import (
    DISCOVERED,
    FAILED,
    REFUSED,
    earlier_fates,
    failure_outcome,
    fetch_outcome,
    links_refused,
)
from pipelines.snapshot import header_pairs

SOURCES_AT_ONCE = 4
"""Found sources asked at once, at most: a sitemap lists up to 50,000 articles (35 MB of requests)."""
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ARTICLE_STATUSES = [status for status in range(100, 600) if status not in REDIRECT_STATUSES]
"""An article's every answer reaches the pipelines (and its recorded outcome) — but redirects,
which Scrapy follows to the page they point at."""


class ArchiveSpider(scrapy.Spider):
    site_rules: SiteRules | None = None

    ARGUMENTS = ("start", "limit", "since", "render")

    @classmethod
    def parse_arguments(cls, arguments: dict[str, str]) -> dict:
        """The spider's ``-a`` arguments checked and converted; ``ValueError`` with one line that
        names the argument otherwise (``crawler.commands.crawl`` turns it into a usage error).
        Names starting with ``_`` are the runner's (scrapyd's ``_job``)."""
        unknown = sorted(k for k in arguments if k not in cls.ARGUMENTS and not k.startswith("_"))
        if unknown:
            raise ValueError(f"unknown spider argument -a {unknown[0]}=…: use {', '.join(cls.ARGUMENTS)}")
        render = arguments.get("render") or "auto"
        if render not in RENDER_MODES:
            raise ValueError(f"-a render={render!r}: use one of {', '.join(RENDER_MODES)}")
        start = arguments.get("start")
        sources = [u.strip() for u in start.split(",") if u.strip()] if start else list(cls._default_sources())
        for url in sources:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"-a start={url!r}: not an http(s) URL")
        if not sources:
            raise ValueError(f"spider {cls.name!r} has no discovery source: pass -a start=URL[,URL…]")
        limit = arguments.get("limit")
        if limit is not None and (not limit.isdigit() or int(limit) < 1):
            raise ValueError(f"-a limit={limit!r}: a whole number of articles, 1 or more")
        since = arguments.get("since")
        try:
            since_day = date.fromisoformat(since) if since else None
        except ValueError:
            raise ValueError(f"-a since={since!r}: a date, YYYY-MM-DD") from None
        return {"sources": sources, "limit": int(limit) if limit else None, "since": since_day, "render": render}

    @classmethod
    def _default_sources(cls) -> tuple[str, ...]:
        return cls.site_rules.sources if cls.site_rules else ()

    def __init__(self, *args, **kwargs):
        parsed = self.parse_arguments(kwargs)
        super().__init__(*args, **{k: v for k, v in kwargs.items() if k not in self.ARGUMENTS})
        self.render = parsed["render"]
        self.sources = parsed["sources"]
        self.limit = parsed["limit"]
        tz = parse_offset(self.site_rules.timezone) if self.site_rules else UTC
        self.since = datetime.combine(parsed["since"], datetime.min.time(), tz) if parsed["since"] else None
        domains = set(self.site_rules.domains if self.site_rules else ())
        domains |= {registered_host(u) for u in self.sources if urlsplit(u).hostname}  # www. and apex alike
        self.allowed_domains = sorted(domains)
        self.forbidden: set[str] = set()  # URLs refused by robots.txt in this run, as linked
        self.robots: dict[str, object] = {}  # netloc -> its parsed robots.txt, once the engine fetched it
        self.listing = 0  # sources whose articles are on their way to the scheduler (across rounds)
        self.new_round()

    def new_round(self) -> None:
        """Forget what this round asked for: a continuous crawl (``CONTINUOUS``) asks again."""
        self.requested: set[int] = set()  # articles, by their canonical URL's hash (a million: 60 MB, not 150)
        self.sources_seen: set[str] = set()
        self.held: deque[scrapy.Request] = deque()  # discovered sources waiting for the backlog to go down
        self.parked: deque[tuple[Response, str]] = deque()  # discovery pages answered, to be listed
        self.asking = 0  # held sources requested and not answered yet
        self.robots_read: set[str] = set()  # netlocs whose robots.txt was asked for its sitemaps

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def spider_idle(self) -> None:
        """Nothing waits and nothing is fetched: a parked page's requests, or the next held
        source, whatever was not answered (a source dropped on its way never called back)."""
        if self.parked:
            for request in self.listed(*self.parked.popleft()):
                self.crawler.engine.crawl(request)
            raise DontCloseSpider
        if self.held:
            self.asking = 0
            self.crawler.engine.crawl(self.ask_held())
            raise DontCloseSpider

    def robots_parsed(self, robotparser, request) -> None:
        self.robots[urlsplit(request.url).netloc] = robotparser

    def robots_forbid(self, url: str) -> bool:
        """Whether the site's robots.txt (when already read) disallows ``url``: such links are
        refused here, in bulk, instead of each taking its way through the scheduler."""
        parser = self.robots.get(urlsplit(url).netloc)
        if parser is None or not self.crawler.settings.getbool("ROBOTSTXT_OBEY"):
            return False
        agent = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or self.crawler.settings.get("USER_AGENT")
        return not parser.allowed(url, agent)

    async def start(self):
        for url in self.sources:
            if self.is_article(url):
                if request := self.article_request(Link(url), source="start"):
                    yield request
            else:
                yield self.source_request(url)

    @property
    def site_name(self) -> str:
        return self.site_rules.name if self.site_rules else registered_host(self.sources[0])

    # -- discovery ---------------------------------------------------------------------
    def setting(self, name: str) -> int:
        return self.crawler.settings.getint(name)

    def cut(self, what: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"discovery/cut/{what}", count)

    def source_request(self, url: str, parent: Response | None = None, page: int = 1) -> scrapy.Request | None:
        """A discovery page, within the run's bounds (depth below the start sources, sources in all)."""
        depth = parent.meta.get("discovery_depth", 0) + 1 if parent is not None else 0
        if depth > self.setting("DISCOVERY_MAX_DEPTH"):
            self.cut("depth")
            return None
        if url in self.sources_seen:
            return None
        if len(self.sources_seen) >= self.setting("DISCOVERY_MAX_SOURCES"):
            self.cut("sources")
            return None
        self.sources_seen.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_source,
            errback=self.fetch_failed,
            dont_filter=True,  # once per round (above): a continuous crawl polls its sources every round
            meta={"source": url, "archive_role": "source", "discovery_depth": depth, "listing_page": page},
        )

    def parse_source(self, response: Response):
        self.answered(response.request)
        if gzip_magic_number(response):  # a gzipped sitemap (``sitemap.xml.gz``), not a gzip transfer
            try:
                response = response.replace(body=gunzip(response.body, max_size=self.setting("DOWNLOAD_MAXSIZE")))
            except ValueError as exc:  # larger than DOWNLOAD_MAXSIZE once unpacked: a bomb
                self.source_failed(response, "too_large", exc)
                yield from self.released()
                return
            except (OSError, EOFError) as exc:  # torn, or not gzip after all
                self.source_failed(response, "bad_gzip", exc)
                yield from self.released()
                return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        kind = "robots" if urlsplit(response.url).path == "/robots.txt" else source_kind(response.body, content_type)
        self.crawler.stats.inc_value(f"discovery/{kind}")
        if kind == "html" and response.url in self.sources and self.declares_article(response):
            yield self.page_item(response)
            return
        if kind != "robots" and self.crowded():  # listed once the crawl has room for what it lists
            self.parked.append((response, kind))
            return
        yield from self.listed(response, kind)
        yield from self.released()

    def listed(self, response: Response, kind: str):
        """What a discovery page lists: its articles now, the sources it names held for their turn."""
        requests = list(self.discover(response, kind))
        self.crawler.signals.send_catch_log(
            fetch_outcome,
            request=response.request,
            outcome=f"{DISCOVERED}:{kind}",
            detail=f"{len(requests)} request(s)",
            response=response,
        )
        self.held.extend(r for r in requests if r.meta.get("archive_role") == "source")
        self.listing += 1  # until the scheduler has them all (the scraper takes them one by one)
        try:
            yield from (r for r in requests if r.meta.get("archive_role") != "source")
        finally:
            self.listing -= 1

    # -- the backlog ---------------------------------------------------------------------
    def backlog(self) -> int:
        """Requests waiting in the scheduler (its own counts)."""
        stats = self.crawler.stats
        return stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)

    def crowded(self) -> bool:
        """A discovery page is being listed, waits to be, or ``DISCOVERY_BACKLOG`` requests wait."""
        return bool(self.listing or self.parked) or self.backlog() >= self.setting("DISCOVERY_BACKLOG")

    def released(self):
        """The next parked discovery page's articles once the crawl has room for them; else held
        sources, fewer at once than ``SOURCES_AT_ONCE`` (and than a site is fetched from at once:
        one slow sitemap does not hold up the others): what sources list is read as the crawl
        has room for it, so the scheduler holds one sitemap's worth beyond ``DISCOVERY_BACKLOG``,
        and a few answered sitemaps wait as they came (bytes, not requests)."""
        if self.listing or self.backlog() >= self.setting("DISCOVERY_BACKLOG"):
            return
        if self.parked:
            yield from self.listed(*self.parked.popleft())
            return
        at_once = max(1, min(SOURCES_AT_ONCE, self.setting("CONCURRENT_REQUESTS_PER_DOMAIN")))
        while self.held and self.asking < at_once:
            yield self.ask_held()

    def ask_held(self) -> scrapy.Request:
        self.asking += 1
        request = self.held.popleft()
        request.meta["held"] = True
        return request

    def answered(self, request: scrapy.Request | None) -> None:
        if request is not None and request.meta.get("held"):
            self.asking = max(0, self.asking - 1)

    def source_failed(self, response: Response, reason: str, exc: Exception) -> None:
        self.crawler.stats.inc_value(f"discovery/{reason}")
        self.crawler.signals.send_catch_log(
            fetch_outcome,
            request=response.request,
            outcome=f"{FAILED}:{reason}",
            detail=str(exc)[:300],
            response=response,
        )

    def discover(self, response: Response, kind: str):
        if kind == "robots":
            for url in robots_sitemaps(response.body, response.url)[: self.setting("SITEMAP_MAX_URLS")]:
                if request := self.source_request(url, response):
                    yield request
        elif kind == "sitemapindex":
            for link in self.bounded(sitemap_links(response.body)):
                if self.recent(link) and (request := self.source_request(link.url, response)):
                    yield request
        elif kind in ("urlset", "feed"):
            links = sitemap_links(response.body) if kind == "urlset" else feed_links(response.body, response.url)
            yield from self.article_requests(self.bounded(links), response.url)
        elif hasattr(response, "css"):
            yield from self.parse_listing(response)

    def bounded(self, links: list[Link]) -> list[Link]:
        """At most ``SITEMAP_MAX_URLS`` entries of one sitemap or feed (the protocol's own limit is 50,000)."""
        most = self.setting("SITEMAP_MAX_URLS")
        if len(links) > most:
            self.cut("sitemap_urls", len(links) - most)
            return links[:most]
        return links

    def parse_listing(self, response: Response):
        yield from self.article_requests(page_links(response, response.url), response.url)
        if self.site_rules is None:  # a site nobody wrote rules for: its own pointers to its feeds and sitemaps
            for feed in alternate_feeds(response, response.url):
                if request := self.source_request(feed, response):
                    yield request
            if request := self.robots_request(response):
                yield request
        if next_page := self.next_page(response):
            yield next_page

    def robots_request(self, response: Response) -> scrapy.Request | None:
        """The robots.txt of a start page's site, for the sitemaps its ``Sitemap:`` lines list
        (once per host; only for start pages, not for every listing found below them)."""
        parts = urlsplit(response.url)
        if response.meta.get("discovery_depth", 0) or parts.netloc in self.robots_read:
            return None
        self.robots_read.add(parts.netloc)
        return self.source_request(f"{parts.scheme}://{parts.netloc}/robots.txt", response)

    def next_page(self, response: Response) -> scrapy.Request | None:
        """The listing's next page (``rel=next``), up to ``LISTING_MAX_PAGES`` pages per chain."""
        href = response.css("link[rel~=next]::attr(href), a[rel~=next]::attr(href)").get()
        url = absolute_url(href, response.url)
        if not url or registered_host(url) != registered_host(response.url):
            return None
        page = response.meta.get("listing_page", 1) + 1
        if page > self.setting("LISTING_MAX_PAGES"):
            self.cut("listing_pages")
            return None
        request = self.source_request(url, response, page)
        if request is not None:
            request.meta["discovery_depth"] = response.meta.get("discovery_depth", 0)  # a page, not a level
        return request

    def declares_article(self, response: Response) -> bool:
        """A start URL of a site without rules that is itself an article page (``news``
        spider on one article); known sites say so by their article URL pattern."""
        if self.site_rules or rules_for_url(response.url):
            return False
        return (response.css("meta[property='og:type']::attr(content)").get() or "").strip() == "article"

    def article_requests(self, links: list[Link], source: str):
        wanted = [link for link in links if self.is_article(link.url) and self.recent(link)]
        for link in self.robots_allowed(wanted):
            if request := self.new_article_request(link, source):
                yield request

    def is_article(self, url: str) -> bool:
        """By the site rule's pattern, else by the URL's shape on one of the start sources' sites
        (``looks_like_article``; the hosts are worked out once, a sitemap may list 50,000 URLs)."""
        host = registered_host(url)
        rules = self.site_rules or rules_for_url(url)
        if rules is not None and rules.owns(host):
            return rules.is_article_url(url)
        return host in self.source_hosts and has_article_path(url)

    @cached_property
    def source_hosts(self) -> frozenset[str]:
        return frozenset(registered_host(source) for source in self.sources)

    def recent(self, link: Link) -> bool:
        if self.since is None or link.date is None or link.date >= self.since:
            return True
        self.crawler.stats.inc_value("discovery/older_than_since")
        return False

    def article_request(self, link: Link, source: str, headers: dict | None = None) -> scrapy.Request | None:
        """A fetch of an article, once per run by canonical URL, unless robots.txt disallows it."""
        return self.new_article_request(link, source, headers) if self.robots_allowed([link]) else None

    def robots_allowed(self, links: list[Link]) -> list[Link]:
        """The links robots.txt allows; the others are refused before they are canonicalized or
        requested, with one signal for all (a sitemap may list 50,000 of them)."""
        allowed, refused = [], []
        for link in links:
            if link.url in self.forbidden:
                continue
            if self.robots_forbid(link.url):
                self.forbidden.add(link.url)
                refused.append(link.url)
            else:
                allowed.append(link)
        if refused:
            self.crawler.stats.inc_value("refused/robots_txt", len(refused))
            self.crawler.signals.send_catch_log(links_refused, urls=refused, outcome=f"{REFUSED}:robots_txt")
        return allowed

    def new_article_request(self, link: Link, source: str, headers: dict | None = None) -> scrapy.Request | None:
        """A fetch of an article robots.txt allows, unless this run already asked for its canonical URL."""
        key = hash(canonical_url(link.url))  # 64 bits: a collision in a run of a million, about 1 in 40 million
        if key in self.requested:
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
            dont_filter=True,  # fetched once per run by canonical URL (above); redirects are loop-checked
            meta={
                "handle_httpstatus_list": ARTICLE_STATUSES,
                "discovered_from": source,
                "archive_role": "article",
                "link_date": link.date,  # a sitemap lastmod or feed date (scheduled mode compares it)
            },
        )

    # -- fetching ----------------------------------------------------------------------
    def parse_article(self, response: Response):
        yield self.page_item(response)
        yield from self.released()

    def page_item(self, response: Response) -> PageItem:
        """The fetch as the pipelines see it: the URL asked for, where it ended after redirects,
        and its WARC record (earlier hops and attempts as ``hops``, each with its outcome)."""
        request = response.request
        chain = request.meta.get("redirect_urls", []) if request else []
        captures = response.meta.get("captures") or []
        final = captures[-1] if captures else None
        rules = rules_for_url(response.url) or self.site_rules
        return PageItem(
            url=chain[0] if chain else (request.url if request else response.url),
            final_url=response.url,
            redirect_urls=chain[1:],
            status=response.status,
            response_headers=header_pairs(response.headers),
            request_headers=header_pairs(request.headers) if request else [],
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
            page=response.body,
            fetched_at=final.fetched_at if final else clock_of(self.crawler.settings)().isoformat(),
            site=rules.name if rules else registered_host(response.url),
            discovered_from=response.meta.get("discovered_from"),
            hinted=bool(response.meta.get("hinted")),
            snapshot=final.ref if final else None,
            hops=[c.row(fate) for c, fate in zip(captures, earlier_fates(captures), strict=False)],
        )

    def fetch_failed(self, failure) -> list[scrapy.Request]:
        """A request that ended without a response for the callback: refused (guard, offsite,
        robots.txt, a redirect loop), an HTTP error on a discovery page, or a network failure."""
        request = failure.request
        outcome, detail = failure_outcome(failure.value)
        reason = outcome.split(":", 1)[1]
        response = getattr(failure.value, "response", None)
        if outcome.startswith(REFUSED):
            self.crawler.stats.inc_value(f"refused/{reason}")
            self.logger.debug("refused: %s (%s)", request.url, reason)
        else:
            self.crawler.stats.inc_value(f"fetch/failed/{failure.value.__class__.__name__}")
            if response is not None:
                self.crawler.stats.inc_value(f"fetch/failed/{reason}")
            self.logger.warning("fetch failed: %s (%s: %s)", request.url, reason, failure.getErrorMessage())
        self.crawler.signals.send_catch_log(
            fetch_outcome, request=request, outcome=outcome, detail=detail, response=response
        )
        self.answered(request)
        return list(self.released())
