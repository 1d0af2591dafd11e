"""What the archive stores and compares, frozen: canonical URLs, article identity keys, the
text fingerprint, the content digest of a version, the text MinHash signatures are made of,
their LSH band keys, and the accent-free fold the search index holds.

Every stored key was computed by these functions; a key computed differently no longer
matches the stored ones (a re-fetched story would become a new article, every version
"updated"). So nothing here follows the extractor's text helpers, which change freely:
changing a function here needs a migration that recomputes what is stored, and migrations
import only this module. ``tests/test_keys.py`` pins each function's output.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from hashlib import sha1
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# -- text ----------------------------------------------------------------------------------
_OWN_LETTERS = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"}
"""Letters with a stroke, which no decomposition takes apart."""


class _Folding(dict):
    """``str.translate`` table built as characters are met: a letter without its combining
    marks, lower case; any other character as it is (one character each, always)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _OWN_LETTERS.get(char)
        if folded is None:
            parts = unicodedata.normalize("NFD", char)
            base = parts[0] if all(unicodedata.combining(c) for c in parts[1:]) else char
            lower = base.lower()
            folded = lower if len(lower) == 1 else base
        self[code] = folded
        return folded


_FOLDING = _Folding()


def fold(text: str) -> str:
    """``text`` in lower case without diacritics, ``đ`` as ``d``; the same length as its NFC form."""
    return unicodedata.normalize("NFC", text).translate(_FOLDING)


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_WORD = re.compile(r"\w+")


def normalized(value: str | None) -> str:
    """NFC, invisible characters removed, every run of white space one space."""
    if not value:
        return ""
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", value)).split())


def text_key(value: str | None) -> str:
    """A comparison key: normalized, case-folded, without surrounding punctuation."""
    return normalized(value).casefold().strip(" .:;,-–—|»>")


def signature_words(title: str | None, body: list[str]) -> list[str]:
    """The words a MinHash signature is made of: NFC, case-folded, in order."""
    return _WORD.findall(normalized(" ".join([title or "", *body])).casefold())


# -- MinHash signatures (near-duplicates): changing them needs a migration that signs again (0005)
NUM_PERM = 64
SCHEME = "affine32"  # datasketch 2's default, named so stored signatures stay comparable
SHINGLE_WORDS = 3
_GOLDEN = 0x9E3779B97F4A7C15
_MULTIPLIER = 0xBF58476D1CE4E5B9
_LOW32 = 0xFFFFFFFF
"""The mixing constants, as numpy's uint64 where they are used: numpy is imported by the
functions that compute with it (a command that never signs or compares text starts without it)."""
if TYPE_CHECKING:
    import numpy as np
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
    words = signature_words(title, body)
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
    import numpy as np

    distinct = dict.fromkeys(words)
    digests = b"".join([sha1(w.encode("utf-8")).digest() for w in distinct])
    by_word = dict(zip(distinct, np.frombuffer(digests, dtype="<u4")[::5].astype(np.uint64), strict=True))
    h = np.fromiter((by_word[w] for w in words), dtype=np.uint64, count=len(words))
    if len(h) >= SHINGLE_WORDS:
        h = _mix(_mix(h[:-2], h[1:-1]), h[2:])
    return np.unique(h & np.uint64(_LOW32)).tolist()


def _mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """An order-sensitive 64-bit combination of two hash arrays (wrapping arithmetic)."""
    import numpy as np

    mixed = (a * np.uint64(_GOLDEN)) ^ b
    return (mixed ^ (mixed >> np.uint64(29))) * np.uint64(_MULTIPLIER)


LSH_BANDS = 5
LSH_ROWS = 11
"""Locality-sensitive hashing of signatures for near-duplicate look-ups in the database: the
first 55 hash values in 5 bands of 11 (datasketch's optimum for a 0.8 threshold at 64
permutations). Two signatures share a band key only if they agree on a whole band."""


def band_keys(data: bytes) -> list[int]:
    """The signature's (``to_bytes``) band keys, as signed 63-bit integers (a BIGINT column)."""
    import numpy as np

    values = np.frombuffer(data, dtype=np.uint64)
    keys = []
    for band in range(LSH_BANDS):
        chunk = values[band * LSH_ROWS : (band + 1) * LSH_ROWS].tobytes()
        digest = sha1(bytes([band]) + chunk).digest()
        keys.append(int.from_bytes(digest[:8], "big") >> 1)
    return keys


def to_bytes(minhash: MinHash) -> bytes:
    import numpy as np

    return minhash.hashvalues.astype(np.uint64).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures (``to_bytes``): the share of equal
    hash values, datasketch's ``MinHash.jaccard``, computed without building the objects."""
    import numpy as np

    return float(np.count_nonzero(np.frombuffer(a, dtype=np.uint64) == np.frombuffer(b, dtype=np.uint64))) / NUM_PERM


def fingerprint(title: str | None, body: list[str] | None) -> str:
    """SHA-1 of the title and body keys: equal for the same text, whatever the markup."""
    text = "\n".join([text_key(title), *(text_key(p) for p in body or [])])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# -- versions ------------------------------------------------------------------------------
DIGEST_FIELDS = (
    "title", "lead", "body", "images", "authors", "published_at", "updated_at", "section", "tags", "language", "source",
)  # fmt: skip
"""The fields a version keeps and compares; the schema's versioned fields must equal them."""


def content_digest(fields: Mapping) -> str:
    """SHA-1 over every field a version keeps: equal digests, nothing to store."""
    payload = json.dumps({f: fields.get(f) for f in DIGEST_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


# -- URLs and identity ---------------------------------------------------------------------
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|"
    r"zarsrc|gidzl|zacc|cmpid|icid|ito|ref_src|ref_url|share_id|s_cid|at_[a-z_]+)$",
    re.I,
)
_HOST_PREFIX = re.compile(r"^(www\d?|m|mobile|amp)\.")
_AMP_PATH = re.compile(r"(/amp/?$|/amp(?=/)|\.amp(?=\.html?$|$))")
_AMP_QUERY = re.compile(r"(^|&)(amp|outputType=amp)(=[^&]*)?(?=&|$)")


def strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    return urlunsplit(parts._replace(query=urlencode(query, doseq=True), fragment=""))


def canonical_url(url: str) -> str:
    """The URL without tracking parameters or fragment, scheme and host lower-cased,
    query arguments sorted (w3lib's canonical form)."""
    return canonicalize_url(strip_tracking(url.strip()), keep_fragments=False)


def identity_url(url: str) -> str:
    """The URL as it identifies a page, whatever variant was fetched: no scheme, no
    ``www.``/``m.``/``amp.`` host prefix, no AMP path or query marker, no tracking
    parameters, fragment or trailing slash."""
    parts = urlsplit(canonical_url(url))
    host = _HOST_PREFIX.sub("", (parts.hostname or "").lower())
    path = _AMP_PATH.sub("", parts.path).rstrip("/") or "/"
    query = _AMP_QUERY.sub("", parts.query).strip("&")
    return urlunsplit(("", host, path, query, "")).removeprefix("//")


def article_key(url: str, canonical: str | None = None, site: str | None = None, article_id: str | None = None) -> str:
    """The identity key of the article at ``url`` (its canonical URL preferred): the site's
    stable article id where its rules have a pattern for one (``thanhnien.vn:1851335421``),
    else ``url:`` and the identity URL. Slug edits, AMP and mobile variants and ``?utm_…``
    copies of one story share a key, and so become aliases of one article."""
    if site and article_id:
        for candidate in (canonical, url):
            if candidate and (m := re.search(article_id, urlsplit(candidate).path)):
                return f"{site}:{m.group(1)}"
    return "url:" + identity_url(canonical or url)
