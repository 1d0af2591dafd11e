"""Answer every request from recorded WARC snapshots instead of the network.

Enabled by the ``REPLAY_FROM`` setting (a WARC file or a folder of them): a
recorded URL gets its recorded response, any other URL a 404, and nothing
leaves the machine. Responses carry their WARC location in
``request.meta["replayed_record"]`` so the capture points at the
existing record instead of writing the same bytes again. A request for the
browser (``meta["playwright"]``) gets the page as it was rendered (its
``conversion`` record): a replay never starts a browser.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archive.warc import WarcIndex
from pipelines.extraction.urls import canonical_url

logger = logging.getLogger(__name__)


class ReplayMiddleware:
    def __init__(self, path: str, stats):
        self.index = WarcIndex(path)
        self.by_canonical = {canonical_url(url): url for url in self.index.entries}
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("REPLAY_FROM")
        if not path:
            raise NotConfigured  # no message: Scrapy would log "Disabled …" as a warning in every crawl
        middleware = cls(path, crawler.stats)
        crawler.stats.set_value("replay/recorded_urls", len(middleware.index))
        for file, problem in middleware.index.damaged.items():
            crawler.stats.inc_value("replay/damaged_files")
            logger.warning("replay: %s is damaged (%s); its records up to the damage are used", file, problem)
        return middleware

    def process_request(self, request: Request) -> Response:
        url = request.url if request.url in self.index.entries else self.by_canonical.get(canonical_url(request.url))
        if url is None:
            stored = None
        elif request.meta.get("playwright"):
            stored = self.index.get_rendered(url)
        else:
            stored = self.index.get(url)
        if stored is None:
            self.stats.inc_value("replay/missing")
            return Response(request.url, status=404, request=request, flags=["replay"])
        self.stats.inc_value("replay/hit")
        request.meta["replayed_record"] = stored
        headers = Headers(stored.headers)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=stored.body)
        return cls(
            url=request.url, status=stored.status, headers=headers, body=stored.body, request=request, flags=["replay"]
        )
