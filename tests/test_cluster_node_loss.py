"""A crawl node killed with ``kill -9`` mid-crawl (scrapyd and its crawl, as when a machine dies):
its lease expires, its site is crawled again on another node, the archive holds each article once,
and every node's WARC files and records read back whole."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from archive.models import Article, ArticleVersion, CrawlRun, Snapshot, WarcFile
from archive.processes import process_alive
from archive.warc import finish_orphans
from tests.cluster import scheduler, started_nodes
from tests.conftest import ROOT, fresh_postgres_database
from tests.loopback import serve
from tests.scheduled_site import FAST, FIRST, SLOW, db, localized, second_article

SHORT_LEASE = "8"  # seconds: the killed node's site is due again soon after


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    """Two nodes: the one that will be killed and the one that takes its site over."""
    home = tmp_path_factory.mktemp("nodes")
    for started in started_nodes(home, 2):
        yield started, home


def _dispatched_node(database: str, timeout: float = 120) -> str:
    """The node of the first run, once its crawl has started there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with db(database) as s:
                run = s.get(CrawlRun, 1)
                if run is not None and run.pid is not None:
                    return run.dispatched_to
        except DBAPIError:  # the scheduler is still creating the archive
            pass
        time.sleep(0.2)
    raise AssertionError("the dispatched crawl never started")


class Gate(threading.Event):
    """A page held until the test says so, which tells when a crawl has asked for it."""

    def __init__(self):
        super().__init__()
        self.reached = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.reached.set()
        return super().wait(timeout)


@pytest.fixture(scope="module")
def node_killed(nodes):
    """The recorded Thanh Niên site on loopback; its round's node is killed with ``kill -9``
    while the crawl waits for a page, then a later round runs: the database, the killed node."""
    pages: dict = {}
    with serve(pages, {SLOW: (held := Gate())}) as base:
        pages["/rss/the-gioi.rss"] = (200, "text/xml; charset=utf-8", localized(base, "feed.rss"))
        pages[FIRST] = (200, "text/html; charset=utf-8", localized(base, "article.html"))
        pages[SLOW] = (200, "text/html; charset=utf-8", second_article(base))
        round_args = ["--spider", "thanhnien", "--start", f"{base}/rss/the-gioi.rss", *FAST]
        with fresh_postgres_database() as database:
            first = scheduler(database, nodes[0], *round_args, "--set", "DOWNLOAD_TIMEOUT=60", lease=SHORT_LEASE)
            killed = _dispatched_node(database)
            assert held.reached.wait(120), "the crawl never asked for the held page"  # feed and article in its WARC
            os.killpg(nodes[0][killed].pid, signal.SIGKILL)  # scrapyd and its crawl, as when a machine dies
            outputs = [first.communicate(timeout=120)[0]]
            held.set()
            second = scheduler(database, nodes[0], *round_args, lease=SHORT_LEASE)
            outputs.append(second.communicate(timeout=120)[0])
            yield database, killed, outputs


def test_a_killed_node_s_lease_expires_and_the_round_reports_it(node_killed):
    _, killed, (first, _) = node_killed
    assert f"lease expired: {killed} stopped answering" in first


def test_a_killed_node_s_site_is_crawled_again_on_another_node(node_killed):
    database, killed, _ = node_killed
    with db(database) as s:
        runs = s.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
    assert [(r.outcome, r.dispatched_to == killed) for r in runs] == [("failed", True), ("finished", False)]


def test_the_archive_after_a_killed_node_holds_each_article_once(node_killed):
    with db(node_killed[0]) as s:
        keys = sorted(s.scalars(select(Article.key)))
        versions = len(s.scalars(select(ArticleVersion)).all())
    assert (keys, versions) == (["thanhnien.vn:1851335421", "thanhnien.vn:1851335487"], 2)


def _finished_warc_files(home: Path) -> list[Path]:
    """Every node's WARC files, a dead node's ``.open`` file finished as its next crawl would."""
    for folder in home.glob("node-*/data/warc"):
        finish_orphans(folder, process_alive)
    return sorted(home.glob("node-*/data/warc/*.warc.gz"))


def test_every_node_s_warc_files_pass_warcio_check_under_unique_names(node_killed, nodes):
    files = _finished_warc_files(nodes[1])
    assert len({f.parents[2] for f in files}) == 2  # the killed node's and the other's
    assert len({f.name for f in files}) == len(files)
    warcio = Path(sys.executable).with_name("warcio")
    checked = subprocess.run([warcio, "check", *map(str, files)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_snapshot_s_record_is_found_from_any_node_with_its_digest(node_killed, nodes):
    _finished_warc_files(nodes[1])
    database = node_killed[0]
    with db(database) as s:
        files = set(s.scalars(select(Snapshot.warc_file).where(Snapshot.warc_file.is_not(None))))
        where = {f.name: Path(f.directory) for f in s.scalars(select(WarcFile))}
    assert files and all((where[name] / name).exists() for name in files)  # relative to the node's own folder
    verified = subprocess.run(
        [sys.executable, "-m", "archive", "--database", database, "verify"], cwd=ROOT, capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
