"""The page item: what a spider yields for a fetch and the pipelines turn into an article.

Declared once, on top of the archive's ``Article`` (``archive.schema``): the spider fills
the fetch fields, the extract step the article's, the decide-and-store step ``decision``. The fields
below the article's are the pipelines' working state; feed exports leave them out
(``FEED_EXPORT_FIELDS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.schema import Article
from archive.warc import RecordRef


@dataclass(kw_only=True)
class PageItem(Article):
    final_url: str | None = None
    """Where the fetch ended after redirects."""
    redirect_urls: list[str] = field(default_factory=list)
    """The hops between ``url`` and ``final_url`` (aliases of the article)."""
    status: int | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    page: bytes | None = None
    """The body; released once extracted (the WARC record keeps it)."""
    discovered_from: str | None = None
    hinted: bool = False
    """Fetched again because its sitemap ``lastmod`` or feed date moved past its last fetch."""
    hops: list[dict] = field(default_factory=list)
    """Earlier responses of the fetch (redirects, retried attempts) as snapshot rows with their fate."""
    rendered: RecordRef | None = None
    """The rendered DOM's WARC record (``conversion``), when the page went through the browser."""
    minhash: bytes | None = None
    """The MinHash signature of title and body (``archive.keys.signature``)."""
    decision: dict | None = None
    """What the fetch was to the archive (``archive.decisions``), as the decide-and-store step found it."""
