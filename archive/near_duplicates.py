"""Near-duplicate articles across sites and runs: MinHash signatures of word shingles,
queried through an LSH index (datasketch). Signatures are kept in the database
(``Article.minhash``), so the index is rebuilt from them in any later process."""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

from pipelines.extraction.text import normalize_text

NUM_PERM = 64
SCHEME = "affine32"  # datasketch 2's default, named so stored signatures stay comparable
SHINGLE_WORDS = 3
DEFAULT_THRESHOLD = 0.8
_WORD = re.compile(r"\w+")
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations
"""Drawn once: datasketch draws them again for every MinHash it builds, which costs more
than restoring a stored signature."""


def signature(title: str | None, body: list[str]) -> MinHash:
    """MinHash of the NFC, case-folded word 3-shingles of the title and body."""
    words = _WORD.findall(normalize_text(" ".join([title or "", *body])).casefold())
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_PERMUTATIONS)
    minhash.update_batch([s.encode("utf-8") for s in shingles if s])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM, hashvalues=np.frombuffer(data, dtype=np.uint64), scheme=SCHEME, permutations=_PERMUTATIONS
    )


class NearDuplicateIndex:
    """Article ids by signature; ``similar`` gives the indexed articles at or above the threshold."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[int, MinHash] = {}

    def add(self, article_id: int, minhash: MinHash) -> None:
        if article_id in self.signatures:
            self.lsh.remove(article_id)
        self.lsh.insert(article_id, minhash)
        self.signatures[article_id] = minhash

    def similar(self, minhash: MinHash, exclude: int | None = None) -> list[tuple[int, float]]:
        found = []
        for other in self.lsh.query(minhash):
            if other != exclude and (score := minhash.jaccard(self.signatures[other])) >= self.threshold:
                found.append((other, round(float(score), 3)))
        return sorted(found, key=lambda pair: -pair[1])
