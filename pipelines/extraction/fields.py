"""One value per article field: the site's rules first, then JSON-LD, meta tags, and
what the visible page shows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from parsel import Selector

from crawler.sites import SiteRules
from pipelines.extraction.dates import to_iso
from pipelines.extraction.dom import element_text
from pipelines.extraction.metadata import PageMetadata, jsonld_people, jsonld_text
from pipelines.extraction.publishers import publisher_credit
from pipelines.extraction.rules import select_text, select_texts
from pipelines.extraction.text import name_case, text_key
from pipelines.extraction.urls import absolute_url, canonical_url, registered_host

NO_RULES = SiteRules(name="", spider="", domains=(), article_url=r"$^")
_BYLINE_SELECTORS = ("[rel=author]", "[itemprop=author] [itemprop=name]", ".author-name", ".byline .author", ".byline")


@dataclass
class Page:
    """Everything the field resolvers read, parsed once."""

    url: str
    sel: Selector
    md: PageMetadata
    rules: SiteRules
    not_after: datetime

    @property
    def jsonld(self) -> dict:
        return self.md.article

    def rule(self, name: str) -> str | None:
        return select_text(self.sel, getattr(self.rules, name))

    def rule_all(self, name: str) -> list[str]:
        return select_texts(self.sel, getattr(self.rules, name), many=True)


def first(*values):
    return next((v for v in values if v), None)


def site_name(page: Page) -> str:
    return page.rules.name or registered_host(page.url)


def title(page: Page) -> str | None:
    if found := page.rule("title"):
        return found
    headline = first(*jsonld_text(page.jsonld.get("headline")))
    og = _without_site_suffix(page.md.first("og:title", "twitter:title"), page)
    h1s = [element_text(h) for h in page.sel.root.iter("h1")]
    for h1 in h1s:
        if h1 and any(
            ref and (text_key(ref).startswith(text_key(h1)) or text_key(h1).startswith(text_key(ref)))
            for ref in (headline, og)
        ):
            return h1
    return first(headline, og, h1s[0] if h1s else None, _without_site_suffix(page.sel.css("title::text").get(), page))


_SUFFIX = re.compile(r"^(.*\S)\s+[|–—-]\s+([^|–—-]{1,60})$")


def _without_site_suffix(value: str | None, page: Page) -> str | None:
    """``"Headline - Site Name"`` to ``"Headline"`` when the suffix names the site."""
    if not value:
        return None
    m = _SUFFIX.match(value)
    names = {text_key(page.md.first("og:site_name") or ""), text_key(registered_host(page.url))}
    return m.group(1) if m and text_key(m.group(2)) in names else value


def title_variants(page: Page) -> set[str]:
    """Every spelling of the headline a page carries: repeated inside the body, it is not body."""
    values = [
        *jsonld_text(page.jsonld.get("headline")),
        page.md.first("og:title"),
        page.md.first("twitter:title"),
        _without_site_suffix(page.sel.css("title::text").get(), page),
        *(element_text(h) for h in page.sel.root.iter("h1")),
    ]
    return {text_key(v) for v in values if v and len(v) > 10}


_LEAD_SELECTOR = (
    ".sapo, .article-sapo, .detail-sapo, .lead, .article-lead, .standfirst, .summary, .description, "
    "[itemprop=description]"
)
"""Where pages without rules print their standfirst (one pass over the page)."""


def lead(page: Page) -> str | None:
    return first(
        page.rule("lead"),
        select_text(page.sel, (_LEAD_SELECTOR,)),
        page.md.first("og:description", "description", "twitter:description"),
        first(*jsonld_text(page.jsonld.get("description"))),
    )


def authors(page: Page) -> list[str]:
    found = (
        page.rule_all("authors")
        or jsonld_people(page.jsonld.get("author"))
        or [a for a in page.md.all("article:author") + page.md.all("author") if not _is_url_or_publisher(a, page)]
        or select_texts(page.sel, _BYLINE_SELECTORS, many=True)
    )
    return [name_case(re.sub(r"^(bởi|by|tác giả)\s*:?\s+", "", a, flags=re.I)) for a in found]


def _is_url_or_publisher(value: str, page: Page) -> bool:
    publisher = page.md.first("og:site_name") or ""
    return (
        value.startswith("http")
        or text_key(value) in text_key(publisher)
        or text_key(value) == text_key(site_name(page))
    )


def _date(page: Page, rule: str, jsonld_key: str, *meta: str) -> str | None:
    for value in (*page.rule_all(rule), *jsonld_text(page.jsonld.get(jsonld_key)), *(page.md.first(m) for m in meta)):
        if iso := to_iso(value, page.rules.timezone, page.not_after):
            return iso
    return None


def published_at(page: Page) -> str | None:
    return _date(
        page,
        "published_at",
        "datePublished",
        "article:published_time",
        "datepublished",
        "og:published_time",
        "pubdate",
        "date",
    )


def updated_at(page: Page) -> str | None:
    return _date(page, "updated_at", "dateModified", "article:modified_time", "datemodified", "og:updated_time")


def section(page: Page, title: str | None) -> str | None:
    crumbs = [c for c in page.md.breadcrumbs[1:] if text_key(c) != text_key(title or "")]
    return first(
        page.rule("section"),
        first(*jsonld_text(page.jsonld.get("articleSection"))),
        page.md.first("article:section"),
        crumbs[-1] if crumbs else None,
    )


def tags(page: Page) -> list[str]:
    return (
        page.rule_all("tags")
        or page.md.all("article:tag")
        or [t for k in jsonld_text(page.jsonld.get("keywords")) for t in k.split(",")]
        or [t for t in (page.md.first("news_keywords", "keywords") or "").split(",")]
    )


def language(page: Page) -> str | None:
    value = first(
        page.rules.language,
        page.md.lang,
        page.md.first("og:locale"),
        first(*jsonld_text(page.jsonld.get("inLanguage"))),
        page.md.first("language", "content-language"),
    )
    return re.split(r"[-_]", value.strip())[0].lower() if value else None


def source(page: Page) -> dict | None:
    return publisher_credit(page.rule("source"))


def canonical(page: Page) -> str:
    """rel=canonical or og:url when they stay on the page's site, else the fetched URL."""
    for candidate in (page.md.canonical, page.md.first("og:url")):
        url = absolute_url(candidate, page.url)
        if url and registered_host(url) == registered_host(page.url):
            return canonical_url(url)
    return canonical_url(page.url)


def lead_image(page: Page) -> dict | None:
    src = absolute_url(page.md.first("og:image", "twitter:image"), page.url)
    return {"src": src, "caption": None} if src else None
