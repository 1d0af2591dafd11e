"""The archive the browser tests read: the recordings crawled for real (``scrapy crawl`` from
their WARC), an article edited twice (a substantive and a minor edit: three versions), the
second fetched under another address (an alias), a re-post on another site (a near-duplicate),
a hostile page whose title carries markup and whose body has scripts and live images, and
the article fetched twice unchanged from a loopback server by the generic spider (a revisit)."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import expected, recorded, recording, run_crawl
from tests.loopback import serve

KTDT = expected("kinhtedothi.vn")["url"]
SLUG = KTDT.replace("ngoai-truong-my", "ngoai-truong-hoa-ky")
"""Another address of the article (its slug edited), where its second version is fetched: an alias."""
HOSTILE_URL = "https://kinhtedothi.vn/bai-doc-hai-417999.html"
HOSTILE_TITLE = '<script>alert("title")</script> Bài độc hại'
TITLE = expected("kinhtedothi.vn")["title"]
ADDED = "Một đoạn tin mới được thêm vào bài viết sau khi đăng. " * 3
LIVE_PATH = "/the-gioi/ngoai-truong-my-417984.html"
"""Where a loopback server serves the article to the generic spider, twice: the second fetch
is unchanged (a revisit record)."""
LIVE_URL = ""
"""``LIVE_PATH`` on the server it was fetched from (known once ``build`` has run)."""
PWNED = "/pwned"
"""Where an archived script would call if it ran (the viewer's own origin: the tests see it)."""


def _substantive(html: str) -> str:
    return html.replace("hôm 4/5", "hôm 5/5").replace("</div>\n    </article>", f"<p>{ADDED}</p></div>\n    </article>")


def _minor(html: str) -> str:
    return _substantive(html).replace("cuộc gặp trực tiếp cấp cao", "cuộc gặp trực tiếp")


def _hostile(html: str) -> str:
    html = html.replace('<link rel="canonical"', '<link rel="x"').replace(KTDT, HOSTILE_URL).replace("417984", "417999")
    html = html.replace(TITLE, HOSTILE_TITLE.replace("<", "&lt;").replace(">", "&gt;"))
    return html.replace(
        "</div>\n    </article>",
        f"<script>fetch('{PWNED}?inline'); parent.document.body.dataset.pwned = 1;</script>"
        f'<img src="http://198.51.100.7/tracker.png" onerror="fetch(\'{PWNED}?onerror\')">'
        '<iframe src="http://198.51.100.7/frame"></iframe>'
        f'<p style="background:url(http://198.51.100.7/bg.png)">Đoạn cuối. <a href="{urlsplit(KTDT).path}">Bài gốc</a></p>'
        "</div>\n    </article>",
    )


def build(folder: Path, recordings_warc: Path) -> str:
    """Crawl everything into ``folder``; the archive's database URL (WARCs in ``folder/warc``)."""
    database = f"sqlite:///{folder / 'archive.db'}"
    for spider in ("thanhnien", "hanhkhatkito"):
        _crawl(folder, spider, recordings_warc, database)
    pages = (
        ("v1", KTDT, None),
        ("v2", SLUG, _substantive),
        ("v3", KTDT, _minor),
        ("hostile", HOSTILE_URL, _hostile),
    )
    for name, url, edit in pages:
        _crawl(folder, "kinhtedothi", recorded(folder, "kinhtedothi.vn", name, url, edit=edit), database, url)
    page = (200, "text/html; charset=utf-8", recording("kinhtedothi.vn", "article.html").read_bytes())
    with serve({LIVE_PATH: page}) as base:
        global LIVE_URL
        LIVE_URL = base + LIVE_PATH
        for _ in range(2):
            done = run_crawl(folder, "news", "-a", f"start={base}{LIVE_PATH}", database_url=database, settings=LIVE)
            assert done.returncode == 0, done.stderr[-2000:]
    return database


@pytest.fixture(scope="module")
def archive(tmp_path_factory, recordings_warc) -> tuple[str, Path]:
    """(database URL, WARC folder) of the shared archive (``shared``), for the files that read it."""
    return shared(tmp_path_factory, recordings_warc)


@pytest.fixture(scope="module")
def client(archive):
    """The archive browser's application over the shared archive, through Starlette's test client."""
    from starlette.testclient import TestClient

    from archive.browser import create_app

    database, warc_dir = archive
    return TestClient(create_app(database, warc_dir), raise_server_exceptions=False)


def shared(tmp_path_factory, recordings_warc: Path) -> tuple[str, Path]:
    """The archive built once per test run and read by every test file that reads it (on any
    xdist worker: the first builds it, under a lock, the others wait for it): (database URL,
    WARC folder). Readers only: a test that changes the archive builds or copies its own."""
    global LIVE_URL
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "browser-archive"
    folder.mkdir(exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = folder / "built.json"
        if not built.exists():
            database = build(folder, recordings_warc)
            built.write_text(json.dumps({"database": database, "live_url": LIVE_URL}))
        found = json.loads(built.read_text())
    LIVE_URL = found["live_url"]
    return found["database"], folder / "warc"


LIVE = {"DOWNLOAD_TIMEOUT": 10, "RETRY_TIMES": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}


def _crawl(folder: Path, spider: str, warc: Path, database: str, start: str | None = None) -> None:
    args = ("-a", f"start={start}") if start else ()
    done = run_crawl(folder, spider, *args, database_url=database, settings={"REPLAY_FROM": warc})
    assert done.returncode == 0, done.stderr[-2000:]
