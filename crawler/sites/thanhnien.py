"""Báo Thanh Niên (thanhnien.vn), VCCorp-style layout with ``data-role`` hooks."""

from pipelines.extraction.site_rules import SiteRules

RULES = SiteRules(
    name="thanhnien.vn",
    spider="thanhnien",
    domains=("thanhnien.vn",),
    article_url=r"^https?://((www|m|amp)\.)?thanhnien\.vn/[a-z0-9-]+-\d{9,}\.htm$",
    article_id=r"-(\d{9,})\.htm$",
    sources=(
        "https://thanhnien.vn/sitemap.xml",
        "https://thanhnien.vn/rss/the-gioi.rss",
        "https://thanhnien.vn/the-gioi.htm",
    ),
    language="vi",
    title=("h1[data-role=title]", "h1.detail-title", "meta[property='og:title']::attr(content)"),
    lead=("[data-role=sapo]", ".detail-sapo"),
    body=("[data-role=content]", ".detail-content"),
    authors=(
        "[data-role=author] a.name::attr(title)",
        "[data-role=author] .name",
        "meta[property='dable:author']::attr(content)",
    ),
    published_at=("meta[property='article:published_time']::attr(content)", "[data-role=publishdate]"),
    updated_at=("meta[property='article:modified_time']::attr(content)",),
    section=("[data-role=cate-name]", "meta[property='article:section']::attr(content)"),
    tags=(".detail-tags a.detail-tag", "meta[property='article:tag']::attr(content)"),
    strip=("[type=RelatedNewsBox]", ".ads", "zone", ".action_thumb"),
)
