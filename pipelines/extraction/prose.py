"""How much article prose each element holds: long, link-poor text blocks, weighted.

The measure the generic extractor finds the article by, and the evidence that overrules a
block's name (a wrapper classed ``paywall`` that holds the story is still the story)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from pipelines.extraction.dom import element_text, link_density
from pipelines.extraction.text import normalize_text

SCORED_BLOCKS = ("p", "li", "pre", "blockquote", "td", "dd", "div")
MIN_BLOCK_CHARS = 30
_TAG_WEIGHT = {"li": 0.5, "td": 0.5, "div": 0.7}
"""Article prose is mostly paragraphs; lists and tables hold it less often than they hold teasers."""


def scored_blocks(root) -> Iterator[tuple[object, float]]:
    """Text blocks under ``root``, with their weight (characters of prose); read once a page,
    the callers leave out what they exclude."""
    holders = _holding_blocks(root)
    for el in root.iter(*SCORED_BLOCKS):
        if el.tag == "div":
            text, linked_chars = _run_text(el, holders.__contains__)
        elif el in holders:
            continue
        else:
            text, linked_chars = element_text(el), None
        if len(text) < MIN_BLOCK_CHARS:
            continue
        linked = link_density(el, len(text)) if linked_chars is None else min(1.0, linked_chars / len(text))
        weight = len(text) * (1 - linked) * _TAG_WEIGHT.get(el.tag, 1.0)
        if text.endswith(("...", "…")):  # a teaser of another story
            weight *= 0.2
        yield el, weight


def _holding_blocks(root) -> set:
    """The elements under ``root`` with a scored block inside: one walk up from each block,
    stopping where an earlier walk went (not a search of every block's subtree)."""
    holders: set = set()
    for el in root.iter(*SCORED_BLOCKS):
        while el is not root and (el := el.getparent()) is not None and el not in holders:
            holders.add(el)
    return holders


def _holds_block(el) -> bool:
    return next(el.iterdescendants(*SCORED_BLOCKS), None) is not None


def block_text(el) -> str:
    """The text a scored block is weighed by: a ``div``'s own runs, any other block's whole text."""
    return _run_text(el, _holds_block)[0] if el.tag == "div" else element_text(el)


def deep_prose(blocks: Iterable[tuple[object, float]]) -> dict:
    """Prose under every element: each block credits itself and all its ancestors."""
    deep: dict = defaultdict(float)
    for el, weight in blocks:
        for node in (el, *el.iterancestors()):
            deep[node] += weight
    return deep


_INLINE = frozenset(("span", "a", "b", "strong", "em", "i", "u", "font", "small", "mark", "abbr", "time", "cite", "q"))


def _run_text(div, holds_block: Callable[[object], bool]) -> tuple[str, int]:
    """A ``div``'s own prose: its text and that of its inline children (text written as
    ``<span>`` runs or with ``<br>`` breaks, without any ``<p>``), not its blocks'; and how much
    of it sits in links."""
    parts, linked = [div.text] if div.text else [], 0
    for child in div:
        if child.tag in _INLINE and not holds_block(child):  # a comment's tag is a function: no inline tag
            text = element_text(child)
            parts.append(text)
            linked += len(text) if child.tag == "a" else sum(len(element_text(a)) for a in child.iter("a"))
        if child.tail:
            parts.append(child.tail)
    return (normalize_text(" ".join(parts)), linked) if parts else ("", 0)
