"""What a page says about itself: JSON-LD, OpenGraph/``article:`` meta, ``itemprop``.

Read once per page into a ``PageMetadata``; the field resolvers in
``fields`` pick from it after the site rules.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

from extruct.jsonld import JsonLdExtractor

from pipelines.extraction.text import normalize_text

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "LiveBlogPosting",
        "TechArticle",
        "ScholarlyArticle",
        "Report",
        "SocialMediaPosting",
    }
)

_jsonld = JsonLdExtractor()


@dataclass
class PageMetadata:
    meta: dict[str, list[str]] = field(default_factory=dict)
    """``<meta>`` values by lower-cased ``property``, ``name`` or ``itemprop``, in page order."""
    article: dict = field(default_factory=dict)
    """The JSON-LD object describing the article (NewsArticle, Article, … in ``@graph`` too)."""
    articles: list[dict] = field(default_factory=list)
    """Every JSON-LD article object (pages often carry a terse one and a full one)."""
    breadcrumbs: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    """Every JSON-LD ``@type`` on the page."""
    canonical: str | None = None
    lang: str | None = None

    def first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                if value := normalize_text(html.unescape(value)):
                    return value
        return None

    def all(self, name: str) -> list[str]:
        return [v for v in (normalize_text(html.unescape(x)) for x in self.meta.get(name, ())) if v]


def read_metadata(root) -> PageMetadata:
    md = PageMetadata()
    for el in root.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop"):
            if key := el.get(attr):
                md.meta.setdefault(key.strip().lower(), []).append(content)
    for el in root.iter("link"):
        if "canonical" in (el.get("rel") or "").lower().split() and el.get("href"):
            md.canonical = el.get("href").strip()
            break
    md.lang = root.get("lang") or root.get("xml:lang")
    objects = _jsonld_objects(root)
    md.types = {t for o in objects for t in _types(o)}
    md.articles = [o for o in objects if _types(o) & ARTICLE_TYPES]
    md.article = md.articles[0] if md.articles else {}
    crumbs = next((o for o in objects if "BreadcrumbList" in _types(o)), None)
    if crumbs:
        md.breadcrumbs = _breadcrumb_names(crumbs)
    return md


def _jsonld_objects(root) -> list[dict]:
    try:
        items = _jsonld.extract_items(root)
    except (json.JSONDecodeError, ValueError, TypeError):
        items = []
    out: list[dict] = []
    stack = list(items)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            out.append(item)
            if isinstance(item.get("@graph"), list):
                stack.extend(item["@graph"])
            if isinstance(entity := item.get("mainEntity"), dict):  # a WebPage about the article
                stack.append(entity)
    return out


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()


def _breadcrumb_names(crumbs: dict) -> list[str]:
    elements = crumbs.get("itemListElement") or []
    if isinstance(elements, dict):
        elements = [elements]
    ordered = sorted((e for e in elements if isinstance(e, dict)), key=lambda e: _int(e.get("position")))
    names = []
    for e in ordered:
        item = e.get("item")
        name = e.get("name") or (item.get("name") if isinstance(item, dict) else None)
        if isinstance(name, str) and normalize_text(name):
            names.append(normalize_text(html.unescape(name)))
    return names


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def jsonld_text(value) -> list[str]:
    """Strings in a JSON-LD value: plain, lists, comma-separated keywords or ``{name: …}`` objects."""
    if value is None:
        return []
    if isinstance(value, str):
        return [normalize_text(html.unescape(value))] if normalize_text(value) else []
    if isinstance(value, dict):
        return jsonld_text(value.get("name"))
    if isinstance(value, list):
        return [s for v in value for s in jsonld_text(v)]
    return []
