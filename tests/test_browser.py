"""The archive browser (``python -m archive serve``), page by page, on an archive crawled from
the recordings (``tests.browser_archive``): through Starlette's test client, and end to end in
a real headless Chromium against the real server on loopback."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator

from archive.browser import create_app
from archive.browser.app import Browser
from archive.cli import build_parser
from tests import browser_archive as fixture
from tests.conftest import ROOT
from tests.loopback import free_port

ARTIFACTS = ROOT / "test-artifacts" / "browser"
THANHNIEN = "https://thanhnien.vn/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"


def article_id(client: TestClient, url: str) -> int:
    response = client.get("/url", params={"u": url}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def titles(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'class="title" href="[^"]+">(.*?)</a>', page)]


# -- search --------------------------------------------------------------------------------
def test_a_query_without_diacritics_finds_the_text_written_with_them(client):
    page = client.get("/search", params={"q": "thuong dinh biden"}).text  # "Thượng đỉnh Biden": đ folded to d
    assert fixture.TITLE in titles(page)


def test_matches_are_highlighted_in_the_title_and_the_snippet(client):
    page = client.get("/search", params={"q": "thuong dinh"}).text
    assert '<a class="title" href="/article/3">Ngoại trưởng Mỹ: <mark>Thượng</mark> <mark>đỉnh</mark>' in page
    assert re.search(r'<p class="snippet">[^<]*<mark>Thượng</mark> <mark>đỉnh</mark>', page)  # as the body has it


def test_a_query_with_diacritics_ranks_the_exact_word_before_its_other_spellings(client):
    page = client.get("/search", params={"q": "đỉnh"}).text  # "thượng đỉnh" (summit), not "khẳng định" (affirm)
    assert "exact spellings first" in page
    results = re.findall(r'<li><a class="title".*?</a>\s*(<span class="badge exact">)?', page, re.S)
    exact = [bool(r) for r in results]
    assert exact == [True, True, True, False, False]  # the three summit articles, then the two others


def test_a_phrase_in_quotes_must_appear_as_written(client):
    assert (
        titles(client.get("/search", params={"q": '"phá băng"'}).text)
        == ["Tổng thống Biden ‘phá băng’ quan hệ Mỹ – Nga ?"] * 2
    )
    assert titles(client.get("/search", params={"q": '"băng phá"'}).text) == []


def test_search_filters_by_site(client):
    page = client.get("/search", params={"q": "biden", "site": "thanhnien.vn"}).text
    assert len(titles(page)) == 1
    assert "thanhnien.vn" in page


def test_search_filters_by_change_class(client):
    page = client.get("/search", params={"change": "substantive"}).text
    assert titles(page) == [fixture.TITLE]


def test_search_filters_by_author_without_diacritics(client):
    author = client.get(f"/article/{article_id(client, THANHNIEN)}").text
    assert "Bảo Vinh" in author
    page = client.get("/search", params={"author": "bao vinh"}).text
    assert len(titles(page)) == 2 and "kinhtedothi.vn" not in page.split('class="results"')[1]  # and its re-post


def test_search_filters_by_publication_day(client):
    assert len(titles(client.get("/search", params={"since": "2021-05-01"}).text)) == 3  # the three of May
    assert len(titles(client.get("/search", params={"until": "2021-01-28"}).text)) == 2  # the two of January
    assert titles(client.get("/search", params={"since": "2021-06-01"}).text) == []


def test_a_word_matching_past_the_bounds_says_more_than_and_pages_only_the_ranked(client, monkeypatch):
    import archive.browser.app as app
    import archive.search as search

    for module in (app, search):
        monkeypatch.setattr(module, "MAX_COUNTED", 2)
        monkeypatch.setattr(module, "MAX_RANKED", 2)
    monkeypatch.setattr("archive.browser.reading.PER_PAGE", 2)
    page = client.get("/search", params={"q": "biden"}).text
    assert "more than 2 articles" in page and "the newest 2 ranked" in page
    assert len(titles(page)) == 2 and 'rel="next"' not in page


def test_results_are_paginated(client):
    page = client.get("/search").text
    assert "5 articles" in page and 'rel="next"' not in page
    assert titles(client.get("/search", params={"page": "2"}).text) == []


# -- lookup --------------------------------------------------------------------------------
def test_an_alias_with_tracking_parameters_opens_its_article(client):
    shared = fixture.SLUG + "?utm_source=facebook&utm_medium=social&fbclid=IwAR0x"
    assert article_id(client, shared) == article_id(client, fixture.KTDT)


def test_an_unknown_url_is_a_404_page(client):
    response = client.get("/url", params={"u": "https://kinhtedothi.vn/khong-co-123.html"})
    assert response.status_code == 404
    assert "no archived article at https://kinhtedothi.vn/khong-co-123.html" in response.text


def test_the_url_listing_of_a_site_starts_with_the_prefix(client):
    page = client.get("/sites/kinhtedothi.vn/urls", params={"prefix": "https://kinhtedothi.vn/bai-"}).text
    assert fixture.HOSTILE_URL in page
    assert fixture.KTDT not in page
    assert fixture.KTDT in client.get("/sites/kinhtedothi.vn/urls", params={"prefix": "https://kinhtedothi.vn/"}).text


# -- article -------------------------------------------------------------------------------
def test_the_article_page_shows_the_clean_article_with_provenance(client):
    page = client.get(f"/article/{article_id(client, THANHNIEN)}").text
    assert "<h1>Tổng thống Biden ‘phá băng’ quan hệ Mỹ – Nga ?</h1>" in page
    assert "<figcaption>Ông Vladimir Putin tiếp ông Joe Biden" in page
    assert re.search(r"<th>body</th><td class=\"rules\">rules</td>", page)
    assert "extractor 1." in page


def test_the_article_page_lists_versions_with_their_change_class_minor_ones_folded(client):
    page = client.get(f"/article/{article_id(client, fixture.KTDT)}").text
    assert re.findall(r'class="badge (\w[\w-]*)"', page.split("<h2>Versions</h2>")[1].split("<h2>")[0]) == [
        "first",
        "substantive",
        "minor",
    ]
    assert '<li class="minor"><details>' in page


def test_the_article_page_lists_every_capture_with_its_warc_record(client, archive):
    page = client.get(f"/article/{article_id(client, fixture.KTDT)}").text
    captures = page.split("<h2>Captures</h2>")[1]
    assert captures.count("view as captured") == 3
    files = re.findall(r'<td class="file">([^<]+)</td><td>(\d+)</td>', captures)
    assert len(files) == 3 and all((archive[1] / name).exists() or Path(name).exists() for name, _ in files)


def test_the_article_page_links_its_near_duplicates(client):
    page = client.get(f"/article/{article_id(client, THANHNIEN)}").text
    assert re.search(r"copied by <a href=\"/article/\d+\">Tổng thống Biden.*similarity [01]\.\d\d", page)


def test_an_older_version_is_shown_on_request(client):
    page = client.get(f"/article/{article_id(client, fixture.KTDT)}", params={"version": "1"}).text
    assert "hôm 4/5" in page and fixture.ADDED.strip()[:30] not in page


# -- diff ----------------------------------------------------------------------------------
def test_the_diff_marks_changed_words_within_a_paragraph(client):
    page = client.get(f"/article/{article_id(client, fixture.KTDT)}/diff", params={"from": "1", "to": "2"}).text
    assert "hôm <del>4</del><ins>5</ins>/5" in page
    assert f'<p class="insert"><ins>{fixture.ADDED.strip()}' in page


def test_the_side_by_side_diff_puts_each_version_in_its_column(client):
    page = client.get(
        f"/article/{article_id(client, fixture.KTDT)}/diff", params={"from": "1", "to": "2", "view": "side"}
    ).text
    assert re.search(r"<tr class=\"change\"><td>[^<]*hôm <del>4</del>.*?</td><td>[^<]*hôm <ins>5</ins>", page)


def test_changes_only_leaves_out_the_unchanged_paragraphs(client):
    url = f"/article/{article_id(client, fixture.KTDT)}/diff"
    full = client.get(url, params={"from": "1", "to": "2"}).text
    changes = client.get(url, params={"from": "1", "to": "2", "changes": "1"}).text
    assert 'class="equal"' in full and 'class="equal"' not in changes
    assert "<del>4</del>" in changes


def test_the_diff_links_the_previous_and_next_change(client):
    url = f"/article/{article_id(client, fixture.KTDT)}/diff"
    page = client.get(url, params={"from": "1", "to": "2"}).text
    assert 'rel="next" href="' + url + "?from=2&amp;to=3" in page and 'rel="prev"' not in page
    assert "-Trong" not in page  # not the text diff of the command line


def test_a_diff_with_a_missing_version_is_a_404(client):
    response = client.get(f"/article/{article_id(client, fixture.KTDT)}/diff", params={"from": "1", "to": "9"})
    assert response.status_code == 404 and "versions are 1..3" in response.text


# -- the page as captured ------------------------------------------------------------------
def hostile_snapshot(client: TestClient) -> int:
    page = client.get(f"/article/{article_id(client, fixture.HOSTILE_URL)}").text
    return int(re.search(r'href="/snapshot/(\d+)"', page).group(1))


def test_the_captured_page_has_no_script_and_a_policy_forbidding_scripts_and_requests(client):
    response = client.get(f"/snapshot/{hostile_snapshot(client)}/page")
    assert response.status_code == 200
    assert not re.search(r"<script|onerror=|<iframe|url\(http", response.text, re.IGNORECASE)
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy


def test_the_captured_page_shows_live_images_and_links_as_blocked(client):
    page = client.get(f"/snapshot/{hostile_snapshot(client)}/page").text
    assert 'title="blocked: http://198.51.100.7/tracker.png"' in page
    assert "not archived (blocked): https://kinhtedothi.vn/" in page


def test_the_captured_page_links_archived_pages_into_the_archive(client):
    page = client.get(f"/snapshot/{hostile_snapshot(client)}/page").text
    assert f'<a href="/article/{article_id(client, fixture.KTDT)}" target="_top">Bài gốc</a>' in page


def test_the_viewer_frames_the_capture_in_a_sandbox_without_scripts(client):
    page = client.get(f"/snapshot/{hostile_snapshot(client)}").text
    assert re.search(r'<iframe class="capture"[^>]* sandbox="allow-top-navigation-by-user-activation"', page)


def test_a_revisit_is_shown_with_the_response_it_repeats(client):
    page = client.get(f"/article/{article_id(client, fixture.LIVE_URL)}").text
    (revisit,) = re.findall(r'<td>revisit</td>.*?href="/snapshot/(\d+)"', page, re.S)
    viewer = client.get(f"/snapshot/{revisit}").text
    (shown,) = re.findall(r'<iframe class="capture"[^>]* src="/snapshot/(\d+)/page"', viewer)
    assert shown != revisit and "(the response this revisit repeats)" in viewer
    assert fixture.TITLE in client.get(f"/snapshot/{shown}/page").text


def test_the_raw_warc_record_downloads_as_a_warc_that_warcio_reads(client):
    snapshot = hostile_snapshot(client)
    response = client.get(f"/snapshot/{snapshot}/record.warc")
    assert response.headers["content-type"] == "application/warc"
    assert "attachment" in response.headers["content-disposition"]
    (record,) = list(ArchiveIterator(io.BytesIO(response.content)))
    assert record.rec_headers.get_header("WARC-Target-URI") == fixture.HOSTILE_URL


# -- overviews -----------------------------------------------------------------------------
def test_the_sites_page_shows_counts_and_rule_health(client):
    page = client.get("/sites").text
    assert re.search(r"<h2>kinhtedothi\.vn\s*<span class=\"health ok\"[^>]*>100 % rules</span>\s*</h2>", page)
    assert "2 articles, 4 versions" in page


def test_the_runs_page_charts_pages_articles_outcomes_and_drop_reasons_as_svg(client):
    page = client.get("/runs").text
    for title in ("pages fetched per run", "articles per run", "outcomes of fetches per run"):
        assert f'<svg class="chart" role="img" aria-label="{title}"' in page
    assert "failed:http_404" in page  # the recordings' missing pages, a drop reason


def test_a_run_page_lists_its_failures_with_reasons(client):
    runs = re.findall(r'<a href="/runs/(\d+)">#\d+</a></td><td>hanhkhatkito</td>', client.get("/runs").text)
    page = client.get(f"/runs/{runs[0]}").text  # the recordings lack some of the pages its discovery finds
    assert "failed:http_404" in page


def test_the_duplicates_page_shows_the_cluster_with_its_similarity(client):
    clusters = client.get("/duplicates").text.split('<ul class="cluster">')[1:]
    (repost,) = [c for c in clusters if "thanhnien.vn</span>" in c]
    assert repost.count('<span class="badge original">') == 1
    assert re.search(r"hanhkhatkito\.net · similarity [01]\.\d\d", repost)
    assert len(clusters) == 3  # and the copies of the edited article: the hostile page, the generic fetch


def test_the_site_feed_is_atom_with_an_entry_per_version(client):
    response = client.get("/sites/kinhtedothi.vn/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(response.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 4
    assert entries[0].find("{http://www.w3.org/2005/Atom}title").text == fixture.HOSTILE_TITLE


def test_the_article_feed_has_its_versions_newest_first(client):
    feed = client.get(f"/article/{article_id(client, fixture.KTDT)}/feed.atom").content
    categories = [c.get("term") for c in ET.fromstring(feed).iter("{http://www.w3.org/2005/Atom}category")]
    assert categories == ["minor", "substantive", "new"]


# -- safety --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/article/abc", 400, "id must be a whole number"),
        ("/article/0", 400, "id must be a whole number"),
        ("/article/99999999999999999999999", 400, "id must be a whole number"),
        ("/article/999999", 404, "no such article"),
        ("/article/1?version=x", 400, "version must be a whole number"),
        ("/snapshot/-1", 400, "id must be a whole number"),
        ("/snapshot/999999/page", 404, "no such capture"),
        ("/runs/1e3", 400, "id must be a whole number"),
        ("/search?since=2021-02-30", 400, "since must be a day as YYYY-MM-DD"),
        ("/search?change=rewritten", 400, "change must be one of"),
        ("/search?site=example.com", 400, "no site 'example.com'"),
        ("/search?page=100000", 400, "page must be at most"),
        ("/search?q=" + "a" * 400, 400, "q is longer than"),
        ("/search?q=%00", 400, "q contains control characters"),
        ("/sites/nowhere/urls", 404, "no site 'nowhere'"),
        ("/url", 400, "u must be the URL"),
        ("/no/such/page", 404, "Not Found"),
    ],
)
def test_a_bad_request_is_an_error_page_without_a_traceback(client, path, status, message):
    response = client.get(path)
    assert response.status_code == status
    assert message in response.text.replace("&#39;", "'")
    assert "Traceback" not in response.text and "<!DOCTYPE html>" in response.text


def test_no_route_accepts_a_write(client):
    for path in ("/", "/search", "/article/1", "/snapshot/1/record.warc"):
        assert client.post(path).status_code == 405
        assert client.delete(path).status_code == 405


def test_the_browser_s_database_connections_refuse_writes(archive):
    browser = Browser(archive[0], archive[1])
    with browser.session() as session, pytest.raises(OperationalError, match="readonly"):
        session.execute(text("DELETE FROM site"))


def test_the_browser_reads_a_postgresql_archive_and_cannot_write_it(postgres_url, tmp_path):
    from sqlalchemy.exc import InternalError

    from tests.test_search import Archived

    archived = Archived(postgres_url, tmp_path)
    archived.add("Bão số 5 đổ bộ Đà Nẵng", ["Mưa lớn ở miền Trung."])
    client = TestClient(create_app(postgres_url, tmp_path / "warc"), raise_server_exceptions=False)
    assert titles(client.get("/search", params={"q": "da nang"}).text) == ["Bão số 5 đổ bộ Đà Nẵng"]
    article = client.get("/article/1").text
    snapshot = re.search(r'href="/snapshot/(\d+)"', article).group(1)
    for path in ("/", "/sites", "/runs", "/duplicates", "/sites/thanhnien.vn/feed.atom", f"/snapshot/{snapshot}/page"):
        assert client.get(path).status_code == 200, path
    with Browser(postgres_url, None).session() as session, pytest.raises(InternalError, match="read-only"):
        session.execute(text("DELETE FROM site"))


def test_the_browser_asks_postgresql_for_no_parallel_workers(postgres_url, tmp_path):
    """A page's queries stop at a ``LIMIT``: workers would start, then read past it."""
    from tests.test_search import Archived

    Archived(postgres_url, tmp_path).add("Bão số 5", ["Mưa lớn."])
    with Browser(postgres_url, None).session() as session:
        assert session.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"


def test_an_archived_url_that_is_not_http_is_never_a_link(sqlite_url, tmp_path):
    from tests.test_search import Archived

    archived = Archived(sqlite_url, tmp_path)
    archived.add("Ảnh", ["Nội dung."], images=[{"src": "javascript:alert(1)", "caption": "Chú thích"}])
    page = TestClient(create_app(sqlite_url)).get("/article/1").text
    assert "javascript:alert(1)" in page and 'href="javascript:' not in page
    assert "<figcaption>Chú thích</figcaption>" in page


def test_a_hostile_title_is_shown_as_text_everywhere(client):
    hostile = article_id(client, fixture.HOSTILE_URL)
    for path in ("/", "/search?q=bai+doc+hai", f"/article/{hostile}", "/duplicates"):
        page = client.get(path).text
        assert "<script" not in page
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; " in page


def test_pages_forbid_scripts_and_framing_by_others(client):
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_archive_that_is_not_there_is_a_503_page_naming_the_fix(tmp_path):
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'none.db'}"), raise_server_exceptions=False)
    response = client.get("/")
    assert response.status_code == 503 and "python -m archive migrate" in response.text


def test_serve_listens_on_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8080)


# -- end to end in Chromium ----------------------------------------------------------------
@pytest.fixture(scope="module")
def served(archive):
    database, warc_dir = archive
    port = free_port()
    command = [sys.executable, "-m", "archive", "--database", database, "--warc-dir", str(warc_dir), "serve"]
    server = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/favicon.ico", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"archive serve did not start: {server.stderr.read()[-2000:]}")
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(10)


class Visit:
    """A browser page that records console errors and every request; requests beyond
    127.0.0.1 are refused before they leave (and recorded)."""

    def __init__(self, chromium):
        self.context = chromium.new_context(viewport={"width": 1100, "height": 760})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        self.requests.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_search_article_diff_and_capture_in_chromium(chromium, served):
    visit = Visit(chromium)
    page = visit.page
    page.goto(served + "/")
    visit.shot("home")
    page.fill("form.big-search input[name=q]", "thuong dinh")
    page.click("form.big-search button")
    page.wait_for_url("**/search?q=thuong+dinh")
    visit.shot("search")
    page.click("ol.results li:has(.meta:has-text('kinhtedothi.vn')) a.title >> nth=0")
    page.wait_for_url("**/article/*")
    assert page.inner_text("article h1") == fixture.TITLE
    visit.shot("article")
    page.click("a:has-text('diff with 1')")
    page.wait_for_url("**/diff?from=1&to=2")
    assert page.inner_text("del").strip() == "4"
    visit.shot("diff")
    page.click("a:has-text('side by side')")
    visit.shot("diff-side")
    page.goto(served + "/runs")
    visit.shot("runs")
    page.goto(served + "/sites")
    visit.shot("sites")
    page.goto(page.url.replace("/sites", "/url?u=" + quote(fixture.KTDT)))
    page.click("a:has-text('view as captured')")
    page.wait_for_url("**/snapshot/*")
    page.frame_locator("iframe.capture").locator("h1").first.wait_for()
    visit.shot("captured")
    assert visit.errors == []
    assert [r for r in visit.requests if urlsplit(r).hostname != "127.0.0.1"] == []
    visit.context.close()


def test_an_archived_page_s_script_does_not_run_in_the_viewer(chromium, served, client):
    visit = Visit(chromium)
    visit.page.goto(f"{served}/snapshot/{hostile_snapshot(client)}")
    frame = visit.page.frame_locator("iframe.capture")
    frame.locator("text=Đoạn cuối.").wait_for()
    visit.page.wait_for_timeout(300)  # what a script would do on load has had its time
    assert visit.page.evaluate("document.body.dataset.pwned") is None
    assert [r for r in visit.requests if fixture.PWNED in r or "198.51.100.7" in r] == []
    assert visit.errors == []  # the policy had nothing left to block
    visit.context.close()
