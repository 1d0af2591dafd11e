"""Crawls killed with ``kill -9`` at random moments, and databases that go away mid-crawl:
afterwards no process of the crawl is left, a later start marks the dead run failed and
finishes its WARC file, ``archive verify`` finds everything in order, and every article
is stored exactly once with nothing left in the spool."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from archive.models import Article, ArticleVersion, CrawlRun
from tests.conftest import ROOT, Crawl, crawl_command, run_crawl
from tests.faultserver import article
from tests.loopback import free_port, serve

ARTICLES = [f"/tin/bai-viet-so-{n}-{600000 + n}.html" for n in range(24)]
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
    "PIPELINE_WORKERS": "2",
    "STORE_RETRY_BACKOFF": "0.2",
    "DOWNLOAD_TIMEOUT": "10",
}


INLINE = {"PIPELINE_WORKERS": "0"}
"""For the database outages: extraction in the crawl process (the kills above are what need workers)."""


DELAYS: dict = dict.fromkeys(ARTICLES, 0.25)  # a crawl of ~3 s: time to be killed in


def rss(base: str) -> bytes:
    items = "".join(f"<item><title>t</title><link>{base}{p}</link></item>" for p in ARTICLES)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()


@pytest.fixture(scope="module")
def site():
    pages: dict = {}
    with serve(pages, delays=DELAYS) as base:
        pages["/rss.xml"] = (200, "application/rss+xml", rss(base))
        pages.update({p: (200, "text/html; charset=utf-8", article(f"Bài {p}")) for p in ARTICLES})
        yield base


def command(base: str, tmp: Path, db: str, extra: dict | None = None) -> tuple[list[str], dict]:
    """A crawl of the site in a fresh interpreter (the tests that kill or time it start it themselves)."""
    return crawl_command(tmp, "news", "-a", f"start={base}/rss.xml", database_url=db, settings=SETTINGS | (extra or {}))


def next_start(base: str, tmp: Path, db: str, extra: dict | None = None) -> Crawl:
    """The crawl after the trouble, run to its end (forked from the worker's crawl zygote)."""
    return run_crawl(tmp, "news", "-a", f"start={base}/rss.xml", database_url=db, settings=SETTINGS | (extra or {}))


def descendants(pid: int) -> set[int]:
    """The processes the crawl we started has started (its workers, their forkserver, …)."""
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def counts(db: str) -> tuple[int, int]:
    with Session(create_engine(db)) as s:
        return s.scalar(select(func.count()).select_from(Article)), s.scalar(
            select(func.count()).select_from(ArticleVersion)
        )


def archive_command(db: str, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=db, WARC_DIR=str(tmp / "warc"))
    return subprocess.run([sys.executable, "-m", "archive", *args], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def killed(site, tmp_path_factory):
    """Three crawls killed at random moments (seeded), then one that runs to its end."""
    tmp = tmp_path_factory.mktemp("killed")
    db = f"sqlite:///{tmp / 'archive.db'}"
    survivors: list[int] = []
    for seed in (1, 2, 3):
        args, env = command(site, tmp, db)
        crawl = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.Random(seed).uniform(1.5, 4.5))
        children = descendants(crawl.pid)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(p) for p in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors += [p for p in children if alive(p)]
    return tmp, db, survivors, next_start(site, tmp, db)


def test_a_killed_crawl_leaves_no_process_behind(killed):
    _, _, survivors, _ = killed
    assert survivors == []


def test_every_article_is_stored_exactly_once_after_the_kills(killed):
    _, db, _, final = killed
    assert final.returncode == 0, final.stderr[-2000:]
    assert counts(db) == (len(ARTICLES), len(ARTICLES))


def test_no_run_is_left_running_after_the_next_start(killed):
    _, db, _, _ = killed
    with Session(create_engine(db)) as s:
        outcomes = list(s.scalars(select(CrawlRun.outcome).order_by(CrawlRun.id)))
    assert "running" not in outcomes and outcomes[-1] == "finished"


def test_verify_finds_the_archive_in_order_after_the_kills(killed):
    tmp, db, _, _ = killed
    done = archive_command(db, "verify", "--warc-dir", str(tmp / "warc"), tmp=tmp)
    assert done.returncode == 0, done.stdout


def started_archiving(path: Path) -> bool:
    """Whether the crawl has stored its first page (a discovery page's or article's row)."""
    with contextlib.closing(sqlite3.connect(path, timeout=5)) as connection:
        return connection.execute("SELECT count(*) FROM snapshot").fetchone()[0] > 0


class Locker(threading.Thread):
    """Holds an exclusive lock on a SQLite file, as a long backup or a stuck writer would: until
    ``done()`` (at most ``seconds``), then at least ``linger`` seconds more."""

    def __init__(self, path: Path, done, seconds: float = 60, linger: float = 1.0):
        super().__init__(daemon=True)
        self.path, self.done, self.seconds, self.linger = path, done, seconds, linger
        self.locked = threading.Event()

    def run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        self.locked.set()
        deadline = time.monotonic() + self.seconds
        while not self.done() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(self.linger)
        connection.execute("ROLLBACK")
        connection.close()


def test_a_locked_database_spools_and_the_next_start_stores_everything_once(site, tmp_path):
    path = tmp_path / "archive.db"
    db = f"sqlite:///{path}?timeout=0.5"  # a short busy wait, so the lock outlasts the retries
    archive_command(db, "migrate", tmp=tmp_path).check_returncode()  # the schema exists before the lock is taken
    args, env = command(
        site,
        tmp_path,
        db,
        {"STORE_DOWN_SECONDS": "60", "DOWNLOAD_TIMEOUT": "60", "STORE_RETRY_BACKOFF": "0.2"} | INLINE,
    )
    DELAYS[ARTICLES[-1]] = held = threading.Event()  # one article comes only once the file is locked
    spool = tmp_path / "failed-items.jsonl"
    try:
        crawl = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        locker = Locker(path, done=lambda: spool.exists() and spool.stat().st_size > 0)
        deadline = time.monotonic() + 60
        while not started_archiving(path):  # lock while articles are being stored, not before
            assert time.monotonic() < deadline and crawl.poll() is None, "the crawl never started"
            time.sleep(0.1)
        locker.start()
        locker.locked.wait(10)
        held.set()
        crawl.communicate(timeout=120)
        locker.join(60)
    finally:
        held.set()
        DELAYS[ARTICLES[-1]] = 0.25
    assert spool.stat().st_size > 0  # something did wait for the database
    assert next_start(site, tmp_path, db, INLINE).returncode == 0
    assert counts(db) == (len(ARTICLES), len(ARTICLES))
    assert (tmp_path / "failed-items.jsonl").read_text() == ""


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own (it is stopped and started again mid-crawl)."""
    if not os.environ.get("TEST_POSTGRES_URL"):
        pytest.skip("TEST_POSTGRES_URL not set: run the suite with `make test`, which can start PostgreSQL")
    data = Path(f"/tmp/newsarchive-pg-outage-{uuid.uuid4().hex[:8]}")
    env = dict(os.environ, PGPORT_TEST=str(free_port()), PGDATA_TEST=str(data))  # a port no other server holds

    def server(action: str) -> str:
        done = subprocess.run([str(ROOT / "scripts" / "postgres.sh"), action], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    url = server("start")
    yield url, server
    server("stop")
    shutil.rmtree(data, ignore_errors=True)


def test_a_postgresql_server_stopped_mid_crawl_loses_nothing(site, tmp_path, own_postgres):
    url, server = own_postgres
    archive_command(url, "migrate", tmp=tmp_path).check_returncode()  # the schema, before the outage
    args, env = command(site, tmp_path, url, {"STORE_DOWN_SECONDS": "1"} | INLINE)
    crawl = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)
    server("stop")
    time.sleep(3.0)
    server("start")
    crawl.communicate(timeout=120)
    assert crawl.returncode == 0
    assert next_start(site, tmp_path, url, INLINE).returncode == 0
    assert counts(url.replace("postgresql://", "postgresql+psycopg://", 1)) == (len(ARTICLES), len(ARTICLES))
    spooled = tmp_path / "failed-items.jsonl"
    assert not spooled.exists() or spooled.read_text() == ""
