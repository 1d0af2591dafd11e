"""Search text: the words of a query, and where they are in a text, found through the fold of
``archive.keys.fold`` (frozen: the index holds folded text).

Vietnamese is written with diacritics but often searched without them ("da nang" for "Đà
Nẵng"); ``đ`` is a letter of its own, not ``d`` with a mark, so Unicode decomposition does not
fold it (neither does FTS5's ``remove_diacritics`` nor a plain ``unaccent``). The fold maps each
character to exactly one character, so a position in the folded text is the same position in
the original: hits found in the fold are highlighted in the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from archive.keys import fold

WORD = re.compile(r"\w+")
_QUERY_PART = re.compile(r'"([^"]*)"|(\S+)')


def has_diacritics(text: str) -> bool:
    """Whether a query is written with marks (its exact words are preferred to their folds)."""
    text = unicodedata.normalize("NFC", text)
    return fold(text) != "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@dataclass(frozen=True)
class Query:
    """A search query: phrases of words (a bare word is a phrase of one), all of which a text must have."""

    phrases: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> set[str]:
        return {fold(w) for phrase in self.phrases for w in phrase}

    @property
    def exact(self) -> bool:
        return any(has_diacritics(w) for phrase in self.phrases for w in phrase)

    def __bool__(self) -> bool:
        return bool(self.phrases)


def parse_query(text: str) -> Query:
    """Words and ``"quoted phrases"``; punctuation and operators are not syntax (a user's
    ``C++`` or ``AND`` is looked for as words, never interpreted)."""
    phrases = []
    for quoted, bare in _QUERY_PART.findall(unicodedata.normalize("NFC", text)):
        words = tuple(WORD.findall(quoted or bare))
        if words:
            phrases.append(words)
    return Query(tuple(phrases))


def hits(text: str, words: set[str]) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` whose fold is one of the (folded) ``words``."""
    folded = fold(text)
    return [(m.start(), m.end()) for m in WORD.finditer(folded) if m.group() in words]


def _best_window(text: str, found: list[tuple[int, int]], width: int) -> int:
    """Where to start a window of ``width`` holding the most different query words (then the
    most hits), with what it holds centred in it."""
    folded = fold(text)
    best, best_score, best_end = found[0][0], (0, 0), found[0][1]
    for i, (a, _b) in enumerate(found[:200]):
        inside = [(x, y) for x, y in found[i:] if y <= a + width]
        score = (len({folded[x:y] for x, y in inside}), len(inside))
        if score > best_score:
            best, best_score, best_end = a, score, inside[-1][1]
    return max(0, best - (width - (best_end - best)) // 2)


def snippet(text: str, words: set[str], width: int = 240) -> list[tuple[str, bool]]:
    """The part of ``text`` with the most of the query's words, as (segment, is_hit) pairs (escaped when shown)."""
    text = unicodedata.normalize("NFC", text)
    found = hits(text, words)
    if not found:
        cut = text[:width]
        return [(cut + ("…" if len(text) > width else ""), False)] if cut else []
    start = _best_window(text, found, width)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    parts: list[tuple[str, bool]] = [("…", False)] if start else []
    at = start
    for a, b in found:
        if a < at:
            continue
        if b > end:
            break
        parts += [(text[at:a], False), (text[a:b], True)]
        at = b
    parts.append((text[at:end] + ("…" if end < len(text) else ""), False))
    return [p for p in parts if p[0]]
