"""One clock: the product reads the time from ``archive.clock``, the wall clock unless a replay
fixes it or a simulation drives it through a file."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from archive import clock
from archive.models import Article, ArticleVersion, Snapshot
from tests.conftest import ONE_ARTICLE, crawl_one_article

SIMULATED = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_no_clock_named_is_the_wall_clock():
    before = datetime.now(UTC)
    assert before <= clock.from_spec("")() <= datetime.now(UTC)


def test_an_iso_time_fixes_the_clock_in_utc():
    fixed = clock.from_spec("2026-05-01T09:30:00+07:00")
    assert fixed() == fixed() == datetime(2026, 5, 1, 2, 30, tzinfo=UTC)


def test_a_file_clock_follows_the_time_its_driver_writes(tmp_path):
    path = tmp_path / "clock"
    clock.write_time(path, SIMULATED)
    driven = clock.from_spec(f"file:{path}")
    assert driven() == SIMULATED
    clock.write_time(path, SIMULATED + timedelta(days=3))
    assert driven() == SIMULATED + timedelta(days=3)


@pytest.mark.parametrize("spec", ["yesterday", "file:/nonexistent/clock"])
def test_a_clock_that_names_no_time_says_why(spec):
    with pytest.raises(clock.ClockSpecError, match=r"ISO 8601|No such file"):
        clock.from_spec(spec)()


def test_a_crawl_on_a_driven_clock_archives_at_the_simulated_time(crawl, sqlite_url, tmp_path):
    path = tmp_path / "clock"
    clock.write_time(path, SIMULATED)
    done = crawl_one_article(crawl, sqlite_url, {"CLOCK": f"file:{path}", "RETRY_TIMES": 0, "DOWNLOAD_DELAY": 0})
    assert done.returncode == 0, done.stderr
    with Session(create_engine(sqlite_url)) as s:
        article = s.scalar(select(Article))
        version = s.scalar(select(ArticleVersion))
        snapshot = s.scalar(select(Snapshot).where(Snapshot.url.endswith(ONE_ARTICLE)))
    stored = [t.replace(tzinfo=UTC) for t in (article.first_seen_at, version.extracted_at, snapshot.fetched_at)]
    assert stored == [SIMULATED] * 3
    (warc,) = (tmp_path / "warc").glob("*.warc.gz")
    with warc.open("rb") as f:
        dates = {r.rec_headers["WARC-Date"] for r in ArchiveIterator(f) if r.rec_type == "response"}
    assert dates == {"2031-03-04T05:06:07Z"}


def test_the_command_line_says_which_clock_it_cannot_read(monkeypatch, sqlite_url):
    from tests.conftest import archive_main

    archive_main("migrate", database_url=sqlite_url)
    monkeypatch.setenv(clock.CLOCK_ENV, "yesterday")
    done = archive_main("verify", database_url=sqlite_url)
    assert (done.returncode, done.stderr.strip()) == (
        1,
        "python -m archive: error: CLOCK: 'yesterday' is not an ISO 8601 time",
    )


def test_scrapy_crawl_with_a_clock_it_cannot_read_exits_2_naming_it(tmp_path):
    from tests.conftest import run_crawl

    done = run_crawl(tmp_path, "thanhnien", settings={"CLOCK": "file:/nonexistent/clock-file"})
    assert done.returncode == 2
    assert "clock file /nonexistent/clock-file: No such file or directory" in done.stderr.strip().splitlines()[-1]
    assert "Traceback" not in done.stderr
