"""Redirects and meta refreshes followed as a browser would, with loops cut short.

Scrapy's middlewares bound a chain by ``REDIRECT_MAX_TIMES``; on top of that a hop back to
a URL already in the chain is a loop (``failed:redirect_loop`` at once, not twenty fetches
later), and a redirected request skips the duplicate filter, so a hop to a page fetched
earlier in the run is not dropped without an outcome (the strict offsite rule and the
destination guard still apply to it).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from w3lib.url import canonicalize_url

from pipelines.outcomes import RequestRefused

REFRESH_SCAN_BYTES = 4096 * 4
"""Scrapy looks for a meta refresh in a page's first 4,096 characters: at most 4 bytes each."""


def may_refresh(body: bytes) -> bool:
    """Whether a page could hold a meta refresh where Scrapy looks for one. Any encoding a page
    can be served in spells ``refresh`` in ASCII bytes, except UTF-16 and UTF-32, whose markup
    has NUL bytes: those, and every page with the word, get Scrapy's full check, which decodes
    the whole body on the reactor thread (4 % of its time holding the interpreter in ``make
    bench``'s real-page crawl, where no page has one)."""
    head = body[:REFRESH_SCAN_BYTES]
    return b"\x00" in head or b"refresh" in head.lower()


def is_loop(chain: list[str], current: str, target: str) -> bool:
    """Whether ``target`` was already visited in the chain that led to ``current``."""
    seen = {canonicalize_url(u) for u in [*chain, current]}
    return canonicalize_url(target) in seen


class _LoopSafe:
    def process_response(self, request: Request, response, spider=None):
        try:
            return super().process_response(request, response)
        except RequestRefused as refused:
            refused.response = response  # the loop's last hop is this response: its row says so
            raise

    def _redirect(self, redirected: Request, request: Request, reason) -> Request:
        if is_loop(request.meta.get("redirect_urls", []), request.url, redirected.url):
            self.crawler.stats.inc_value("redirect/loops")
            raise RequestRefused("redirect_loop", f"{request.url} -> {redirected.url}")
        redirected = super()._redirect(redirected, request, reason)
        redirected.dont_filter = True
        return redirected


class LoopSafeRedirectMiddleware(_LoopSafe, RedirectMiddleware):
    pass


class LoopSafeMetaRefreshMiddleware(_LoopSafe, MetaRefreshMiddleware):
    def process_response(self, request: Request, response, spider=None):
        if not may_refresh(response.body):
            return response
        return super().process_response(request, response)
