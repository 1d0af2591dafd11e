"""Near-duplicate articles across sites and runs: MinHash signatures of word shingles
(``archive.keys``) queried through an LSH index (datasketch). Signatures are kept in the
database (``Article.minhash``), so the index is rebuilt from them in any later process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.keys import NUM_PERM

if TYPE_CHECKING:
    from datasketch import MinHash

DEFAULT_THRESHOLD = 0.8


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
