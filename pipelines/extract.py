"""The extract step: the article from the page — extracted, cleaned (NFC, spaces, repeated
lines) and signed (fingerprint, MinHash) in one task on a worker process; pages that are not
articles are dropped here. The site's rules come from ``SITE_RULES_FOR_URL`` (a setting naming
a function ``(url, fetch time) -> SiteRules | None``: the crawler's site modules, in the version
in force when the page was fetched), else the spider's ``site_rules``."""

from __future__ import annotations

import logging
from datetime import datetime

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.utils.misc import load_object

from archive.warc import RENDERED_TYPE
from pipelines.drop import EXTRACTION_ERROR, MALFORMED, NOT_FOUND, NOT_HTML, NOT_MODIFIED, drop, http_status
from pipelines.extraction.article import article_from_page
from pipelines.extraction.classify import ARCHIVED_TYPES
from pipelines.extraction.dom import MalformedPageError
from pipelines.render import Renderer
from pipelines.step import CrawlerPipeline, service
from pipelines.workers import WorkerPool

logger = logging.getLogger(__name__)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class ExtractPipeline(CrawlerPipeline):
    """Extraction runs in the crawler's worker pool (``PIPELINE_WORKERS``); pages whose
    static HTML is not the article go through the browser first (``pipelines.render``)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.pool = service(crawler, WorkerPool)
        crawler.signals.connect(self.pool.start, signal=signals.spider_opened)  # workers ready for the first page
        self.renderer = Renderer(crawler)
        lookup = crawler.settings.get("SITE_RULES_FOR_URL")
        self.rules_for_url = load_object(lookup) if lookup else lambda url, when=None: None

    async def process_item(self, item):
        adapter = ItemAdapter(item)
        page, adapter["page"] = adapter["page"], None  # the WARC has it; free the memory
        status = adapter["status"]
        if status == 304:
            raise drop(self.stats, NOT_MODIFIED)
        if status in (404, 410):
            raise drop(self.stats, NOT_FOUND, f"HTTP {status}")
        if status >= 300:
            raise drop(self.stats, http_status(status))
        content_type = (adapter.get("content_type") or "text/html").split(";")[0].strip().lower()
        if content_type not in _HTML_TYPES:
            raise drop(self.stats, NOT_HTML, content_type)
        url, fetched_at = adapter["final_url"], datetime.fromisoformat(adapter["fetched_at"])
        rules = self.rules_for_url(url, fetched_at) or getattr(self.crawler.spider, "site_rules", None)
        headers = dict(adapter["response_headers"])
        rendered = self.renderer.always(rules)
        if rendered:
            self.stats.inc_value("render/needed")
            page, headers = await self.renderer.render(adapter), {"Content-Type": RENDERED_TYPE}
        fields = await self._extract(url, page, headers, rules, fetched_at)
        if fields.pop("needs_browser") and not rendered and self.renderer.on_fallback():
            self.stats.inc_value("render/fallback")
            page, headers = await self.renderer.render(adapter), {"Content-Type": RENDERED_TYPE}
            fields = await self._extract(url, page, headers, rules, fetched_at)
            fields.pop("needs_browser")
        if fields["page_type"] not in ARCHIVED_TYPES:
            raise drop(self.stats, fields["page_type"])
        self._check_rules(rules, fields, url, fetched_at)
        self.stats.inc_value(f"pages/{fields['page_type']}")
        for key, value in fields.items():
            if key != "url":
                adapter[key] = value
        return item

    def _check_rules(self, rules, fields: dict, url: str, fetched_at: datetime) -> None:
        """Site-rule health: an article page where the site's body selectors matched nothing (the
        generic extractor read it) says the layout changed; counted, said once per crawl and
        kept in the run's record (``extraction/rules_missed``, the fetch time of the first)."""
        if not rules or not rules.body or fields["provenance"].get("body") == "rules":
            return
        self.stats.inc_value("extraction/rules_missed")
        if self.stats.get_value("extraction/rules_missed") == 1:
            self.stats.set_value("extraction/rules_missed_first", fetched_at.isoformat())
            logger.warning(
                "%s: the site's rules matched no article body on %s: its layout may have changed "
                "(read by the generic extractor; extraction/rules_missed counts such pages)",
                rules.name,
                url,
            )

    async def _extract(self, url: str, page: bytes, headers: dict, rules, fetched_at: datetime) -> dict:
        try:
            return await self.pool.run(article_from_page, page, url, headers, rules, fetched_at)
        except MalformedPageError as exc:
            raise drop(self.stats, MALFORMED, str(exc), "WARNING") from exc
        except Exception as exc:  # an extractor bug must not stop the crawl; the WARC keeps the page
            logger.exception("extraction failed for %s", url)
            raise drop(self.stats, EXTRACTION_ERROR, repr(exc), "ERROR") from exc
