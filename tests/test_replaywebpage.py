"""A WACZ package of the archive opens in ReplayWeb.page (its npm package's own service worker
and UI, served from loopback with the package) in headless Chromium: a search without
diacritics finds the article, and the article shows as it was captured. The screenshots go to
test-artifacts/replaywebpage/ (copied to docs/replay/)."""

from __future__ import annotations

import re
import shutil
import threading
import time

import pytest

from tests.conftest import ROOT, archive_main, installed
from tests.loopback import free_port, wait_listening

ARTIFACTS = ROOT / "test-artifacts" / "replaywebpage"
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><script src="/replay/ui.js"></script>
<style>html, body { margin: 0; height: 100% } replay-web-page { display: block; height: 100vh }</style></head>
<body><replay-web-page source="/archive.wacz" replayBase="/replay/" embed="default"></replay-web-page></body></html>
"""


@pytest.fixture(scope="module")
def site(archive, tmp_path_factory):
    """The package, ReplayWeb.page's ``ui.js`` and ``sw.js`` and a page embedding it, served on
    127.0.0.1 (Starlette's static files: range requests, as ReplayWeb.page reads a package)."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.staticfiles import StaticFiles

    database, warc_dir = archive
    folder = tmp_path_factory.mktemp("replaywebpage")
    done = archive_main(
        "export", "--format", "wacz", "--output", str(folder / "archive.wacz"), "--warc-dir", str(warc_dir),
        database_url=database,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    package = installed("rwp") / "package"
    (folder / "replay").mkdir()
    for name in ("ui.js", "sw.js"):
        shutil.copy(package / name, folder / "replay" / name)
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    app = Starlette()
    app.mount("/", StaticFiles(directory=folder, html=True))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_listening(port)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def replay(chromium, site):
    """The embedding page open in a new browser context (the package opened for the first time:
    reopened, ReplayWeb.page 2.5.3 searches the page list it stored, without the text), with
    ReplayWeb.page's frame once its page list shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    # the first visit installs ReplayWeb.page's service worker; its frame reloads itself until
    # the worker controls it, three times at most, which a busy machine can outlast (seen 1 in
    # 10 loads with both cores busy): the test reloads, as a reader would
    search = page.frame_locator("replay-web-page iframe").locator('input[placeholder^="Search by Page"]')
    for attempt in range(1, 4):
        page.goto(site)
        try:
            search.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == 3:
                raise
    frame = page.frame_locator("replay-web-page iframe")
    _links(frame, OTHER).first.wait_for(timeout=30_000)  # the list, before anyone types
    yield page, frame
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _links(frame, words: str):
    return frame.get_by_role("link", name=re.compile(words))


HEADINGS = "() => Array.from(document.querySelectorAll('h1'), h => h.textContent).join(' | ')"
ARTICLE, OTHER = "Thượng đỉnh Biden", "phá băng"
"""Words of the two stories' titles: the kinhtedothi.vn article (with its copies) and the
thanhnien.vn one (with its re-post)."""


def _searched(frame, query: str, answered) -> None:
    """``query`` typed in ReplayWeb.page's page search, once ``answered(frame)`` says the list
    shows its answer. The list filters as one types, with the text index it has by then (it
    loads after the list shows): typed again, as a reader would, until it answers or half a
    minute has passed."""
    box = frame.locator('input[placeholder^="Search by Page"]')
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        box.fill("")
        box.fill(query)
        settled = time.monotonic() + 3
        while time.monotonic() < settled:
            if answered(frame):
                return
            time.sleep(0.3)


def _answered(frame) -> bool:
    """The list shows the answer to a query: it is sorted by match (a "Match" column)."""
    return bool(frame.get_by_role("button", name="Match").count())


def _only_the_article(frame) -> bool:
    return _answered(frame) and bool(_links(frame, ARTICLE).count()) and not _links(frame, OTHER).count()


def _article_first(frame) -> bool:
    """The list answers a query (its words marked) with the article above the other story."""
    if not _answered(frame) or not _links(frame, ARTICLE).count():
        return False
    return not _links(frame, OTHER).count() or _top(frame, ARTICLE) < _top(frame, OTHER)


def _top(frame, words: str) -> float:
    return _links(frame, words).first.bounding_box()["y"]


def test_a_search_without_diacritics_finds_the_article_first_in_replaywebpage(replay):
    """``ngoai truong my``: every story of the archive has these words somewhere (the other
    names Blinken "ngoại trưởng" of "Mỹ"); the article, whose title they open, comes first."""
    page, frame = replay
    _searched(frame, "ngoai truong my", _article_first)
    assert _article_first(frame)
    _shot(page, "search")


def test_replaywebpage_finds_words_of_the_article_text_without_diacritics(replay):
    """Words of the body only (not of its title or address): read from ``pages.jsonl``."""
    _, frame = replay
    _searched(frame, "leo thang cang thang", _only_the_article)
    assert _links(frame, ARTICLE).count() >= 1
    assert _links(frame, OTHER).count() == 0


def test_the_article_shows_as_captured_in_replaywebpage(replay):
    page, frame = replay
    _searched(frame, "ngoai truong my", _article_first)
    _links(frame, ARTICLE).first.click()
    deadline, headline = time.monotonic() + 60, ""
    while time.monotonic() < deadline and ARTICLE not in headline:
        page.wait_for_timeout(500)  # Playwright's own wait: the frames' events are read meanwhile
        shown = [f for f in page.frames if "ngoai-truong-my" in f.url and "/replay/w/" in f.url]
        headline = shown[0].evaluate(HEADINGS) if shown else ""
    assert ARTICLE in headline
    _shot(page, "article")
