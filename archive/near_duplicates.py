"""Near-duplicate articles across sites, runs and nodes: MinHash signatures of word shingles
(``archive.keys``), found through their LSH band keys stored beside the articles
(``ArticleBand``): any process's look-up is a query, so a re-post stored by another node is
found. Which candidates are near-duplicates is decided here, on their signatures."""

from __future__ import annotations

from collections.abc import Iterable

from archive.keys import similarity

DEFAULT_THRESHOLD = 0.8
"""Estimated Jaccard similarity of the word shingles at which a story is a re-post (the bands
of ``archive.keys`` are tuned for it)."""
MOST_BAND_ROWS = 1000
"""Band-key rows read for one look-up. Pages made from one template (results tables, weather,
prices) share their band keys with every earlier page of the kind; without a bound each save
would read them all, and the archive's cost would grow with the square of such pages."""
MOST_LINKS = 5
"""Near-duplicates linked to one article on its save, the most similar: a re-post names its
original; a page of a template that repeats a thousand times is not linked a thousand times."""


def similar(
    signed: bytes, candidates: Iterable[tuple[int, bytes]], threshold: float, most: int = MOST_LINKS
) -> list[tuple[int, float]]:
    """The ``most`` candidates (their ``archive.keys.to_bytes`` signatures) at or above
    ``threshold`` that are most similar, most similar first, with their similarity."""
    found = [(other, round(similarity(signed, theirs), 3)) for other, theirs in candidates]
    return sorted(((o, s) for o, s in found if s >= threshold), key=lambda pair: -pair[1])[:most]
