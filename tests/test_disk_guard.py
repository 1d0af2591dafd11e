"""A crawl stops fetching before the disk that keeps what it fetches is full: one line says
where and how much is left, and the run is recorded with the reason."""

import shutil

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from archive.models import CrawlRun, Snapshot
from crawler.disk_guard import low_disk
from tests.conftest import ONE_ARTICLE, crawl_one_article

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
