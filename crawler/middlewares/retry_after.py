"""Retries that honour ``Retry-After``: a 429 or 503 that says when to come back is asked
again no sooner (at most ``RETRY_AFTER_MAX`` seconds later; a longer wait gives up), and the
whole site backs off meanwhile: its download slot waits as long before any other request."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

from pipelines.archive_access import clock_of
from pipelines.outcomes import Capture

logger = logging.getLogger(__name__)
_HONOURED = (429, 503)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date), or None."""
    if not value or not (value := value.strip()):
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler
        middleware.clock = clock_of(crawler.settings)
        return middleware

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in _HONOURED or request.meta.get("dont_retry"):
            return super().process_response(request, response)
        header = response.headers.get(b"Retry-After")
        wait = retry_after_seconds(header.decode("latin-1") if header else None)
        if wait is None:
            return super().process_response(request, response)
        stats = self.crawler.stats
        if wait > self.max_wait:
            stats.inc_value("retry/after_too_long")
            logger.warning("%s asks to come back in %.0f s (> RETRY_AFTER_MAX): not retried", request.url, wait)
            return response
        stats.inc_value("retry/after_honoured")
        self._back_off(request, wait)
        await asyncio.sleep(wait)
        return super().process_response(request, response)

    def process_exception(self, request: Request, exception: Exception):
        """A failed attempt that is tried again keeps its place in the request's record."""
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            attempt = Capture(request.url, None, self.clock().isoformat(), None, None, exception.__class__.__name__)
            retry.meta["captures"] = [*request.meta.get("captures", ()), attempt]
        return retry

    def _back_off(self, request: Request, wait: float) -> None:
        """Every request to the site waits too: its slot's delay, for as long as asked."""
        downloader = self.crawler.engine.downloader
        slot_key = downloader.get_slot_key(request)
        slot = downloader.slots.get(slot_key)
        if slot is None or slot.delay >= wait:
            return
        before, slot.delay = slot.delay, wait
        asyncio.get_running_loop().call_later(wait, lambda: setattr(slot, "delay", max(before, 0.0)))
