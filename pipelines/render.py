"""Rendering a page in Chromium when its static HTML is not the article, for the extract step.

When: the site's rules say ``render = True`` or the spider runs with ``-a render=always``
(stat ``render/needed``); or, unless ``-a render=never`` or ``RENDER_FALLBACK = False``,
when the static page turned out empty, a bot/script wall, or a script application's
shell short of article text (``render/fallback``). The same URL is fetched again through
the download handler's browser (``crawler.rendering``); the rendered DOM is kept as a WARC
``conversion`` record referring to the original response, so a replay needs no browser.
"""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy_playwright.page import PageMethod

from pipelines.archive_access import clock_of
from pipelines.drop import RENDER_FAILED, drop
from pipelines.extraction.site_rules import SiteRules
from pipelines.step import service
from pipelines.warc_thread import WarcWriter


class Renderer:
    def __init__(self, crawler):
        self.crawler, self.stats = crawler, crawler.stats
        settings = crawler.settings
        self.enabled = settings.getbool("RENDER_ENABLED")
        self.fallback = settings.getbool("RENDER_FALLBACK")
        self.settle_ms = settings.getint("RENDER_SETTLE_MS")
        self.writer = service(crawler, WarcWriter)
        self.clock = clock_of(crawler.settings)

    @property
    def mode(self) -> str:
        """The spider's ``-a render=`` (``crawler.rendering.RENDER_MODES``)."""
        return getattr(self.crawler.spider, "render", "auto")

    def always(self, rules: SiteRules | None) -> bool:
        """Whether every page goes through the browser (site rule or spider argument)."""
        return self.enabled and (self.mode == "always" or (self.mode == "auto" and bool(rules and rules.render)))

    def on_fallback(self) -> bool:
        return self.enabled and self.fallback and self.mode != "never"

    async def render(self, adapter: ItemAdapter) -> bytes:
        """The page's rendered HTML (UTF-8); its WARC record goes to ``adapter["rendered"]``.
        Raises ``PageDropped`` (``render_failed``) when the browser cannot render it."""
        url = adapter["final_url"]
        request = Request(
            url,
            dont_filter=True,
            meta={
                "playwright": True,
                "playwright_page_methods": [PageMethod("wait_for_timeout", self.settle_ms)],
                "handle_httpstatus_all": True,
                "dont_retry": True,  # a page that never loads would time out once per retry
                "dont_redirect": True,  # the browser follows redirects itself
            },
        )
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # a timeout, a crashed page, no browser: the static page is kept
            reason = exc.__class__.__name__
            self.stats.inc_value(f"render/failed/{reason}")
            raise drop(self.stats, RENDER_FAILED, f"{reason}: {str(exc).splitlines()[0][:300]}", "WARNING") from exc
        if response.status >= 400:
            self.stats.inc_value(f"render/failed/http_{response.status}")
            raise drop(self.stats, RENDER_FAILED, f"HTTP {response.status} in the browser", "WARNING")
        if replayed := request.meta.get("replayed_record"):
            adapter["rendered"] = replayed.ref
        else:
            when = self.clock()
            adapter["rendered"] = await self.writer.conversion(url, response.body, adapter["snapshot"].record_id, when)
        self.stats.inc_value("render/rendered")
        return response.body
