"""The scheduler's processes: a killed crawl, two schedulers at once, SIGTERM, its output on a
terminal or a pipe, scrapyd, a timed-out crawl's process group."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import requests
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


@pytest.fixture(scope="module")
def project_egg(tmp_path_factory) -> Path:
    """The egg ``scrapyd-deploy`` builds from this project, as a user deploys it."""
    folder = tmp_path_factory.mktemp("egg")
    clone = folder / "project"  # a copy: setuptools leaves build/ and *.egg-info where it builds
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(".*", "data", "build", "*.egg-info", "__pycache__"))
    scrapyd_deploy = Path(sys.executable).with_name("scrapyd-deploy")
    subprocess.run(
        [scrapyd_deploy, "--build-egg", str(folder / "newsarchive.egg")], cwd=clone, check=True, capture_output=True
    )
    return folder / "newsarchive.egg"


@pytest.fixture
def scrapyd(tmp_path, project_egg):
    """A real scrapyd on 127.0.0.1, started in an empty folder (no project on its path), with the
    project's egg deployed to it through ``addversion.json``."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\nlogs_dir = {home}/logs\n"
        f"dbs_dir = {home}/dbs\neggs_dir = {home}/eggs\nitems_dir =\npoll_interval = 0.5\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    env |= {"HOME": str(home), "ALLOWED_PRIVATE_NETWORKS": "127.0.0.1/32"}
    process = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=2):
                break
        except OSError:
            time.sleep(0.2)
    deployed = requests.post(
        f"{url}/addversion.json",
        data={"project": "newsarchive", "version": "1"},
        files={"egg": project_egg.read_bytes()},
        timeout=60,
    ).json()
    assert deployed["status"] == "ok", deployed
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
    from archive.runners import signal_group

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
