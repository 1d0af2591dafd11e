"""The destination guard: no request leaves for a loopback, private, link-local, multicast
or reserved address, or by a scheme other than http(s).

Checked for every request the engine downloads — start URLs, discovered links, redirects,
meta refreshes, retries, robots.txt — after DNS resolution (``crawler.destinations``), and
once more on the peer address a response came from (a name that resolved differently at
connection time). ``ALLOWED_PRIVATE_NETWORKS`` lets an intranet crawl or a test allow what
it means to. Replay (``REPLAY_FROM``) answers before the guard: an offline replay needs no DNS.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.destinations import DestinationChecker, address_refusal, networks
from pipelines.outcomes import RequestRefused

logger = logging.getLogger(__name__)


class DestinationGuardMiddleware:
    def __init__(self, checker: DestinationChecker, stats):
        self.checker = checker
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DESTINATION_GUARD_ENABLED"):
            raise NotConfigured("DESTINATION_GUARD_ENABLED is off")
        allowed = networks(crawler.settings.getlist("ALLOWED_PRIVATE_NETWORKS"))
        return cls(DestinationChecker(allowed), crawler.stats)

    def _refuse(self, request: Request, reason: str, where: str) -> RequestRefused:
        self.stats.inc_value(f"guard/refused/{reason}")
        logger.warning("refused %s: %s destination (%s)", request.url, reason, where)
        return RequestRefused(reason, f"{where}: {request.url}")

    async def process_request(self, request: Request) -> None:
        if reason := await self.checker.refusal(request.url):
            raise self._refuse(request, reason, "destination")

    def process_response(self, request: Request, response: Response) -> Response:
        peer = response.ip_address
        if peer is not None and (reason := address_refusal(peer, self.checker.allowed)):
            raise self._refuse(request, reason, f"connected to {peer}")
        return response
