"""What a fetched article is to the archive: pure decisions over the fetch and what the archive
knows of it, kept apart from the store that looks the facts up and writes the outcome (as
Scrapy's httpcache keeps its policies apart from its storage).

- ``new``: a story the archive has not seen (by identity key, alias or, on the same site, text);
- ``alias``: a known story under another URL (tracking parameters, slug edit, AMP/mobile), same content;
- ``unchanged``: the same content again from the same payload (the snapshot is a WARC revisit);
- ``cosmetic``: the same content from a different payload (markup, white space): counted, no version;
- ``updated``: changed content, a new version with its change class and field diff;
- ``teaser``: a paywalled teaser of a story archived in full: never a version.
"""

from __future__ import annotations

from dataclasses import dataclass

NEW, ALIAS, UNCHANGED, COSMETIC, UPDATED, TEASER = "new", "alias", "unchanged", "cosmetic", "updated", "teaser"
OUTCOMES = (NEW, ALIAS, UNCHANGED, COSMETIC, UPDATED, TEASER)
VERSIONED = (NEW, UPDATED)
"""Outcomes that store a version."""
DROPPED = "dropped"
"""The prefix of a fetch that did not become a version: ``dropped:<reason>`` (``pipelines.drop``)."""
NOT_MODIFIED = "not_modified"
"""The drop reason of a conditional re-check answered 304: the article is as archived."""
NOT_FOUND = "not_found"
NOT_HTML = "not_html"
MALFORMED = "malformed"
EXTRACTION_ERROR = "extraction_error"
RENDER_FAILED = "render_failed"
TOO_LARGE = "too_large"
"""Drop reasons of pages that are not articles for a reason of their own (``pipelines.drop``)."""


def http_status(status: int) -> str:
    """The drop reason of any other error status: ``http_500``."""
    return f"http_{status}"


@dataclass(frozen=True)
class Decision:
    outcome: str
    """One of ``OUTCOMES``."""
    article_id: int | None = None


@dataclass(frozen=True)
class Fetch:
    """The facts of a fetched article a decision needs."""

    urls: frozenset[str]
    """Every URL it went through: asked for, redirect hops, final, canonical."""
    content_digest: str
    paywalled: bool


@dataclass(frozen=True)
class Known:
    """What the archive knows of the article a fetch was matched to."""

    article_id: int
    urls: frozenset[str]
    """Its canonical URL and aliases."""
    content_digest: str
    """Of its latest version."""
    paywalled: bool
    """Whether its latest version is a paywalled teaser."""
    payload_seen: bool
    """Whether the fetch's very bytes were archived before under its URL."""


def decide(fetch: Fetch, known: Known | None) -> Decision:
    if known is None:
        return Decision(NEW)
    if fetch.content_digest != known.content_digest:
        if fetch.paywalled and not known.paywalled:
            return Decision(TEASER, known.article_id)  # a teaser never replaces the full text
        return Decision(UPDATED, known.article_id)
    if not fetch.urls <= known.urls:
        return Decision(ALIAS, known.article_id)
    return Decision(UNCHANGED if known.payload_seen else COSMETIC, known.article_id)
