"""The Thanh Niên recordings served on 127.0.0.1 and the scheduler run against them, shared by
the scheduler's tests (time is injected with ``--now``)."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from archive.models import CrawlRun, Snapshot
from tests.conftest import ROOT, archive_main, recording
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


@pytest.fixture(name="site")
def scheduled_site():
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
    saved = dict(os.environ)
    os.environ.update(env)  # what the scheduler's crawls inherit
    try:  # the scheduler in this process (its crawls are processes of their own, as always)
        return archive_main(*command[3:])
    finally:
        os.environ.clear()
        os.environ.update(saved)


def db(url: str) -> Session:
    return Session(create_engine(url))


def fetched(url: str, path: str) -> int:
    with db(url) as s:
        return len([x for x in s.scalars(select(Snapshot)) if urlsplit(x.url).path == path])


def _crawl_pid(db_url: str, run_id: int = 1, timeout: float = 60) -> int:
    """The process id the scheduled crawl of run ``run_id`` recorded when it started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with db(db_url) as s:
                if (run := s.get(CrawlRun, run_id)) is not None and run.pid is not None:
                    return run.pid
        except OperationalError:  # the scheduler is still creating the database
            pass
        time.sleep(0.1)
    raise AssertionError("the scheduled crawl never started")
