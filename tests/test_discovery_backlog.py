"""A sitemap index far larger than a crawl can hold at once is read as its articles are
fetched: the next sitemap is asked for only when the scheduler's backlog is under
``DISCOVERY_BACKLOG`` (a million URLs listed at once took 1.3 GB and fetched no article for
minutes). One crawl of a loopback site, read by every test here."""

import pytest

from tests.conftest import run_crawl
from tests.loopback import serve

SITEMAPS, PER_SITEMAP, BACKLOG, CONCURRENT, PER_SITE = 5, 30, 10, 4, 2
XML = "application/xml"


def pages(base: str) -> dict:
    index = "".join(f"<sitemap><loc>{base}/sitemap-{k}.xml</loc></sitemap>" for k in range(SITEMAPS))
    found = {"/sitemap_index.xml": (200, XML, f"<sitemapindex>{index}</sitemapindex>".encode())}
    for k in range(SITEMAPS):
        urls = "".join(f"<url><loc>{base}{article(k, n)}</loc></url>" for n in range(PER_SITEMAP))
        found[f"/sitemap-{k}.xml"] = (200, XML, f"<urlset>{urls}</urlset>".encode())
        for n in range(PER_SITEMAP):
            body = f"<html><body><article><h1>Bài {k}-{n}</h1><p>Nội dung bài viết {k}-{n}.</p></article></body></html>"
            found[article(k, n)] = (200, "text/html; charset=utf-8", body.encode())
    return found


def article(sitemap: int, n: int) -> str:
    return f"/tin-tuc/bai-viet-so-{sitemap}-{n}.html"


@pytest.fixture(scope="module")
def asked(tmp_path_factory):
    """The paths the site was asked for, in order."""
    folder = tmp_path_factory.mktemp("backlog")
    served, order = {}, []
    with serve(served, asked=order) as base:
        served.update(pages(base))
        settings = {
            "DISCOVERY_BACKLOG": BACKLOG,
            "CONCURRENT_REQUESTS": CONCURRENT,
            "CONCURRENT_REQUESTS_PER_DOMAIN": PER_SITE,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": False,
        }
        crawl = run_crawl(folder, "news", "-a", f"start={base}/sitemap_index.xml", settings=settings)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    return order


def test_every_article_of_every_sitemap_is_fetched_once(asked):
    fetched = [path for path in asked if path.startswith("/tin-tuc/")]
    assert sorted(fetched) == sorted(article(k, n) for k in range(SITEMAPS) for n in range(PER_SITEMAP))


def test_a_sitemap_is_asked_for_only_once_the_articles_listed_before_it_are_under_the_backlog(asked):
    for k in range(PER_SITE, SITEMAPS):
        before = asked[: asked.index(f"/sitemap-{k}.xml")]
        # of the sitemaps asked before it, all but the PER_SITE - 1 still being asked had listed theirs
        listed = (k - (PER_SITE - 1)) * PER_SITEMAP
        fetched = sum(path.startswith("/tin-tuc/") for path in before)
        # what waited in the scheduler (listed, not yet handed to the downloader) was under the backlog
        assert listed - fetched < BACKLOG + CONCURRENT, (k, fetched)


def test_no_more_sitemaps_are_asked_at_once_than_the_site_is_fetched_from_at_once(asked):
    sitemaps = [path for path in asked if path.startswith("/sitemap-")]
    first_article = next(n for n, path in enumerate(asked) if path.startswith("/tin-tuc/"))
    assert len([path for path in asked[:first_article] if path in sitemaps]) <= PER_SITE
