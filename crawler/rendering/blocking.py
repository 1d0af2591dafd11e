"""What a rendered page may not load: resource types a text archive does not need
(``RENDER_BLOCK_RESOURCE_TYPES``) and ad and tracker hosts (``RENDER_BLOCK_HOSTS``, with
their subdomains). Blocking them is most of a render's speed and memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit


def request_blocker(resource_types: Iterable[str], hosts: Iterable[str]) -> Callable[[object], bool]:
    """A ``PLAYWRIGHT_ABORT_REQUEST`` predicate over Playwright requests."""
    types = frozenset(resource_types)
    blocked = tuple(h.lower().lstrip(".") for h in hosts)

    def should_abort(request) -> bool:
        if request.resource_type in types:
            return True
        host = (urlsplit(request.url).hostname or "").lower()
        return any(host == b or host.endswith("." + b) for b in blocked)

    return should_abort
