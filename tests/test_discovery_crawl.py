"""Discovery on a site nobody wrote rules for, over a real loopback server, from its home page
alone: the feed the page announces (``<link rel=alternate>``, with ``xml:base`` and relative
links), the sitemaps its robots.txt lists (an index, a gzipped child), and article links by
their URL shape. One crawl, read by every test here."""

import gzip

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from archive.models import Snapshot
from tests.conftest import recording, run_crawl
from tests.loopback import serve

FROM_FEED = "/tin-tuc/2024/05/bai-viet-tu-nguon-tin-rss-100001.html"
FROM_SITEMAP = "/tin-tuc/bai-viet-tu-so-do-trang-web-nen-gzip-100002.html"
FROM_HOME = "/tin-tuc/bai-viet-lien-ket-tu-trang-chu-theo-duong-dan-100003.html"
EDIT = ("Trong cuộc gọi".encode(), "Trong cuộc điện đàm".encode())
SETTINGS = {"DOWNLOAD_TIMEOUT": 5, "RETRY_TIMES": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}


def home(base: str) -> bytes:
    return f"""<html><head><title>Báo Thử</title>
    <link rel="alternate" type="application/rss+xml" title="Tin mới" href="/rss/tin-moi.xml"></head>
    <body><nav><a href="/tin-tuc">Tin tức</a> <a href="/lien-he">Liên hệ</a></nav>
    <a href="{FROM_HOME}">Bài viết từ trang chủ</a></body></html>""".encode()


def atom_feed() -> bytes:
    # xml:base on the feed, relative to the feed's own URL, and a relative entry link under it
    relative = FROM_FEED.removeprefix("/tin-tuc/")
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="/tin-tuc/">
    <title>Tin mới</title><entry><title>Bài viết</title><link rel="alternate" href="{relative}"/>
    <updated>2024-05-12T06:30:00Z</updated></entry></feed>""".encode()


def site_pages(base: str) -> dict:
    html = "text/html; charset=utf-8"
    child = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}{FROM_SITEMAP}</loc></url></urlset>'
    index = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{base}/sitemaps/bai-viet.xml.gz</loc></sitemap></sitemapindex>'
    return {
        "/": (200, html, home(base)),
        "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /admin/\nsitemap: /sitemap_index.xml\n"),
        "/sitemap_index.xml": (200, "application/xml", index.encode()),
        "/sitemaps/bai-viet.xml.gz": (200, "application/gzip", gzip.compress(child.encode())),
        "/rss/tin-moi.xml": (200, "application/atom+xml", atom_feed()),
        FROM_FEED: (200, html, recording("kinhtedothi.vn", "article.html").read_bytes()),
        FROM_SITEMAP: (200, html, recording("thanhnien.vn", "article.html").read_bytes()),
        # the re-post of the sitemap's story, edited: a story of its own (the same text on one site is one article)
        FROM_HOME: (200, html, recording("hanhkhatkito.net", "article.html").read_bytes().replace(*EDIT)),
    }


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Path -> recorded outcome of one crawl started at the home page."""
    folder = tmp_path_factory.mktemp("discovery")
    pages: dict = {}
    with serve(pages) as base:
        pages.update(site_pages(base))
        done = run_crawl(folder, "news", "-a", f"start={base}/", settings=SETTINGS)
    assert done.returncode == 0, done.stderr
    with Session(create_engine(f"sqlite:///{folder / 'archive.db'}")) as session:
        return {snap.url.removeprefix(base): snap.outcome for snap in session.scalars(select(Snapshot))}


def test_feed_announced_by_the_home_page_is_read_with_its_xml_base(outcomes):
    assert (outcomes["/rss/tin-moi.xml"], outcomes[FROM_FEED]) == ("discovered:feed", "new")


def test_sitemaps_listed_in_robots_txt_are_read_down_to_a_gzipped_child(outcomes):
    assert [outcomes[p] for p in ("/robots.txt", "/sitemap_index.xml", "/sitemaps/bai-viet.xml.gz", FROM_SITEMAP)] == [
        "discovered:robots",
        "discovered:sitemapindex",
        "discovered:urlset",
        "new",
    ]


def test_home_page_links_shaped_like_articles_are_fetched_and_others_are_not(outcomes):
    assert outcomes[FROM_HOME] == "new"
    assert "/lien-he" not in outcomes and "/tin-tuc" not in outcomes
