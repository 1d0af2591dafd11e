"""The safety net of the generic extractor: when its body holds little of the page's prose,
trafilatura reads the same page, and the reading that covers more of the page's prose wins.

Length alone is not evidence (a reading can be long with comments, link lists or another
story); the page's prose blocks (long, link-poor text outside widgets, as measured to find the
article) are: each reading is credited with the blocks it contains. A second reading that
contains ours and adds prose is ours completed; one that disagrees with ours must cover far
more of the prose to win."""

from __future__ import annotations

from collections.abc import Collection

from pipelines.extraction.boilerplate import labelled_boxes
from pipelines.extraction.generic import MIN_CONTAINER_CHARS, has_heading
from pipelines.extraction.prose import MIN_BLOCK_CHARS, block_text
from pipelines.extraction.text import text_key

SHORT_BODY_SHARE = 0.5
"""A body under this share of the page's prose may have lost the article: ask trafilatura."""
MIN_GAIN_CHARS = 200
"""Prose a reading that contains ours must add to replace it (a paragraph or two)."""
AGREEMENT = 0.8
"""The share of our covered prose the second reading must contain to be ours completed."""
DISAGREEING_FACTOR = 2.0
"""A second reading that leaves out our prose wins only by covering this many times as much."""
_KEY_CHARS = 60
"""A block is found in a reading by the key of its opening (readings join and split lines differently)."""


def needs_second_opinion(body: list[str], page_prose: float) -> bool:
    """Our body holds little of the prose the page has (a wrong block was taken)."""
    return page_prose >= MIN_CONTAINER_CHARS and sum(map(len, body)) < SHORT_BODY_SHARE * page_prose


def trafilatura_paragraphs(html: str, url: str) -> list[str]:
    """Trafilatura's reading of the page in its default mode: the fallback body when no container
    stands out, and the second opinion. Its precision and fast modes returned a few characters
    or nothing on most pages where ours found nothing (WCXB's development pages: the default
    mode found the article on 9 of 10 of them)."""
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True)
    return [line for line in (text or "").split("\n") if line.strip()]


def prose_keys(blocks: list, root, article, headlines: Collection[str]) -> list[tuple[str, float]]:
    """The page's prose blocks (element, weight) as (key of the opening, weight), but those in a
    box headed "Đừng bỏ lỡ" or "Related stories" (``labelled_boxes``): teasers' summaries there are
    prose, and a second reading that takes them along beside a short story is not the story completed.
    A box that shows the page's ``headlines`` is the story's, whatever label it opens with ("Topics")."""
    boxes = {box for box in labelled_boxes(root, article) if not has_heading(box, headlines)}
    kept = [(el, w) for el, w in blocks if not any(a in boxes for a in (el, *el.iterancestors()))]
    keyed = ((text_key(block_text(el))[:_KEY_CHARS], weight) for el, weight in kept)
    return [(key, weight) for key, weight in keyed if len(key) >= MIN_BLOCK_CHARS]


def covered(reading: list[str], prose: list[tuple[str, float]]) -> set[int]:
    """The page's prose blocks (their indexes) that a reading contains."""
    text = text_key(" ".join(reading))
    return {i for i, (key, _) in enumerate(prose) if key in text}


def better_reading(ours: list[str], second: list[str], prose: list[tuple[str, float]]) -> list[str]:
    """The body to keep: ours, unless the second reading covers more of the page's prose:
    by ``MIN_GAIN_CHARS`` when it contains ours, by ``DISAGREEING_FACTOR`` when it does not."""
    mine, theirs = covered(ours, prose), covered(second, prose)

    def weight(indexes: set[int]) -> float:
        return sum(prose[i][1] for i in indexes)

    agrees = weight(mine & theirs) >= AGREEMENT * weight(mine)
    if agrees:
        return second if weight(theirs) >= weight(mine) + MIN_GAIN_CHARS else ours
    return second if weight(theirs) >= DISAGREEING_FACTOR * max(1.0, weight(mine)) else ours
