"""Pages that need JavaScript, rendered by a real headless Chromium (scrapy-playwright)
against pages served on 127.0.0.1, and replayed later without a browser."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from archive.models import ArticleVersion, Snapshot
from crawler.rendering.browser import find_browser
from tests.conftest import run_crawl
from tests.loopback import serve

PARAGRAPHS = [
    "Hà Nội sẽ mở rộng không gian đi bộ quanh hồ Hoàn Kiếm sang các tuyến phố cổ từ tháng tới.",
    "Theo Sở Văn hóa và Thể thao, các tuyến phố mới sẽ mở cửa cho người đi bộ vào tối thứ Sáu, thứ Bảy và Chủ nhật.",
    "Người dân và du khách được khuyến khích gửi xe tại các bãi đỗ quanh khu vực trung tâm để giảm ùn tắc.",
    "Chính quyền quận Hoàn Kiếm cho biết sẽ đánh giá hiệu quả sau ba tháng thí điểm trước khi áp dụng lâu dài.",
]
TITLE = "Hà Nội mở rộng không gian đi bộ quanh hồ Hoàn Kiếm"


def script_built(extra_head: str = "", static_body: str = "") -> bytes:
    """An article whose text a script inserts after the page has loaded."""
    article = "<article><h1>" + TITLE + '</h1><div class="content">'
    article += "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div></article>"
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>' + TITLE + "</title>"
        '<meta property="og:type" content="article">' + extra_head + "</head><body>"
        f'<div id="root">{static_body}</div><script>window.addEventListener("load", function () {{'
        f"document.getElementById('root').innerHTML = {article!r}; }});</script></body></html>"
    ).encode()


LONG_TITLE = TITLE + " sang các tuyến phố cổ từ tháng tới, thí điểm trong ba tháng"


def with_placeholder() -> bytes:
    """A page that shows a long headline and a "loading" placeholder where a script puts the text:
    the static page's only text is its headline (which is no body)."""
    article = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>' + LONG_TITLE + "</title>"
        '<meta property="og:type" content="article"></head><body><article><h1>' + LONG_TITLE + "</h1>"
        '<div class="content" id="noi-dung">Đang tải nội dung…</div></article><script>'
        f"window.addEventListener('load', function () {{ document.getElementById('noi-dung').innerHTML ="
        f" {article!r}; }});</script></body></html>"
    ).encode()


PAGES = {
    "/bai-7.html": (200, "text/html; charset=utf-8", with_placeholder()),
    "/bai-1.html": (200, "text/html; charset=utf-8", script_built()),
    "/bai-2.html": (200, "text/html; charset=utf-8", script_built('<script src="/never.js"></script>')),
    "/never.js": (200, "application/javascript", b"// answered only after the render timeout"),
    "/bai-3.html": (200, "text/html; charset=utf-8", script_built(static_body="<p>Tóm tắt ngắn.</p>")),
    **{f"/bai-{n}.html": (200, "text/html; charset=utf-8", script_built()) for n in (4, 5, 6)},
}
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False, "RETRY_TIMES": 0}


@pytest.fixture(scope="module")
def chromium() -> str:
    browser = find_browser("auto")
    if browser is None:
        message = "no Chromium: `make test` installs Debian's chromium (scripts/chromium.sh)"
        if os.environ.get("CI"):  # CI runs `make test`: a missing browser is a failure there, not a skip
            pytest.fail(message)
        pytest.skip(message)
    return browser


@pytest.fixture(scope="module")
def site():
    with serve(PAGES, delays={"/never.js": 5.0}) as base:
        yield base


def stats(crawl_result) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"'(render/[^']+)': (\d+)", crawl_result.stderr)}


def versions(url: str) -> list[ArticleVersion]:
    with Session(create_engine(url)) as s:
        return list(s.scalars(select(ArticleVersion)))


def snapshots(url: str) -> list[tuple[str, str, str]]:
    with Session(create_engine(url)) as s:
        return [(r.url.rsplit("/", 1)[-1], r.record_type, r.outcome) for r in s.scalars(select(Snapshot))]


@pytest.fixture(scope="module")
def rendered(chromium, site, tmp_path_factory):
    """One crawl of the script-built article through the browser fallback, read by the tests
    that only look at its result: (the crawl, its database URL, its WARC folder)."""
    folder = tmp_path_factory.mktemp("rendered")
    done = run_crawl(folder, "news", "-a", f"start={site}/bai-1.html", settings=FAST)
    return done, f"sqlite:///{folder / 'archive.db'}", folder / "warc"


def test_a_script_built_article_is_rendered_and_archived_in_full(rendered):
    done, database_url, _ = rendered
    assert done.returncode == 0, done.stderr[-2000:]
    (version,) = versions(database_url)
    assert (version.title, version.body) == (TITLE, PARAGRAPHS)
    assert stats(done) == {"render/fallback": 1, "render/rendered": 1}


def test_a_headline_over_a_loading_placeholder_is_rendered_not_archived_empty(chromium, site, crawl, sqlite_url):
    done = crawl("news", "-a", f"start={site}/bai-7.html", database_url=sqlite_url, settings=FAST)
    assert done.returncode == 0, done.stderr[-2000:]
    (version,) = versions(sqlite_url)
    assert (version.title, version.body) == (LONG_TITLE, PARAGRAPHS)


def test_the_static_fetch_alone_gives_no_article(chromium, site, crawl, sqlite_url):
    done = crawl("news", "-a", f"start={site}/bai-1.html", "-a", "render=never", database_url=sqlite_url, settings=FAST)
    assert done.returncode == 0
    assert versions(sqlite_url) == []
    assert snapshots(sqlite_url) == [("bai-1.html", "response", "dropped:empty")]


def test_a_site_whose_rules_say_render_goes_through_the_browser_first(chromium, site, crawl, sqlite_url):
    settings = {**FAST, "SPIDER_MODULES": "crawler.spiders,tests.render_spiders"}
    done = crawl("script_site", "-a", f"start={site}/bai-3.html", database_url=sqlite_url, settings=settings)
    assert done.returncode == 0, done.stderr[-2000:]
    (version,) = versions(sqlite_url)
    assert version.body == PARAGRAPHS  # not the static "Tóm tắt ngắn."
    assert stats(done) == {"render/needed": 1, "render/rendered": 1}


def test_a_page_that_never_finishes_loading_is_recorded_failed_and_the_crawl_goes_on(chromium, site, crawl, sqlite_url):
    start = f"start={site}/bai-2.html,{site}/bai-1.html"
    done = crawl("news", "-a", start, database_url=sqlite_url, settings={**FAST, "RENDER_TIMEOUT": 2})
    assert done.returncode == 0
    assert ("bai-2.html", "response", "dropped:render_failed") in snapshots(sqlite_url)
    assert [v.body for v in versions(sqlite_url)] == [PARAGRAPHS]
    assert stats(done)["render/failed/TimeoutError"] == 1


def test_the_rendered_page_is_kept_as_a_conversion_record_the_version_points_at(rendered):
    _, database_url, _ = rendered
    assert sorted(snapshots(database_url)) == [("bai-1.html", "conversion", "new"), ("bai-1.html", "response", "new")]
    with Session(create_engine(database_url)) as s:
        version = s.scalar(select(ArticleVersion))
        assert version.snapshot.record_type == "conversion"


def test_replaying_a_rendered_page_gives_the_same_article_without_a_browser(rendered, site, crawl, tmp_path):
    _, live, warc_dir = rendered
    replayed = f"sqlite:///{tmp_path / 'replayed.db'}"
    no_browser = {**FAST, "REPLAY_FROM": warc_dir, "RENDER_BROWSER": "/nonexistent/chromium"}
    done = crawl("news", "-a", f"start={site}/bai-1.html", database_url=replayed, settings=no_browser)
    assert done.returncode == 0
    assert [v.body for v in versions(replayed)] == [v.body for v in versions(live)] == [PARAGRAPHS]
    assert "playwright/browser_count" not in done.stderr


def test_contexts_are_recycled_after_their_page_budget(chromium, site, crawl, sqlite_url):
    start = "start=" + ",".join(f"{site}/bai-{n}.html" for n in (1, 3, 4, 5, 6))
    settings = {**FAST, "RENDER_PAGES_PER_CONTEXT": 2, "RENDER_CONCURRENCY": 1}  # pages queue for a slot
    done = crawl("news", "-a", start, "-a", "render=always", database_url=sqlite_url, settings=settings)
    assert done.returncode == 0
    assert re.search(r"'playwright/context_count': 3,", done.stderr)
    assert stats(done)["render/rendered"] == 5
    assert stats(done)["render/contexts_recycled"] == 2


@pytest.mark.parametrize("spider", ["kinhtedothi", "thanhnien", "hanhkhatkito"])
def test_the_recorded_articles_need_no_browser(spider, crawl, recordings_warc, sqlite_url):
    done = crawl(spider, database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    assert done.returncode == 0
    assert len(versions(sqlite_url)) == 1
    assert stats(done) == {}
    assert "scrapy-playwright] INFO: Starting" not in done.stderr  # Playwright not even started


def test_without_a_browser_the_page_is_recorded_with_a_clear_reason(site, crawl, sqlite_url):
    no_browser = {**FAST, "RENDER_BROWSER": "/nonexistent/chromium"}
    done = crawl("news", "-a", f"start={site}/bai-1.html", database_url=sqlite_url, settings=no_browser)
    assert done.returncode == 0
    assert snapshots(sqlite_url) == [("bai-1.html", "response", "dropped:render_failed")]
    assert "apt-get install chromium" in done.stderr
