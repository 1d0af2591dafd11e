"""URLs as pages use them: made absolute, their site's host; the canonical form (one spelling
per page, tracking parameters removed) is the archive's (``archive.keys``)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from archive.keys import canonical_url, strip_tracking

__all__ = ["absolute_url", "canonical_url", "registered_host", "strip_tracking"]


def absolute_url(href: str | None, base: str) -> str | None:
    """``href`` resolved against the page, or None for non-web links (``data:``, ``javascript:``)."""
    if not href or not (href := href.strip()):
        return None
    url = urljoin(base, href)
    return url if url.startswith(("http://", "https://")) else None


def registered_host(url: str) -> str:
    """Host without ``www.``: what tells two URLs are of the same site."""
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")
