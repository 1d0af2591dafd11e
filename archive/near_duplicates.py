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


def similar(signed: bytes, candidates: Iterable[tuple[int, bytes]], threshold: float) -> list[tuple[int, float]]:
    """The candidates (their ``archive.keys.to_bytes`` signatures) at or above ``threshold``,
    most similar first, with their similarity."""
    found = [(other, round(similarity(signed, theirs), 3)) for other, theirs in candidates]
    return sorted(((o, s) for o, s in found if s >= threshold), key=lambda pair: -pair[1])
