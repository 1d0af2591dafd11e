"""The shape of a site's rules: plain data, no behaviour.

A rule module declares *where* things are on a publisher's pages; the
extractor (``pipelines.extraction``) decides *how* to read them. Every
selector field is a tuple of parsel CSS selectors (``::text`` and
``::attr(name)`` allowed), tried in order; the first that yields a value wins.
Fields left empty fall back to page metadata and the generic extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from archive.keys import strip_tracking

Selectors = tuple[str, ...]


@dataclass(frozen=True)
class SiteRules:
    name: str
    """Site name as stored in the archive, e.g. ``"thanhnien.vn"``."""
    spider: str
    """Name of the dedicated spider, e.g. ``"thanhnien"``."""
    domains: tuple[str, ...]
    article_url: str
    """Regex (searched in the full URL) that article URLs match."""
    sources: tuple[str, ...] = ()
    """Discovery start points: news sitemaps, sitemap indexes, feeds, listings."""
    article_id: str | None = None
    """Regex with one group: the site's stable article id inside the URL."""
    language: str | None = None
    timezone: str | None = "+07:00"
    """Offset given to dates printed without one."""
    render: bool = False
    """Whether pages need a JavaScript-capable browser."""

    title: Selectors = ()
    lead: Selectors = ()
    body: Selectors = ()
    """Container(s) of the article body; the first that matches is used."""
    authors: Selectors = ()
    published_at: Selectors = ()
    updated_at: Selectors = ()
    section: Selectors = ()
    tags: Selectors = ()
    source: Selectors = ()
    """Credit line naming the original publisher of a re-post."""
    strip: Selectors = ()
    """Blocks removed from the body container before body and images are read (on top of the
    generic ones); without a matching ``body`` selector, from the whole page."""

    @cached_property
    def article_re(self) -> re.Pattern[str]:
        return re.compile(self.article_url)

    def is_article_url(self, url: str) -> bool:
        """By the rule's pattern, on the URL without its tracking parameters and fragment: a
        shared or syndicated link (``?utm_source=…``, ``#comments``) is the same article."""
        return bool(self.article_re.search(strip_tracking(url)))

    def owns(self, host: str) -> bool:
        host = host.lower().removeprefix("www.")
        return any(host == d or host.endswith("." + d) for d in self.domains)
