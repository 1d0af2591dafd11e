"""How much article prose each element holds: long, link-poor text blocks, weighted.

The measure the generic extractor finds the article by, and the evidence that overrules a
block's name (a wrapper classed ``paywall`` that holds the story is still the story)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator

from pipelines.extraction.dom import element_text, link_density
from pipelines.extraction.text import normalize_text

SCORED_BLOCKS = ("p", "li", "pre", "blockquote", "td", "dd", "div")
_MIN_BLOCK_CHARS = 30
_TAG_WEIGHT = {"li": 0.5, "td": 0.5, "div": 0.7}
"""Article prose is mostly paragraphs; lists and tables hold it less often than they hold teasers."""


def scored_blocks(root, excluded: Collection = frozenset()) -> Iterator[tuple[object, float]]:
    """Text blocks under ``root`` outside ``excluded``, with their weight (characters of prose)."""
    for el in root.iter(*SCORED_BLOCKS):
        if el in excluded:
            continue
        if el.tag == "div":
            text = normalize_text(" ".join(t for t in [el.text, *(c.tail for c in el)] if t))
        elif next(el.iterdescendants(*SCORED_BLOCKS), None) is not None:
            continue
        else:
            text = element_text(el)
        if len(text) < _MIN_BLOCK_CHARS:
            continue
        linked = link_density(el, len(text)) if el.tag != "div" else 0
        weight = len(text) * (1 - linked) * _TAG_WEIGHT.get(el.tag, 1.0)
        if text.endswith(("...", "…")):  # a teaser of another story
            weight *= 0.2
        yield el, weight


def deep_prose(blocks: Iterable[tuple[object, float]]) -> dict:
    """Prose under every element: each block credits itself and all its ancestors."""
    deep: dict = defaultdict(float)
    for el, weight in blocks:
        for node in (el, *el.iterancestors()):
            deep[node] += weight
    return deep
