"""What a rendered page may not load: resource types a text archive does not need
(``RENDER_BLOCK_RESOURCE_TYPES``), ad and tracker hosts (``RENDER_BLOCK_HOSTS``, with their
subdomains) — blocking them is most of a render's speed and memory — and, like every
request of the crawl, destinations the guard refuses (``crawler.destinations``): the
page's scripts, frames, fetches and redirects never reach a private or local address."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from crawler.destinations import DestinationChecker

logger = logging.getLogger(__name__)


def request_blocker(
    resource_types: Iterable[str], hosts: Iterable[str], destinations: DestinationChecker | None = None, stats=None
) -> Callable[[object], Awaitable[bool]]:
    """A ``PLAYWRIGHT_ABORT_REQUEST`` predicate over Playwright requests."""
    types = frozenset(resource_types)
    blocked = tuple(h.lower().lstrip(".") for h in hosts)

    async def should_abort(request) -> bool:
        if request.url.startswith(("data:", "blob:", "about:")):
            return False  # made by the page itself, nothing leaves the browser
        if destinations is not None and (reason := await destinations.refusal(request.url)):
            if stats is not None:
                stats.inc_value(f"render/refused/{reason}")
            logger.warning("browser request refused: %s (%s destination)", request.url, reason)
            return True
        if request.resource_type in types:
            return True
        host = (urlsplit(request.url).hostname or "").lower()
        return any(host == b or host.endswith("." + b) for b in blocked)

    return should_abort
