"""The article, declared once: what a feed export writes, what ``python -m archive export``
writes, what a version keeps. Field lists everywhere derive from this declaration.

The fields a version keeps (``versioned``) are also what its content digest covers, which is
frozen in ``archive.keys.DIGEST_FIELDS``: a field added here as versioned needs a migration
(``tests/test_schema.py`` holds the two equal).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from archive.warc import RecordRef


def _versioned(default_factory: Any = None) -> Any:
    if default_factory is None:
        return field(default=None, metadata={"versioned": True})
    return field(default_factory=default_factory, metadata={"versioned": True})


def _plain(ref: RecordRef | None) -> dict | None:
    """A WARC reference as feed exporters write it (they take a field's ``serializer`` from its metadata)."""
    return asdict(ref) if ref is not None else None


@dataclass(kw_only=True)
class Article:
    """The clean article of one archived fetch. Times are ISO 8601 with their offset."""

    url: str | None = None
    """The URL asked for."""
    canonical_url: str | None = None
    site: str | None = None
    title: str | None = _versioned()
    lead: str | None = _versioned()
    body: list[str] = _versioned(list)
    """Paragraphs, boilerplate and repeated lines removed."""
    images: list[dict] = _versioned(list)
    """``{"src", "caption"}`` each."""
    authors: list[str] = _versioned(list)
    published_at: str | None = _versioned()
    updated_at: str | None = _versioned()
    section: str | None = _versioned()
    tags: list[str] = _versioned(list)
    language: str | None = _versioned()
    source: str | None = _versioned()
    """The original publisher of a re-post, when the page credits one."""
    article_key: str | None = None
    """The article's identity in the archive (``archive.keys.article_key``)."""
    page_type: str | None = None
    """``article`` or ``paywalled`` (other page types are not archived as articles)."""
    provenance: dict = field(default_factory=dict)
    """Field → where its value came from (``rules``, ``json-ld``, ``meta:og:title``, ``generic``, …)."""
    extractor_version: str | None = None
    fingerprint: str | None = None
    """SHA-1 of the title and body keys (``archive.keys.fingerprint``)."""
    fetched_at: str | None = None
    snapshot: RecordRef | None = field(default=None, metadata={"serializer": _plain})
    """The WARC record the article was read from."""


ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
EXTRACTED_FIELDS = tuple(f for f in ARTICLE_FIELDS if f not in ("fetched_at", "snapshot"))
"""What extraction fills in (the fetch gives the rest)."""
VERSIONED_FIELDS = tuple(f.name for f in fields(Article) if f.metadata.get("versioned"))
LIST_FIELDS = tuple(f.name for f in fields(Article) if f.default_factory is list)
EXPORT_FIELDS = ARTICLE_FIELDS
"""The columns of ``scrapy crawl … -O`` (``FEED_EXPORT_FIELDS``)."""


def csv_cell(name: str, value: Any) -> Any:
    """A value as one CSV cell: the body's paragraphs separated by a blank line, other lists and
    mappings (images, authors, tags, provenance, the WARC reference) as JSON."""
    if name == "body" and isinstance(value, list):
        return "\n\n".join(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value
