"""Many crawl nodes: real scrapyd processes on loopback, one PostgreSQL archive. A round of the
recordings over three nodes (run by two schedulers at once) gives the archive one process gives
on SQLite; a backfill runs one crawl per sitemap shard; a node killed with ``kill -9`` mid-crawl
(scrapyd and its crawl, as when a machine dies) has its lease expire and its site crawled again on
another node, and every node's WARC files and records read back whole. The killed node's tests
come last: they need the others no more."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from archive.models import Article, ArticleAlias, ArticleVersion, CrawlRun, NearDuplicate, Snapshot, WarcFile
from archive.processes import process_alive
from archive.warc import finish_orphans
from tests.cluster import scheduler, started_nodes
from tests.conftest import ROOT, fresh_postgres_database, run_crawl
from tests.loopback import serve
from tests.scheduled_site import FAST, FIRST, SECOND, SLOW, db, localized, second_article

SPIDERS = ("kinhtedothi", "thanhnien", "hanhkhatkito")
SHORT_LEASE = "8"  # seconds: the killed node's site is due again soon after


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    """Three nodes for the module, and their home folder (the last tests kill one)."""
    home = tmp_path_factory.mktemp("nodes")
    for started in started_nodes(home, 3):
        yield started, home


def contents(url: str) -> dict:
    """What an archive holds, by the stories' identities (row ids differ between archives)."""
    with db(url) as s:
        key = dict(s.execute(select(Article.id, Article.key)).all())
        return {
            "articles": sorted(s.scalars(select(Article.canonical_url))),
            "versions": sorted((key[v.article_id], v.number, v.fingerprint) for v in s.scalars(select(ArticleVersion))),
            "aliases": sorted((key[a.article_id], a.url) for a in s.scalars(select(ArticleAlias))),
            "near_duplicates": sorted(
                (key[d.article_id], key[d.original_id]) for d in s.scalars(select(NearDuplicate))
            ),
            "snapshots": Counter((x.url, x.outcome) for x in s.scalars(select(Snapshot))),
        }


@pytest.fixture(scope="module")
def rounds(nodes, recordings_warc, tmp_path_factory):
    """One round of the three recorded sites over the nodes into PostgreSQL, started by two
    schedulers at once, and meanwhile the same crawls here, one after the other, on SQLite:
    (PostgreSQL URL, the two outputs and exit statuses, SQLite URL)."""
    folder = tmp_path_factory.mktemp("single")
    single = f"sqlite:///{folder / 'archive.db'}"
    with fresh_postgres_database() as database:
        both = [scheduler(database, nodes[0], "--set", f"REPLAY_FROM={recordings_warc}") for _ in range(2)]
        for spider in SPIDERS:  # as the scheduler runs them: scheduled mode
            here = run_crawl(
                folder, spider, database_url=single, settings={"REPLAY_FROM": recordings_warc, "SCHEDULED": True}
            )
            assert here.returncode == 0, here.stderr[-2000:]
        outputs = [process.communicate(timeout=300)[0] for process in both]
        yield database, outputs, [process.returncode for process in both], single


def test_a_round_over_three_nodes_gives_the_archive_one_process_gives(rounds):
    database, outputs, codes, single_process = rounds
    assert codes == [0, 0], outputs
    cluster, single = contents(database), contents(single_process)
    assert cluster["articles"] and cluster == single


def test_two_schedulers_at_once_run_each_site_once(rounds):
    database, outputs, _, _ = rounds
    with db(database) as s:
        runs = s.scalars(select(CrawlRun)).all()
    assert sorted(r.spider for r in runs) == sorted(SPIDERS)
    assert {r.outcome for r in runs} == {"finished"}
    sent = sum(output.count(" sent to ") for output in outputs)
    assert sent == len(SPIDERS)


def test_the_crawls_of_a_round_are_spread_over_the_nodes(rounds):
    with db(rounds[0]) as s:
        assert len({r.dispatched_to for r in s.scalars(select(CrawlRun))}) > 1


SITEMAPS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


@pytest.fixture(scope="module")
def backfilled(nodes):
    """``schedule --backfill`` of the recorded site on loopback, whose sitemap index has two shards."""
    pages: dict = {}
    with serve(pages) as base:
        shards = "".join(f"<sitemap><loc>{base}/sitemap-{i}.xml</loc></sitemap>" for i in (1, 2))
        pages["/sitemap.xml"] = (200, "application/xml", f"<sitemapindex {SITEMAPS}>{shards}</sitemapindex>".encode())
        for i, path in enumerate((FIRST, SECOND), 1):
            urlset = f"<urlset {SITEMAPS}><url><loc>{base}{path}</loc></url></urlset>"
            pages[f"/sitemap-{i}.xml"] = (200, "application/xml", urlset.encode())
        pages[FIRST] = (200, "text/html; charset=utf-8", localized(base, "article.html"))
        pages[SECOND] = (200, "text/html; charset=utf-8", second_article(base))
        with fresh_postgres_database() as database:
            backfill = scheduler(
                database, nodes[0], "--backfill", "thanhnien.vn", "--start", f"{base}/sitemap.xml", *FAST
            )
            output, _ = backfill.communicate(timeout=300)
            assert backfill.returncode == 0, output
            yield database


def test_a_backfill_crawls_each_sitemap_shard_in_a_crawl_of_its_own(backfilled):
    with db(backfilled) as s:
        runs = s.scalars(select(CrawlRun)).all()
        keys = sorted(s.scalars(select(Article.key)))
    assert [r.outcome for r in runs] == ["finished", "finished"]
    assert keys == ["thanhnien.vn:1851335421", "thanhnien.vn:1851335487"]


def test_a_backfill_s_shards_run_side_by_side_on_several_nodes(backfilled):
    with db(backfilled) as s:
        assert len({r.dispatched_to for r in s.scalars(select(CrawlRun))}) == 2


def test_each_shard_crawl_gets_its_share_of_the_site_s_politeness(backfilled, nodes):
    with db(backfilled) as s:
        jobs = [r.job for r in s.scalars(select(CrawlRun))]
    logs = [next(nodes[1].glob(f"node-*/logs/newsarchive/thanhnien/{job}.log")).read_text() for job in jobs]
    assert all("'CONCURRENT_REQUESTS_PER_DOMAIN': '2'" in log for log in logs)  # 4 for one crawl of the site


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
    assert len({f.parents[2] for f in files}) >= 2  # the killed node's and another's
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
