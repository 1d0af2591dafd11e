"""Near-duplicate articles across sites and runs: MinHash signatures of word shingles,
queried through an LSH index (datasketch). Signatures are kept in the database
(``Article.minhash``), so the index is rebuilt from them in any later process; a change
of how shingles are hashed needs a migration that signs the stored articles again (0005)."""

from __future__ import annotations

import re
from functools import cache
from hashlib import sha1
from typing import TYPE_CHECKING

import numpy as np

from pipelines.extraction.text import normalize_text

NUM_PERM = 64
SCHEME = "affine32"  # datasketch 2's default, named so stored signatures stay comparable
SHINGLE_WORDS = 3
DEFAULT_THRESHOLD = 0.8
_WORD = re.compile(r"\w+")
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MULTIPLIER = np.uint64(0xBF58476D1CE4E5B9)
_LOW32 = np.uint64(0xFFFFFFFF)
if TYPE_CHECKING:
    from datasketch import MinHash


@cache
def _minhash_class() -> type[MinHash]:
    """datasketch, imported on first use: its package imports scipy.integrate (1 s of a
    process's start) for LSH tuning, which commands that never sign or compare text skip."""
    from datasketch import MinHash

    return MinHash


@cache
def _permutations():
    """Drawn once: datasketch draws them again for every MinHash it builds, which costs more
    than restoring a stored signature."""
    return _minhash_class()(num_perm=NUM_PERM, scheme=SCHEME).permutations


def signature(title: str | None, body: list[str]) -> MinHash:
    """MinHash of the NFC, case-folded word 3-shingles of the title and body."""
    words = _WORD.findall(normalize_text(" ".join([title or "", *body])).casefold())
    minhash = _minhash_class()(num_perm=NUM_PERM, scheme=SCHEME, permutations=_permutations(), hashfunc=int)
    minhash.update_batch(shingle_hashes(words))
    return minhash


def shingle_hashes(words: list[str]) -> list[int]:
    """32-bit hashes of the distinct word 3-shingles (a text of one or two words: itself).

    Each distinct word is hashed once (SHA-1, first four bytes) and a shingle's hash mixes
    its three word hashes (multiply-xorshift over 64 bits): news text repeats its
    syllables, so this is a fraction of the cost of hashing every shingle string."""
    if not words:
        return []
    distinct = dict.fromkeys(words)
    digests = b"".join([sha1(w.encode("utf-8")).digest() for w in distinct])
    by_word = dict(zip(distinct, np.frombuffer(digests, dtype="<u4")[::5].astype(np.uint64), strict=True))
    h = np.fromiter((by_word[w] for w in words), dtype=np.uint64, count=len(words))
    if len(h) >= SHINGLE_WORDS:
        h = _mix(_mix(h[:-2], h[1:-1]), h[2:])
    return np.unique(h & _LOW32).tolist()


def _mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """An order-sensitive 64-bit combination of two hash arrays (wrapping arithmetic)."""
    mixed = (a * _GOLDEN) ^ b
    return (mixed ^ (mixed >> np.uint64(29))) * _MULTIPLIER


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return _minhash_class()(
        num_perm=NUM_PERM, hashvalues=np.frombuffer(data, dtype=np.uint64), scheme=SCHEME, permutations=_permutations()
    )


class NearDuplicateIndex:
    """Article ids by signature; ``similar`` gives the indexed articles at or above the threshold."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        from datasketch import MinHashLSH

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
