"""The download handler for http(s): Scrapy's own for ordinary requests; Chromium
(``crawler.rendering.browser_handler``, on scrapy-playwright) for requests with
``meta["playwright"]``, imported and built on the first of them — most crawls render
nothing and pay nothing for it, not even the import (0.9 s of every crawl's start).
"""

from __future__ import annotations

import asyncio

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Request, Response


class RenderingDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self._browser = None
        self._browser_lock = asyncio.Lock()

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        return await (await self.browser()).download_request(request)

    async def browser(self):
        async with self._browser_lock:
            if self._browser is None:
                from crawler.rendering.browser_handler import BrowserDownloadHandler

                self._browser = BrowserDownloadHandler(self._crawler)
            return self._browser

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        await super().close()
