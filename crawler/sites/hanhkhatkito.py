"""Hành Khất Kitô (hanhkhatkito.net): a WordPress blog re-posting press articles.

The WordPress account in the byline and in the JSON-LD is the uploader, not the
author: the real byline is the right-aligned bold line closing the post, and the
line after it credits the original publisher (``TNO`` for Thanh Niên Online).
"""

from pipelines.extraction.site_rules import SiteRules

_RIGHT = "p[style*='text-align: right']"

RULES = SiteRules(
    name="hanhkhatkito.net",
    spider="hanhkhatkito",
    domains=("hanhkhatkito.net",),
    article_url=r"^https?://((www|m|amp)\.)?hanhkhatkito\.net/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/?$",
    sources=(
        "https://hanhkhatkito.net/sitemap_index.xml",
        "https://hanhkhatkito.net/feed",
        "https://hanhkhatkito.net/category/the-gioi",
    ),
    language="vi",
    title=("header.td-post-title h1.entry-title", "h1.entry-title"),
    lead=(".td-post-content > p:first-child > strong:only-child",),
    body=(".td-post-content.entry-content", ".entry-content"),
    authors=(f".td-post-content > {_RIGHT} > strong",),
    published_at=("meta[property='article:published_time']::attr(content)", "time.entry-date::attr(datetime)"),
    updated_at=("meta[property='article:modified_time']::attr(content)",),
    section=(".td-post-header .td-category a", ".entry-crumbs span:last-of-type a"),
    tags=(".td-post-source-tags .td-tags a",),
    source=(f".td-post-content > {_RIGHT}:last-child",),
    strip=(".td-a-rec", _RIGHT),
)
