"""The capture: every response the crawl receives into a WARC file, before anything can go wrong
with it — articles, discovery pages, robots.txt, redirect hops and retried attempts alike,
so the WARC files of a crawl replay that crawl. A payload already archived for the same
URL is written as a ``revisit`` record pointing at it.

The capture middleware (``crawler.middlewares.capture``) calls ``Snapshotter.capture`` for
each response as it comes off the wire (decoded, with its original encoding noted); the
record travels on the request as a ``pipelines.outcomes.Capture`` until the request's
outcome is known.
"""

from __future__ import annotations

import logging
from datetime import datetime

from scrapy.http import Response

from archive.store import Archive, Capture
from archive.warc import Exchange, RecordRef, StoredResponse
from pipelines.archive_access import ArchiveThread, clock_of
from pipelines.outcomes import Capture as FetchCapture
from pipelines.step import service
from pipelines.warc_thread import WarcWriter

logger = logging.getLogger(__name__)


def header_pairs(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


class Snapshotter:
    def __init__(self, crawler):
        self.crawler, self.stats = crawler, crawler.stats
        self.writer = service(crawler, WarcWriter)
        self.database = service(crawler, ArchiveThread)
        self.clock = clock_of(crawler.settings)

    async def _lookup(self, query, url: str, *args) -> Capture | None:
        """An earlier capture of ``url`` the ``query`` finds (the same bytes, or the capture a
        ``304`` affirms); without the database, none: the fetch is written as a response."""
        try:
            return await self.database.call(query, url, *args, retry=False)
        except Exception as exc:
            logger.warning("no revisit check for %s: archive unavailable (%s)", url, exc.__class__.__name__)
            return None

    async def capture(self, response: Response) -> FetchCapture:
        request = response.request
        fetched_at = self.clock()
        exchange = Exchange(
            url=response.url,
            status=response.status,
            headers=header_pairs(response.headers),
            body=response.body,
            fetched_at=fetched_at,
            method=request.method if request else "GET",
            request_headers=tuple(header_pairs(request.headers)) if request else (),
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        if response.status == 304 and (affirmed := await self._lookup(Archive.latest_capture, exchange.url)):
            ref = await self.writer.revisit(exchange, affirmed.url, affirmed.fetched_at, not_modified=affirmed.digest)
            self.stats.inc_value("warc/revisits/not_modified")
        elif (previous := await self._lookup(Archive.previous_capture, exchange.url, exchange.digest)) is not None:
            ref = await self.writer.revisit(exchange, previous.url, previous.fetched_at)
            self.stats.inc_value("warc/revisits")
        else:
            ref = await self.writer.response(exchange)
        self.stats.inc_value("warc/records")
        self.stats.inc_value("warc/bytes", ref.length)
        return _capture_of(response, fetched_at, ref)

    def replayed(self, response: Response, stored: StoredResponse) -> FetchCapture:
        """A response answered from an existing WARC record: no new record; its row points at
        the record, with the time it was captured."""
        self.stats.inc_value("warc/reused")
        return _capture_of(response, datetime.fromisoformat(stored.fetched_at), stored.ref)


def _capture_of(response: Response, fetched_at: datetime, ref: RecordRef) -> FetchCapture:
    return FetchCapture(
        url=response.url,
        status=response.status,
        fetched_at=fetched_at.isoformat(),
        content_type=response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
        ref=ref,
    )
