"""Near-duplicate articles across sites, runs and nodes: MinHash signatures of word shingles
(``archive.keys``), found through their LSH band keys stored beside the articles
(``ArticleBand``): any process's look-up is a query, so a re-post stored by another node is
found. Which candidates are near-duplicates is decided here, on their signatures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasketch import MinHash

DEFAULT_THRESHOLD = 0.8
"""Estimated Jaccard similarity of the word shingles at which a story is a re-post (the bands
of ``archive.keys`` are tuned for it)."""


def similar(minhash: MinHash, candidates: Iterable[tuple[int, MinHash]], threshold: float) -> list[tuple[int, float]]:
    """The candidates at or above ``threshold``, most similar first, with their similarity."""
    found = [(other, round(float(minhash.jaccard(theirs)), 3)) for other, theirs in candidates]
    return sorted(((o, s) for o, s in found if s >= threshold), key=lambda pair: -pair[1])
