"""The scheduler against the Thanh Niên recordings served on 127.0.0.1: rounds of real
crawls, re-checks by age, failures recorded, no overlap. Time is injected (``--now``)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from archive.models import Article, ArticleVersion, CrawlRun, Snapshot
from tests.conftest import ROOT, recording
from tests.loopback import serve

SITE = "thanhnien.vn"
FIRST = "/tong-thong-biden-pha-bang-quan-he-my-nga-1851335421.htm"
SECOND = "/nga-trinh-du-luat-gia-han-hiep-uoc-new-start-len-quoc-hoi-1851335487.htm"
SLOW = "/tong-thu-ky-nato-hoan-nghenh-cam-ket-cua-tong-thong-biden-1851335312.htm"
FAST = [
    "--set",
    "DOWNLOAD_DELAY=0",
    "--set",
    "AUTOTHROTTLE_ENABLED=False",
    "--set",
    "RETRY_TIMES=0",
    "--set",
    "ROBOTSTXT_OBEY=False",
    "--set",
    "PIPELINE_WORKERS=0",  # worker processes are not what these tests are about
]


def localized(base: str, name: str) -> bytes:
    return recording(SITE, name).read_bytes().replace(b"https://thanhnien.vn", base.encode())


@pytest.fixture
def site():
    """The recorded site on loopback: feed and first article; more pages are added by tests."""
    pages: dict = {}
    delays: dict = {}
    with serve(pages, delays) as base:
        pages["/rss/the-gioi.rss"] = (200, "text/xml; charset=utf-8", localized(base, "feed.rss"))
        pages[FIRST] = (200, "text/html; charset=utf-8", localized(base, "article.html"))
        yield base, pages, delays


def second_article(base: str) -> bytes:
    html = localized(base, "article.html").decode()
    html = html.replace("1851335421", "1851335487").replace("phá băng", "gia hạn New START")
    return html.replace("Tổng thống Mỹ Joe Biden&nbsp;ngày 27.1", "Nga trình dự luật ngày 28.1").encode()


def schedule_command(db_url: str, base: str, now: str, *extra: str, once: bool = True) -> list[str]:
    return [
        sys.executable, "-m", "archive", "--database", db_url, "schedule", *(["--once"] if once else []),
        "--spider", "thanhnien", "--start", f"{base}/rss/the-gioi.rss", "--now", now, *FAST, *extra,
    ]  # fmt: skip


def schedule(db_url: str, base: str, now: str, *extra: str, wait: bool = True, once: bool = True):
    command = schedule_command(db_url, base, now, *extra, once=once)
    env = dict(
        os.environ,
        WARC_DIR=str(Path(db_url.removeprefix("sqlite:///")).parent / "warc"),
        ALLOWED_PRIVATE_NETWORKS="127.0.0.1/32",  # the loopback site, nothing else
    )
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def db(url: str) -> Session:
    return Session(create_engine(url))


def fetched(url: str, path: str) -> int:
    with db(url) as s:
        return len([x for x in s.scalars(select(Snapshot)) if urlsplit(x.url).path == path])


def test_one_round_archives_the_site_and_records_the_run(site, sqlite_url):
    base, _, _ = site
    done = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00")
    assert done.returncode == 0, done.stdout + done.stderr
    with db(sqlite_url) as s:
        (article,) = s.scalars(select(Article)).all()
        (run,) = s.scalars(select(CrawlRun)).all()
    assert (run.spider, run.outcome) == ("thanhnien", "finished")
    assert article.next_check_at is not None  # 4 h old: checked again in 30 minutes
    runs = json.loads(
        subprocess.run(
            [sys.executable, "-m", "archive", "--database", sqlite_url, "runs", "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert runs[0]["counts"]["new"] == 1 and runs[0]["outcome"] == "finished"


def test_next_round_fetches_the_new_article_and_only_due_rechecks(site, sqlite_url):
    base, pages, _ = site
    schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00")
    pages[SECOND] = (200, "text/html; charset=utf-8", second_article(base))
    schedule(sqlite_url, base, "2021-01-28T10:20:00+07:00")  # poll due (10 min), re-check not (30 min)
    assert fetched(sqlite_url, FIRST) == 1  # known and not due: not fetched again
    with db(sqlite_url) as s:
        assert sorted(a.key for a in s.scalars(select(Article))) == [
            "thanhnien.vn:1851335421",
            "thanhnien.vn:1851335487",
        ]


def test_edited_article_is_picked_up_by_its_recheck(site, sqlite_url):
    base, pages, _ = site
    schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00")
    status, kind, body = pages[FIRST]
    pages[FIRST] = (status, kind, body.replace("Cùng ngày, Tổng thống Biden".encode(), "Cùng ngày, ông Biden".encode()))
    schedule(sqlite_url, base, "2021-01-28T10:45:00+07:00")
    with db(sqlite_url) as s:
        versions = s.scalars(select(ArticleVersion).order_by(ArticleVersion.number)).all()
    assert [v.change_class for v in versions] == [None, "minor"]


def _crawl_pid(run_marker: str, timeout: float = 60) -> int:
    """The process id of the scheduled crawl whose command line holds ``run_marker``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                args = cmdline.read_bytes().split(b"\0")
            except OSError:
                continue
            if b"crawl" in args and run_marker.encode() in args:
                return int(cmdline.parent.name)
        time.sleep(0.2)
    raise AssertionError("the scheduled crawl never started")


def test_killed_crawl_is_recorded_failed_and_the_next_round_completes(site, sqlite_url):
    base, pages, delays = site
    pages[SLOW] = (200, "text/html; charset=utf-8", second_article(base))
    delays[SLOW] = 5.0
    scheduler = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=20", wait=False)
    os.kill(_crawl_pid("CRAWL_RUN_ID=1"), signal.SIGKILL)
    output, _ = scheduler.communicate(timeout=120)
    assert scheduler.returncode == 1 and "failed" in output
    with db(sqlite_url) as s:
        run = s.get(CrawlRun, 1)
        assert (run.outcome, "SIGKILL" in run.error) == ("failed", True)
    delays[SLOW] = 0
    done = schedule(sqlite_url, base, "2021-01-28T10:11:00+07:00")
    assert done.returncode == 0, done.stdout
    with db(sqlite_url) as s:
        assert s.get(CrawlRun, 2).outcome == "finished"


def test_two_schedulers_never_overlap(site, sqlite_url):
    base, pages, delays = site
    pages[SLOW] = (200, "text/html; charset=utf-8", second_article(base))
    delays[SLOW] = 3.0
    first = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=20", wait=False)
    _crawl_pid("CRAWL_RUN_ID=1")
    second = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00", wait=False)
    outputs = [p.communicate(timeout=120)[0] for p in (first, second)]
    assert "another scheduler is running" in outputs[1]
    with db(sqlite_url) as s:
        assert len(s.scalars(select(CrawlRun)).all()) == 1


@pytest.fixture
def scrapyd(tmp_path):
    """A real scrapyd on 127.0.0.1 serving this project (scrapy.cfg [settings] newsarchive)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / ".scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\nlogs_dir = {tmp_path}/logs\n"
        f"dbs_dir = {tmp_path}/dbs\neggs_dir = {tmp_path}/eggs\nitems_dir =\npoll_interval = 0.5\n"
    )
    env = dict(os.environ, HOME=str(tmp_path), PYTHONPATH=str(ROOT), ALLOWED_PRIVATE_NETWORKS="127.0.0.1/32")
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=2):
                break
        except OSError:
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_rounds_can_run_on_scrapyd(site, sqlite_url, scrapyd):
    base, _, _ = site
    done = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00", "--scrapyd", scrapyd)
    assert done.returncode == 0, done.stdout + done.stderr
    with db(sqlite_url) as s:
        (run,) = s.scalars(select(CrawlRun)).all()
        assert (run.outcome, run.stats["articles/new"]) == ("finished", 1)


def test_sigterm_lets_the_running_crawl_finish_then_stops(site, sqlite_url):
    base, pages, delays = site
    pages[SLOW] = (200, "text/html; charset=utf-8", second_article(base))
    delays[SLOW] = 3.0
    scheduler = schedule(
        sqlite_url, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=20", wait=False, once=False
    )
    _crawl_pid("CRAWL_RUN_ID=1")
    scheduler.send_signal(signal.SIGTERM)
    output, _ = scheduler.communicate(timeout=120)
    assert scheduler.returncode == 0 and "SIGTERM: stopping after the current crawl" in output
    with db(sqlite_url) as s:
        (run,) = s.scalars(select(CrawlRun)).all()
        assert run.outcome == "finished"
        assert len(s.scalars(select(Article)).all()) == 2  # the slow article too: the crawl was not cut short


def test_output_is_plain_without_a_terminal_and_live_on_one(site, sqlite_url, tmp_path):
    base, pages, delays = site
    pages[SLOW] = (200, "text/html; charset=utf-8", second_article(base))
    delays[SLOW] = 2.5
    piped = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=20")
    assert "\x1b" not in piped.stdout and "\r" not in piped.stdout
    other = f"sqlite:///{tmp_path / 'tty.db'}"
    command = " ".join(schedule_command(other, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=20"))
    on_tty = subprocess.run(
        ["script", "-qec", command, "/dev/null"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert "\x1b[Kthanhnien: " in on_tty.stdout and "page(s)" in on_tty.stdout


def test_due_recheck_is_a_conditional_request_and_304_reschedules(site, sqlite_url):
    base, _, _ = site
    schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00")
    with db(sqlite_url) as s:
        first_check = s.scalar(select(Article)).next_check_at
    schedule(sqlite_url, base, "2021-01-28T10:45:00+07:00")
    with db(sqlite_url) as s:
        recheck = s.scalars(select(Snapshot).where(Snapshot.url == base + FIRST).order_by(Snapshot.id)).all()[-1]
        assert (recheck.status, recheck.outcome) == (304, "dropped:not_modified")
        assert s.scalar(select(Article)).next_check_at > first_check
        assert len(s.scalars(select(ArticleVersion)).all()) == 1


def test_a_timed_out_crawl_is_stopped_with_its_whole_process_group():
    from archive.scheduler import _signal_group

    crawl = subprocess.Popen(
        ["sh", "-c", "sleep 60 & echo $!; wait"], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    child = int(crawl.stdout.readline())  # the crawl's own child, as a worker process would be
    _signal_group(crawl, signal.SIGKILL)
    crawl.wait(timeout=10)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and Path(f"/proc/{child}/stat").read_text().split()[2] != "Z":
        assert time.monotonic() < deadline, "the crawl's child outlived the group signal"
        time.sleep(0.05)
