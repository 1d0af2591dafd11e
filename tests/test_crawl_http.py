"""End to end over a real loopback HTTP server: the generic ``news`` spider archives the
article, and bad pages (404, 500, binary junk, a listing, a timeout) are recorded with
their reason without stopping the crawl."""

import gzip
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from archive.database import create_db_engine, migrate
from archive.models import Article, ArticleAlias, ArticleVersion, CrawlRun, Snapshot
from archive.store import Archive
from tests.conftest import expected, recording, run_crawl
from tests.loopback import serve

ARTICLE = "/the-gioi/ngoai-truong-my-thuong-dinh-biden-putin-417984.html"
BAD = {
    "/the-gioi/trang-loi-may-chu-500001.html": (500, "text/html", b"<h1>Internal Server Error</h1>"),
    "/the-gioi/trang-hong-nhi-phan-500002.html": (200, "text/html", b"\x00\x01\x02\xff" * 300),
    "/the-gioi/trang-trong-khong-noi-dung-500006.html": (200, "text/html", b"<html><head></head><body></body></html>"),
    "/the-gioi/trang-danh-sach-bai-viet-500003.html": (
        200,
        "text/html; charset=utf-8",
        recording("kinhtedothi.vn", "listing.html").read_bytes(),
    ),
}
MISSING = "/the-gioi/trang-khong-ton-tai-500004.html"
SLOW = "/the-gioi/trang-tai-rat-cham-500005.html"
SETTINGS = {"DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}


def feed(base: str, paths) -> bytes:
    items = "".join(f"<item><title>t</title><link>{base}{p}</link></item>" for p in paths)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'.encode()


def site_pages(base: str) -> dict:
    pages = {ARTICLE: (200, "text/html; charset=utf-8", recording("kinhtedothi.vn", "article.html").read_bytes())}
    pages.update(BAD)
    pages["/rss.xml"] = (200, "application/rss+xml", feed(base, [ARTICLE, *BAD, MISSING, SLOW]))
    return pages


@pytest.fixture
def site():
    pages: dict = {}
    with serve(pages, delays={SLOW: 4.5}) as base:
        pages.update(site_pages(base))
        yield base


def db(url: str) -> Session:
    return Session(create_engine(url))


@dataclass
class FeedCrawl:
    """One crawl of the site from its feed, read by the tests that only look at its result."""

    base: str
    done: object
    database_url: str
    warc_dir: Path


@pytest.fixture(scope="module")
def feed_crawl(tmp_path_factory) -> FeedCrawl:
    folder = tmp_path_factory.mktemp("feed-crawl")
    pages: dict = {}
    with serve(pages, delays={SLOW: 4.5}) as base:
        pages.update(site_pages(base))
        done = run_crawl(folder, "news", "-a", f"start={base}/rss.xml", settings=SETTINGS)
    return FeedCrawl(base, done, f"sqlite:///{folder / 'archive.db'}", folder / "warc")


def test_news_spider_archives_the_article_from_a_feed(feed_crawl):
    assert feed_crawl.done.returncode == 0, feed_crawl.done.stderr
    want = expected("kinhtedothi.vn")
    with db(feed_crawl.database_url) as s:
        (article,) = s.scalars(select(Article)).all()
        version = s.scalar(select(ArticleVersion))
    assert article.canonical_url == feed_crawl.base + ARTICLE  # the page's canonical link names another host
    assert (version.title, version.body, version.images) == (want["title"], want["body"], want["images"])


def test_every_request_is_recorded_with_its_outcome_and_the_crawl_finishes(feed_crawl):
    site = feed_crawl.base
    with db(feed_crawl.database_url) as s:
        outcomes = {snap.url.removeprefix(site): snap.outcome for snap in s.scalars(select(Snapshot))}
        run = s.scalar(select(CrawlRun))
    assert outcomes == {
        "/robots.txt": "robots",
        "/rss.xml": "discovered:feed",
        SLOW: "failed:DownloadTimeoutError",
        ARTICLE: "new",
        "/the-gioi/trang-loi-may-chu-500001.html": "dropped:http_500",
        "/the-gioi/trang-hong-nhi-phan-500002.html": "dropped:malformed",
        "/the-gioi/trang-danh-sach-bai-viet-500003.html": "dropped:listing",
        "/the-gioi/trang-trong-khong-noi-dung-500006.html": "dropped:empty",
        MISSING: "dropped:not_found",
    }
    assert run.outcome == "finished"
    assert run.stats.get("fetch/failed/DownloadTimeoutError") == 1
    assert "failed fetches: 1 DownloadTimeoutError" in feed_crawl.done.stdout


def test_every_response_is_in_the_warc_with_checking_digests(feed_crawl):
    uris = []
    for path in feed_crawl.warc_dir.glob("*.warc.gz"):
        with open(path, "rb") as fh:
            uris += [
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(fh, check_digests="raise")
                if r.rec_type == "response"
            ]
    expected_uris = sorted(["/robots.txt", "/rss.xml", ARTICLE, *BAD, MISSING])
    assert sorted(u.removeprefix(feed_crawl.base) for u in uris) == expected_uris


def test_tracking_parameter_copy_becomes_an_alias(site, crawl, sqlite_url):
    crawl("news", "-a", f"start={site}{ARTICLE}", database_url=sqlite_url, settings=SETTINGS)
    crawl(
        "news",
        "-a",
        f"start={site}{ARTICLE}?utm_source=zalo&utm_medium=share",
        database_url=sqlite_url,
        settings=SETTINGS,
    )
    with db(sqlite_url) as s:
        assert len(s.scalars(select(Article)).all()) == 1
        assert len(s.scalars(select(ArticleVersion)).all()) == 1
        assert [a.url.removeprefix(site) for a in s.scalars(select(ArticleAlias))] == [
            f"{ARTICLE}?utm_source=zalo&utm_medium=share"
        ]


def test_dead_database_loses_nothing_and_the_crawl_goes_on(site, crawl, tmp_path):
    dead = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"
    done = crawl(
        "news", "-a", f"start={site}/rss.xml", database_url=dead, settings=SETTINGS | {"STORE_RETRY_BACKOFF": 0.1}
    )
    assert done.returncode == 0
    assert "database errors" in done.stdout
    spooled = [json.loads(line) for line in (tmp_path / "failed-items.jsonl").read_text().splitlines()]
    article = next(r["item"] for r in spooled if r["op"] == "save" and r["item"]["url"].endswith(ARTICLE))
    assert article["title"] == expected("kinhtedothi.vn")["title"] and article["snapshot"]["digest"]


def test_an_archive_newer_than_the_crawl_s_code_spools_the_article_instead_of_losing_it(site, crawl, tmp_path):
    """Not a database error (an Alembic one: this code does not know the archive's revision), yet
    the article is kept, as for any storage failure."""
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    engine = create_db_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    done = crawl(
        "news", "-a", f"start={site}/rss.xml", database_url=url, settings=SETTINGS | {"STORE_RETRY_BACKOFF": 0.1}
    )
    assert done.returncode == 0
    spooled = [json.loads(line) for line in (tmp_path / "failed-items.jsonl").read_text().splitlines()]
    article = next(r["item"] for r in spooled if r["op"] == "save" and r["item"]["url"].endswith(ARTICLE))
    assert article["title"] == expected("kinhtedothi.vn")["title"]


def test_offline_run_ends_cleanly_saying_so(crawl, sqlite_url):
    done = crawl("news", "-a", "start=http://127.0.0.1:9/rss.xml", database_url=sqlite_url, settings=SETTINGS)
    assert done.returncode == 0
    assert "no network" in done.stdout
    assert "Traceback" not in done.stderr  # robots.txt unreachable: a line, as for every other request


def sitemap(base: str, paths) -> bytes:
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def test_a_gzipped_sitemap_is_read_like_a_plain_one(crawl, sqlite_url):
    pages = {ARTICLE: (200, "text/html; charset=utf-8", recording("kinhtedothi.vn", "article.html").read_bytes())}
    with serve(pages) as base:
        pages["/sitemap.xml.gz"] = (200, "application/x-gzip", gzip.compress(sitemap(base, [ARTICLE])))
        done = crawl("news", "-a", f"start={base}/sitemap.xml.gz", database_url=sqlite_url, settings=SETTINGS)
    assert done.returncode == 0, done.stderr
    with db(sqlite_url) as s:
        outcomes = {snap.url.removeprefix(base): snap.outcome for snap in s.scalars(select(Snapshot))}
    assert (outcomes["/sitemap.xml.gz"], outcomes[ARTICLE]) == ("discovered:urlset", "new")


def test_a_gzipped_sitemap_larger_than_the_download_limit_once_unpacked_is_refused(crawl, sqlite_url):
    bomb = gzip.compress(b"<?xml version='1.0'?><urlset>" + b" " * 5_000_000 + b"</urlset>")
    with serve({"/sitemap.xml.gz": (200, "application/gzip", bomb)}) as base:
        done = crawl(
            "news", "-a", f"start={base}/sitemap.xml.gz", database_url=sqlite_url,
            settings=SETTINGS | {"DOWNLOAD_MAXSIZE": 1_000_000},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with db(sqlite_url) as s:
        (row,) = [snap for snap in s.scalars(select(Snapshot)) if snap.url.endswith("/sitemap.xml.gz")]
    assert row.outcome == "failed:too_large"


def test_a_crawl_whose_site_lease_another_crawl_holds_stops_at_once(site, crawl, sqlite_url):
    """A dispatched crawl that waited in a node's queue past its lease, which another run has since
    taken: it stops instead of crawling the site a second time."""
    archive = Archive(sqlite_url)
    run_id = archive.start_run("news", dispatched_to="http://node-1:6800", lease="site:news")
    assert archive.acquire("site:news", "run:999", timedelta(minutes=5))  # the run that has the site now
    settings = SETTINGS | {"CRAWL_RUN_ID": run_id, "SITE_LEASE": "site:news"}
    done = crawl("news", "-a", f"start={site}/rss.xml", database_url=sqlite_url, settings=settings)
    assert done.returncode == 0, done.stderr[-2000:]
    with db(sqlite_url) as s:
        run = s.get(CrawlRun, run_id)
        articles = s.scalars(select(Article)).all()
    assert (run.outcome, articles) == ("lease_lost", [])
