"""Every response into the WARC as it comes off the wire (``pipelines.snapshot``).

Two downloader middlewares around Scrapy's ``HttpCompressionMiddleware`` (590):
``OriginalEncodingMiddleware`` (above it) notes the ``Content-Encoding`` and
``Content-Length`` the server sent, which decompression deletes, as
``X-Archive-Orig-*`` headers; ``CaptureMiddleware`` (below it, above the redirect
and retry middlewares) writes the decoded response, so redirect hops and retried
attempts are kept too. A response of the spider's own requests travels on as
``request.meta["captures"]`` until its outcome is known; any other (robots.txt)
is recorded at once. Replayed responses point at their existing record; the browser's
responses are kept by the renderer (the rendered DOM).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response

from pipelines.outcomes import FETCHED, ROBOTS, fetch_outcome
from pipelines.snapshot import Snapshotter


class OriginalEncodingMiddleware:
    def process_response(self, request: Request, response: Response) -> Response:
        if encoding := response.headers.getlist(b"Content-Encoding"):
            response.headers[b"X-Archive-Orig-Content-Encoding"] = encoding
            if length := response.headers.get(b"Content-Length"):
                response.headers[b"X-Archive-Orig-Content-Length"] = length
        return response


class CaptureMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.snapshotter = Snapshotter(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("playwright"):
            return response
        if "replay" in response.flags:
            if (stored := request.meta.get("replayed_record")) is None:
                return response  # the replay's stand-in for an unrecorded URL: nothing was fetched
            capture = self.snapshotter.replayed(response, stored)
        else:
            capture = await self.snapshotter.capture(response)
        request.meta["captures"] = [*request.meta.get("captures", ()), capture]
        if not request.meta.get("archive_role"):  # not the spider's: nobody else will say what it was
            outcome = ROBOTS if request.url.endswith("/robots.txt") else FETCHED
            self.crawler.signals.send_catch_log(
                fetch_outcome, request=request, outcome=outcome, detail=None, response=response
            )
        return response
