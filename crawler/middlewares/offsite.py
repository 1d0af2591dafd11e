"""Scrapy's offsite rule, for every request: retried and redirected requests too.

Scrapy's ``OffsiteMiddleware`` lets any request with ``dont_filter`` through, and
``RetryMiddleware`` sets ``dont_filter`` on every retry — so a page that failed once could
redirect the crawler anywhere. Here only ``meta["allow_offsite"]`` lifts the rule, and a
redirect that leaves the site ends as ``refused:offsite`` with its target recorded.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.utils.httpobj import urlparse_cached

from pipelines.outcomes import RequestRefused, fetch_outcome


class StrictOffsiteMiddleware(OffsiteMiddleware):
    def _allowed(self, request: Request) -> bool:
        return bool(request.meta.get("allow_offsite")) or self.should_follow(request, self.crawler.spider)

    def request_scheduled(self, request: Request, spider) -> None:
        if self._allowed(request):
            return
        if request.meta.get("redirect_urls"):  # the hop that pointed here is archived; say where it went
            self.stats.inc_value("offsite/redirects")
            self.crawler.signals.send_catch_log(
                fetch_outcome, request=request, outcome="refused:offsite", detail=request.url, response=None
            )
        self.process_request(request)

    def process_request(self, request: Request, spider=None) -> None:
        if self._allowed(request):
            return
        self.stats.inc_value("offsite/filtered")
        domain = urlparse_cached(request).hostname
        raise RequestRefused("offsite", f"{domain}: {request.url}")
