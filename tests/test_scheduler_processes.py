"""The scheduler's processes: a killed crawl, two schedulers at once, SIGTERM, its output on a
terminal or a pipe, a timed-out crawl's process group (scrapyd nodes: ``test_cluster``)."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from sqlalchemy import select

from archive.models import Article, CrawlRun
from tests.scheduled_site import (  # noqa: F401
    ROOT,
    SLOW,
    _crawl_pid,
    db,
    schedule,
    schedule_command,
    scheduled_site,
    second_article,
)


def test_killed_crawl_is_recorded_failed_and_the_next_round_completes(site, sqlite_url):
    base, pages, delays = site
    pages[SLOW] = (200, "text/html; charset=utf-8", second_article(base))
    delays[SLOW] = held = threading.Event()  # the crawl is still running when it is killed
    scheduler = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=60", wait=False)
    os.kill(_crawl_pid(sqlite_url), signal.SIGKILL)
    output, _ = scheduler.communicate(timeout=120)
    held.set()
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
    delays[SLOW] = held = threading.Event()  # the first crawl runs until the second scheduler is done
    first = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=60", wait=False)
    _crawl_pid(sqlite_url)
    second = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00")
    held.set()
    first.communicate(timeout=120)
    assert "another scheduler is running" in second.stdout
    with db(sqlite_url) as s:
        assert len(s.scalars(select(CrawlRun)).all()) == 1


def test_sigterm_lets_the_running_crawl_finish_then_stops(site, sqlite_url):
    base, pages, delays = site
    pages[SLOW] = (200, "text/html; charset=utf-8", second_article(base))
    delays[SLOW] = held = threading.Event()  # the crawl is still running when SIGTERM comes
    scheduler = schedule(
        sqlite_url, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=60", wait=False, once=False
    )
    _crawl_pid(sqlite_url)
    scheduler.send_signal(signal.SIGTERM)
    held.set()
    output, _ = scheduler.communicate(timeout=120)
    assert scheduler.returncode == 0 and "SIGTERM: stopping after the current crawl" in output
    with db(sqlite_url) as s:
        (run,) = s.scalars(select(CrawlRun)).all()
        assert run.outcome == "finished"
        assert len(s.scalars(select(Article)).all()) == 2  # the slow article too: the crawl was not cut short


def test_output_is_plain_without_a_terminal_and_live_on_one(site, sqlite_url, tmp_path):
    base, pages, delays = site
    pages[SLOW] = (200, "text/html; charset=utf-8", second_article(base))
    delays[SLOW] = 0.5  # the live line is drawn every second while the crawl runs, from its start
    piped = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=20")
    assert "\x1b" not in piped.stdout and "\r" not in piped.stdout
    other = f"sqlite:///{tmp_path / 'tty.db'}"
    command = " ".join(schedule_command(other, base, "2021-01-28T10:00:00+07:00", "--set", "DOWNLOAD_TIMEOUT=20"))
    on_tty = subprocess.run(
        ["script", "-qec", command, "/dev/null"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert "\x1b[Kthanhnien: " in on_tty.stdout and "page(s)" in on_tty.stdout


def test_a_timed_out_crawl_is_stopped_with_its_whole_process_group():
    from crawler.scheduling.local_runs import signal_group

    crawl = subprocess.Popen(
        ["sh", "-c", "sleep 60 & echo $!; wait"], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    child = int(crawl.stdout.readline())  # the crawl's own child, as a worker process would be
    signal_group(crawl, signal.SIGKILL)
    crawl.wait(timeout=10)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and Path(f"/proc/{child}/stat").read_text().split()[2] != "Z":
        assert time.monotonic() < deadline, "the crawl's child outlived the group signal"
        time.sleep(0.05)
