"""Finding article links in discovery sources: sitemaps, news sitemaps, RSS/Atom feeds,
and listing pages. Pure functions over response bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from pipelines.extraction.dates import parse_datetime
from pipelines.extraction.urls import absolute_url, registered_host

_LEADING_JUNK = re.compile(rb"^\s*(<!--.*?-->\s*)+", re.S)
_CDATA_ESCAPED = re.compile(r"^<!\[CDATA\[(.*)\]\]>$", re.S)
_NOT_ARTICLE_PATH = re.compile(
    r"/(tag|tags|tu-khoa|category|chuyen-muc|author|tac-gia|page|search|tim-kiem|video|login|dang-nhap|rss|feed)"
    r"(/|$|[-.])|\.(jpe?g|png|gif|webp|svg|pdf|mp4|mp3|xml|rss|css|js)$",
    re.I,
)
_ARTICLE_PATH = re.compile(
    r"(-\d{5,}(\.html?)?$)|(/\d{4}/\d{2}/(\d{2}/)?[^/]+)|([a-z0-9]+(-[a-z0-9]+){4,}(\.html?)?/?$)", re.I
)


@dataclass(frozen=True)
class Link:
    url: str
    date: datetime | None = None


def source_kind(body: bytes, content_type: str | None) -> str:
    """``sitemapindex``, ``urlset``, ``feed`` or ``html``."""
    head = _LEADING_JUNK.sub(b"", body[:4096]).lstrip().lower()
    if b"<sitemapindex" in head:
        return "sitemapindex"
    if b"<urlset" in head:
        return "urlset"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if "xml" in (content_type or "") and b"<html" not in head:
        return "feed"
    return "html"


def _xml_root(body: bytes, base_url: str | None = None):
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(_LEADING_JUNK.sub(b"", body).lstrip() or b"<empty/>", parser=parser, base_url=base_url)


class _DatedSitemap(Sitemap):
    """Scrapy's sitemap reader (streaming, entities off), keeping a news sitemap entry's
    ``news:publication_date``, which it flattens away."""

    __slots__ = ()

    def _process_sitemap_element(self, elem):
        published = elem.findtext("{*}news/{*}publication_date")
        entry = super()._process_sitemap_element(elem)
        if entry is not None and published:
            entry["publication_date"] = published.strip()
        return entry


def sitemap_links(body: bytes) -> list[Link]:
    """Entries of a sitemap or sitemap index, dated by the news publication date or ``lastmod``."""
    try:
        entries = list(_DatedSitemap(_LEADING_JUNK.sub(b"", body).lstrip()))
    except (etree.XMLSyntaxError, StopIteration):  # not XML at all, or empty
        return []
    links = []
    for entry in entries:
        if loc := (entry.get("loc") or "").strip():
            date = entry.get("publication_date") or entry.get("lastmod")
            links.append(Link(loc, parse_datetime(date, "+00:00")))
    return links


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The sitemaps a robots.txt lists in its ``Sitemap:`` lines (Scrapy's reader), absolute."""
    return [u for u in (absolute_url(url, base_url) for url in sitemap_urls_from_robots(body, base_url)) if u]


def feed_links(body: bytes, base_url: str) -> list[Link]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed, with their dates; relative links are
    resolved against ``xml:base`` where the feed sets one, else the feed's own URL."""
    root = _xml_root(body, base_url)
    if root is None:
        return []
    links = []
    for item in root.iter("{*}item", "{*}entry"):
        href, base = None, base_url
        for link in item.iter("{*}link"):
            href = link.get("href") if link.get("href") and link.get("rel", "alternate") == "alternate" else link.text
            if href and href.strip():
                base = link.base or base_url
                break
        if not href:
            guid = item.find("{*}guid")
            href = guid.text if guid is not None and guid.get("isPermaLink", "true") != "false" else None
        url = absolute_url(_uncdata(href), base)
        if not url:
            continue
        date_el = next(
            (item.find(t) for t in ("{*}pubDate", "{*}published", "{*}updated", "{*}date") if item.find(t) is not None),
            None,
        )
        date = parse_datetime(_uncdata(date_el.text), "+00:00") if date_el is not None else None
        links.append(Link(url, date))
    return links


def _uncdata(text: str | None) -> str | None:
    """Feeds that escape their CDATA (``&lt;![CDATA[…]]&gt;``) leave it in the text."""
    if text is None:
        return None
    text = text.strip()
    m = _CDATA_ESCAPED.match(text)
    return m.group(1).strip() if m else text


def page_links(selector, base_url: str) -> list[Link]:
    """Every link of an HTML page, absolute, fragments dropped, in page order, once."""
    seen: dict[str, None] = {}
    for href in selector.css("a::attr(href)").getall():
        url = absolute_url(href, base_url)
        if url:
            seen.setdefault(url.split("#", 1)[0], None)
    return [Link(u) for u in seen]


def alternate_feeds(selector, base_url: str) -> list[str]:
    """Feeds a page announces with ``<link rel=alternate type=application/rss+xml>``."""
    hrefs = selector.css(
        "link[rel~=alternate][type*=rss]::attr(href), link[rel~=alternate][type*=atom]::attr(href)"
    ).getall()
    return [u for u in (absolute_url(h, base_url) for h in hrefs) if u and "/comments/" not in u]


def looks_like_article(url: str, site_url: str) -> bool:
    """Heuristic for sites without rules: same site, a path shaped like a story's."""
    return registered_host(url) == registered_host(site_url) and has_article_path(url)


def has_article_path(url: str) -> bool:
    """A path shaped like a story's (dated, or a long slug with an id), not a section's or a tag's."""
    path = urlsplit(url).path
    return bool(_ARTICLE_PATH.search(path)) and not _NOT_ARTICLE_PATH.search(path)
