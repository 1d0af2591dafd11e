"""A crawl stops fetching before the disk that keeps what it fetches is full: one line says
where and how much is left, and the run is recorded with the reason."""

import shutil
import signal
import subprocess
import threading
import time

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from archive.models import CrawlRun, Snapshot
from crawler.disk_guard import low_disk
from tests.conftest import ONE_ARTICLE, crawl_command, crawl_one_article, recording
from tests.loopback import serve

MB = 1 << 20


def test_a_disk_with_less_free_space_than_asked_is_found(tmp_path):
    free = shutil.disk_usage(tmp_path).free
    assert low_disk([tmp_path / "warc" / "not-yet"], free + 100 * MB)[0] == tmp_path / "warc" / "not-yet"
    assert low_disk([tmp_path], free // 2) is None


def test_a_crawl_without_room_stops_saying_why_and_records_the_reason(crawl, sqlite_url, tmp_path):
    needed = shutil.disk_usage(tmp_path).free // MB + 1024  # more than this disk has
    done = crawl_one_article(crawl, sqlite_url, {"DISK_MIN_FREE_MB": needed, "DOWNLOAD_DELAY": 0})
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "DISK_MIN_FREE_MB" in line]
    assert len(lines) == 1 and f"under DISK_MIN_FREE_MB={needed}; what was fetched is kept" in lines[0]
    assert "Traceback" not in done.stderr
    with Session(create_engine(sqlite_url)) as s:
        assert s.scalar(select(CrawlRun.outcome)) == "disk_full"
        assert s.scalars(select(Snapshot.url).where(Snapshot.url.endswith(ONE_ARTICLE))).all() == []


@pytest.fixture
def small_disk(tmp_path):
    """A 64 MB tmpfs of this test's own (mounting needs root, as ``make test`` runs here)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def stored(database_url: str) -> list[str]:
    try:
        with Session(create_engine(database_url)) as s:
            return s.scalars(select(Snapshot.url).where(Snapshot.url.endswith(ONE_ARTICLE))).all()
    except OperationalError:  # the crawl has not made its tables yet
        return []


def test_a_continuous_crawl_without_room_pauses_and_goes_on_once_there_is_room(small_disk, tmp_path):
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (56 * MB))  # 8 MB left, under the 16 asked for
    database_url = f"sqlite:///{tmp_path / 'archive.db'}"
    settings = {
        "SCHEDULED": True,
        "CONTINUOUS": True,
        "SCHEDULE_INTERVAL": 0.05,
        "DISK_MIN_FREE_MB": 16,
        "DISK_CHECK_SECONDS": 0.2,
        "WARC_DIR": small_disk / "warc",
        "DOWNLOAD_DELAY": 0,
    }
    pages = {ONE_ARTICLE: (200, "text/html; charset=utf-8", recording("kinhtedothi.vn", "article.html").read_bytes())}
    with serve(pages) as base:
        command, env = crawl_command(tmp_path, "news", "-a", f"start={base}{ONE_ARTICLE}", settings=settings)
        env["DATABASE_URL"] = database_url
        with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as crawl:
            bound = threading.Timer(120, crawl.kill)  # a crawl that hangs ends the test, failed
            bound.start()
            lines = iter(crawl.stderr.readline, "")
            pausing = next(line for line in lines if "pausing:" in line)
            time.sleep(2)  # rounds are 3 s apart: a crawl that did not pause would have fetched by now
            assert stored(database_url) == []
            filler.unlink()
            deadline = time.monotonic() + 60
            while not stored(database_url) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert stored(database_url), "nothing fetched once there was room"
            crawl.send_signal(signal.SIGINT)
            rest = crawl.stderr.read()
            bound.cancel()
    assert "under DISK_MIN_FREE_MB=16; what was fetched is kept" in pausing
    assert "room again on the disk" in rest and "Traceback" not in rest
    assert crawl.returncode == 0
