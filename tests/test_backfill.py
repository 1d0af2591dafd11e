"""A backfill's split: the shards of a sitemap index, each shard crawl's share of the politeness,
and the index fetched under the crawl's destination rules."""

import gzip

import pytest
from scrapy.settings import Settings

from crawler.scheduling.backfill import BackfillError, divided_politeness, fetcher, shards_of
from tests.loopback import serve

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://example.org/sitemap-2024.xml</loc></sitemap>
<sitemap><loc>https://example.org/sitemap-2025.xml</loc></sitemap>
<sitemap><loc>https://example.org/sitemap-2024.xml</loc></sitemap>
</sitemapindex>"""
URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://example.org/a-1.html</loc></url></urlset>"""
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://example.org/a-2.html</link></item></channel></rss>"""


def fetch_from(pages: dict[str, bytes]):
    return lambda url: (pages[url], "application/xml")


def test_an_index_splits_into_its_sitemaps_once_each():
    fetch = fetch_from({"https://example.org/sitemap.xml": INDEX})
    assert shards_of(["https://example.org/sitemap.xml"], fetch) == [
        "https://example.org/sitemap-2024.xml",
        "https://example.org/sitemap-2025.xml",
    ]


def test_an_index_s_sitemaps_on_another_site_are_not_crawled():
    index = INDEX.replace(b"https://example.org/sitemap-2025.xml", b"https://elsewhere.example/sitemap.xml")
    fetch = fetch_from({"https://www.example.org/sitemap.xml": index})
    assert shards_of(["https://www.example.org/sitemap.xml"], fetch) == ["https://example.org/sitemap-2024.xml"]


def test_a_urlset_source_is_a_shard_and_a_feed_is_not():
    fetch = fetch_from({"https://example.org/news.xml": URLSET, "https://example.org/rss": FEED})
    assert shards_of(["https://example.org/rss", "https://example.org/news.xml"], fetch) == [
        "https://example.org/news.xml"
    ]


def test_without_a_sitemap_source_the_robots_txt_sitemaps_are_split():
    robots = b"User-agent: *\nDisallow:\nSitemap: https://example.org/sitemap.xml\n"
    pages = {"https://example.org/rss": FEED, "https://example.org/robots.txt": robots}
    fetch = fetch_from(pages | {"https://example.org/sitemap.xml": INDEX})
    assert len(shards_of(["https://example.org/rss"], fetch)) == 2


def test_shard_crawls_together_are_no_faster_than_one_crawl():
    settings = Settings({"DOWNLOAD_DELAY": 0.5, "AUTOTHROTTLE_START_DELAY": 1.0})
    settings.set("AUTOTHROTTLE_TARGET_CONCURRENCY", 2.0)
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 4)
    assert divided_politeness(settings, 4) == {
        "DOWNLOAD_DELAY": "2",
        "AUTOTHROTTLE_START_DELAY": "4",
        "AUTOTHROTTLE_TARGET_CONCURRENCY": "0.5",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
    }


def test_each_shard_crawl_keeps_at_least_one_request_at_a_time():
    settings = Settings({"CONCURRENT_REQUESTS_PER_DOMAIN": 2})
    assert divided_politeness(settings, 8)["CONCURRENT_REQUESTS_PER_DOMAIN"] == "1"


def loopback_settings(**extra) -> Settings:
    return Settings({"ALLOWED_PRIVATE_NETWORKS": ["127.0.0.1/32"], "DOWNLOAD_TIMEOUT": 5, **extra})


def test_a_gzipped_index_is_read_unpacked():
    with serve({"/sitemap.xml.gz": (200, "application/gzip", gzip.compress(INDEX))}) as base:
        body, _ = fetcher(loopback_settings())(f"{base}/sitemap.xml.gz")
    assert body == INDEX


def test_an_index_that_unpacks_past_the_size_limit_is_refused():
    bomb = gzip.compress(b"<sitemapindex>" + b" " * 2_000_000)
    fetch = fetcher(loopback_settings(DOWNLOAD_MAXSIZE=1_000_000))
    with (
        serve({"/sitemap.xml.gz": (200, "application/gzip", bomb)}) as base,
        pytest.raises(BackfillError, match="exceeded"),
    ):
        fetch(f"{base}/sitemap.xml.gz")


def test_the_index_is_not_fetched_from_a_private_address():
    fetch = fetcher(Settings({"DOWNLOAD_TIMEOUT": 5}))
    with (
        serve({"/sitemap.xml": (200, "application/xml", INDEX)}) as base,
        pytest.raises(BackfillError, match="loopback"),
    ):
        fetch(f"{base}/sitemap.xml")


def test_a_redirect_of_the_index_to_a_link_local_address_is_refused():
    moved = (302, "text/html", b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    with serve({"/sitemap.xml": moved}) as base, pytest.raises(BackfillError, match="refused \\(link_local\\)"):
        fetcher(loopback_settings())(f"{base}/sitemap.xml")


def test_an_http_error_is_a_backfill_error():
    with serve({}) as base, pytest.raises(BackfillError, match="404"):
        fetcher(loopback_settings())(f"{base}/sitemap.xml")
