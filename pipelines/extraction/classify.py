"""What kind of page this is: only ``article`` pages become article versions.

``listing`` (section and home pages, or URLs a site's rules say are not
articles) and ``empty`` (no body text at all) are dropped by the extract step.
"""

from __future__ import annotations

from pipelines.extraction.fields import Page

MIN_ARTICLE_CHARS = 300
"""Body text below which a page that does not declare itself an article is not one."""
MIN_DECLARED_ARTICLE_CHARS = 80
LISTING_TYPES = frozenset({"CollectionPage", "SearchResultsPage", "ProfilePage", "ItemList"})


def page_type(page: Page, body: list[str]) -> str:
    chars = sum(len(p.strip()) for p in body)
    if chars == 0:
        return "empty"
    if page.rules.name and not page.rules.is_article_url(page.url):
        return "listing"
    if page.md.types & LISTING_TYPES and not page.md.article:
        return "listing"
    og_type = (page.md.first("og:type") or "").lower()
    declared = og_type == "article" or bool(page.md.article)
    if declared:
        return "article" if chars >= MIN_DECLARED_ARTICLE_CHARS else "empty"
    if og_type == "website":
        return "listing"
    return "article" if chars >= MIN_ARTICLE_CHARS else "listing"
