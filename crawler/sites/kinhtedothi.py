"""Báo Kinh tế & Đô thị (kinhtedothi.vn)."""

from pipelines.extraction.site_rules import SiteRules

RULES = SiteRules(
    name="kinhtedothi.vn",
    spider="kinhtedothi",
    domains=("kinhtedothi.vn",),
    article_url=r"^https?://((www|m|amp)\.)?kinhtedothi\.vn/[a-z0-9-]+-\d{5,}\.html$",
    article_id=r"-(\d{5,})\.html$",
    sources=(
        "https://kinhtedothi.vn/sitemap.xml",
        "https://kinhtedothi.vn/rss/the-gioi.rss",
        "https://kinhtedothi.vn/the-gioi",
    ),
    language="vi",
    title=("article.article-detail h1.article-title::text", "meta[property='og:title']::attr(content)"),
    lead=(".article-sapo",),
    body=("article.article-detail .article-body", "[itemprop=articleBody]"),
    published_at=(
        "meta[property='article:published_time']::attr(content)",
        ".article-published-on time::attr(datetime)",
    ),
    updated_at=("meta[property='article:modified_time']::attr(content)",),
    section=("meta[property='article:section']::attr(content)", ".main-nav li.active a::text"),
    tags=("meta[property='article:tag']::attr(content)",),
    strip=(".box-related-inline", ".ads-slot", ".article-share"),
)
