"""Finding the article on a page that has no site rules.

Known CMS containers first (``itemprop=articleBody``, WordPress ``entry-content``,
…); otherwise the block that holds the most paragraph text, scored like
readability: each paragraph credits its parent fully and its grandparent by
half, link-heavy and widget blocks lose. When no block stands out, trafilatura
reads the page instead.
"""

from __future__ import annotations

from collections import defaultdict

from pipelines.extraction.boilerplate import is_widget
from pipelines.extraction.dom import element_text, link_density

CONTAINER_SELECTORS = (
    "[itemprop=articleBody]",
    "[data-role=content]",
    ".entry-content",
    ".post-content",
    ".article-body",
    ".article-content",
    ".article__body",
    ".detail-content",
    ".content-detail",
    ".fck_detail",
    ".cms-body",
    ".story-body",
    "#article-body",
    ".td-post-content",
    "article .content",
)
MIN_CONTAINER_CHARS = 200
_MIN_PARAGRAPH_CHARS = 25


def find_container(sel):
    """The element holding the article body, or None."""
    for css in CONTAINER_SELECTORS:
        for match in sel.css(css):
            if len(element_text(match.root)) >= MIN_CONTAINER_CHARS:
                return match.root
    return _best_scored(sel.root)


def _best_scored(root):
    scores: dict = defaultdict(float)
    for p in root.iter("p", "pre", "blockquote"):
        length = len(element_text(p))
        if length < _MIN_PARAGRAPH_CHARS:
            continue
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] += length
        if (grand := parent.getparent()) is not None:
            scores[grand] += length / 2
    best, best_score = None, 0.0
    for el, score in scores.items():
        score *= 1 - link_density(el)
        if is_widget(el):
            score *= 0.2
        if score > best_score:
            best, best_score = el, score
    return best if best_score >= MIN_CONTAINER_CHARS else None


def trafilatura_paragraphs(html: str, url: str) -> list[str]:
    """Fallback body when no container stands out."""
    import trafilatura

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True, favor_precision=True)
    return [line for line in (text or "").split("\n") if line.strip()]
