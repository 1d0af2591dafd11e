"""scrapy-playwright's Chromium for requests with ``meta["playwright"]``, built by the
download handler (``crawler.rendering.handler``) for the first page that needs a browser.

On top of scrapy-playwright it: starts Playwright on its first page; configures it from the ``RENDER_*``
settings; and recycles browser contexts every ``RENDER_PAGES_PER_CONTEXT`` pages,
closing a retired context once its last page is done, so a long crawl's memory stays
bounded (pages are closed by scrapy-playwright after each response).
"""

from __future__ import annotations

import asyncio
import logging

from scrapy.http import Request, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawler.destinations import DestinationChecker, networks
from crawler.rendering.blocking import request_blocker
from crawler.rendering.browser import NO_BROWSER, launch_options
from crawler.rendering.proxy import GuardProxy

logger = logging.getLogger(__name__)


class BrowserDownloadHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.browser_choice = settings.get("RENDER_BROWSER") or "auto"
        self.config.navigation_timeout_ms = settings.getfloat("RENDER_TIMEOUT") * 1000
        self.config.max_pages_per_context = settings.getint("RENDER_CONCURRENCY")
        checker = None
        if settings.getbool("DESTINATION_GUARD_ENABLED"):
            checker = DestinationChecker(networks(settings.getlist("ALLOWED_PRIVATE_NETWORKS")))
        self.proxy = GuardProxy(checker, crawler.stats) if checker else None
        self.abort_request = request_blocker(
            settings.getlist("RENDER_BLOCK_RESOURCE_TYPES"),
            settings.getlist("RENDER_BLOCK_HOSTS"),
            checker,
            crawler.stats,
        )
        self.pages_per_context = settings.getint("RENDER_PAGES_PER_CONTEXT")
        self._generation, self._pages_in_generation = 0, 0
        self._in_flight: dict[str, int] = {}  # requests given to each context and not yet done
        self._start_lock = asyncio.Lock()
        self._started = False

    async def _maybe_launch_in_thread(self) -> None:
        """Connected to ``engine_started`` by scrapy-playwright: nothing to start yet."""

    async def download_request(self, request: Request) -> Response:
        await self._start()
        request.meta["playwright_context"] = context = await self._next_context()
        self._in_flight[context] = self._in_flight.get(context, 0) + 1
        try:
            return await super().download_request(request)
        finally:
            self._in_flight[context] -= 1
            await self._close_if_retired(context)

    async def _start(self) -> None:
        async with self._start_lock:
            if self._started:
                return
            proxy = await self.proxy.start() if self.proxy else None  # the browser's only way out
            self.config.launch_options = launch_options(self.browser_choice, proxy)  # BrowserNotFoundError says what
            await self._launch()
            self._started = True

    async def _next_context(self) -> str:
        if self._pages_in_generation >= self.pages_per_context:
            retired = f"render-{self._generation}"
            self._generation, self._pages_in_generation = self._generation + 1, 0
            await self._close_if_retired(retired)  # else its last page closes it
        self._pages_in_generation += 1
        return f"render-{self._generation}"

    async def _close_if_retired(self, name: str) -> None:
        """Close a retired context once no request given to it is left (some may still be
        waiting for a page slot: counting open pages would close it under them)."""
        if name == f"render-{self._generation}" or self._in_flight.get(name):
            return
        self._in_flight.pop(name, None)
        if (wrapper := self.context_wrappers.get(name)) is not None:
            self.stats.inc_value("render/contexts_recycled")
            await wrapper.context.close()  # scrapy-playwright's close callback forgets it

    async def _close(self) -> None:
        await super()._close()
        if self.proxy is not None:
            await self.proxy.close()

    async def _maybe_launch_browser(self) -> None:
        try:
            await super()._maybe_launch_browser()
        except Exception as exc:
            if "Executable doesn't exist" in str(exc) or isinstance(exc, FileNotFoundError):
                raise RuntimeError(NO_BROWSER) from exc
            raise
