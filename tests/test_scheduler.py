"""The scheduler's rounds: real crawls of the recorded site, re-checks by the article's age,
conditional requests (time injected with ``--now``)."""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from warcio.archiveiterator import ArchiveIterator

from archive.models import Article, ArticleVersion, CrawlRun, Site, Snapshot
from tests.conftest import archive_main
from tests.loopback import serve
from tests.scheduled_site import FIRST, SECOND, db, fetched, localized, schedule, second_article

FIRST_ROUND = "2021-01-28T10:00:00+07:00"


@pytest.fixture(scope="module")
def site():
    """The recorded site on loopback (feed and first article) for the module; a test's changes to
    its pages are undone after it."""
    pages: dict = {}
    with serve(pages) as base:
        pages["/rss/the-gioi.rss"] = (200, "text/xml; charset=utf-8", localized(base, "feed.rss"))
        pages[FIRST] = (200, "text/html; charset=utf-8", localized(base, "article.html"))
        yield base, pages


@pytest.fixture(scope="module")
def first_round(site, tmp_path_factory):
    """One round of a fresh archive at 10:00 (+07:00): its database and WARC folder, and its output."""
    folder = tmp_path_factory.mktemp("first-round")
    done = schedule(f"sqlite:///{folder / 'archive.db'}", site[0], FIRST_ROUND)
    return folder, done


@pytest.fixture
def after_first_round(site, first_round, tmp_path):
    """A copy of the archive after the first round (WARC names are relative: it moves as a folder)."""
    base, pages = site
    shutil.copytree(first_round[0], tmp_path / "archive")
    saved = dict(pages)
    yield f"sqlite:///{tmp_path / 'archive' / 'archive.db'}", base, pages
    pages.clear()
    pages.update(saved)


def test_one_round_archives_the_site_and_records_the_run(first_round):
    folder, done = first_round
    assert done.returncode == 0, done.stdout + done.stderr
    sqlite_url = f"sqlite:///{folder / 'archive.db'}"
    with db(sqlite_url) as s:
        (article,) = s.scalars(select(Article)).all()
        (run,) = s.scalars(select(CrawlRun)).all()
    assert (run.spider, run.outcome) == ("thanhnien", "finished")
    # published 05:40, under 5 h before the round: under a day old, checked again 30 minutes later
    assert article.next_check_at.replace(tzinfo=UTC) == datetime(2021, 1, 28, 3, 30, tzinfo=UTC)
    runs = json.loads(archive_main("runs", "--json", database_url=sqlite_url).stdout)
    assert runs[0]["counts"]["new"] == 1 and runs[0]["outcome"] == "finished"


def test_next_round_fetches_the_new_article_and_only_due_rechecks(after_first_round):
    sqlite_url, base, pages = after_first_round
    pages[SECOND] = (200, "text/html; charset=utf-8", second_article(base))
    schedule(sqlite_url, base, "2021-01-28T10:20:00+07:00")  # poll due (10 min), re-check not (30 min)
    assert fetched(sqlite_url, FIRST) == 1  # known and not due: not fetched again
    with db(sqlite_url) as s:
        assert sorted(a.key for a in s.scalars(select(Article))) == [
            "thanhnien.vn:1851335421",
            "thanhnien.vn:1851335487",
        ]


def test_edited_article_is_picked_up_by_its_recheck(after_first_round):
    sqlite_url, base, pages = after_first_round
    status, kind, body = pages[FIRST]
    pages[FIRST] = (status, kind, body.replace("Cùng ngày, Tổng thống Biden".encode(), "Cùng ngày, ông Biden".encode()))
    schedule(sqlite_url, base, "2021-01-28T10:45:00+07:00")
    with db(sqlite_url) as s:
        versions = s.scalars(select(ArticleVersion).order_by(ArticleVersion.number)).all()
    assert [v.change_class for v in versions] == [None, "minor"]


@pytest.fixture(scope="module")
def recheck_round(site, first_round, tmp_path_factory):
    """The archive after a second round at 10:45, when the first article's re-check is due and
    its page has not changed (a 304): its database URL and the site's base URL."""
    folder = tmp_path_factory.mktemp("recheck-round")
    shutil.copytree(first_round[0], folder / "archive")
    sqlite_url = f"sqlite:///{folder / 'archive' / 'archive.db'}"
    schedule(sqlite_url, site[0], "2021-01-28T10:45:00+07:00")
    return sqlite_url, site[0]


def test_due_recheck_is_a_conditional_request_and_304_reschedules(recheck_round):
    sqlite_url, base = recheck_round
    with db(sqlite_url) as s:
        recheck = s.scalars(select(Snapshot).where(Snapshot.url == base + FIRST).order_by(Snapshot.id)).all()[-1]
        assert (recheck.status, recheck.outcome) == (304, "dropped:not_modified")
        # checked at 10:45, still under a day old: again 30 minutes later, at 11:15 (+07:00)
        assert s.scalar(select(Article)).next_check_at.replace(tzinfo=UTC) == datetime(2021, 1, 28, 4, 15, tzinfo=UTC)
        assert len(s.scalars(select(ArticleVersion)).all()) == 1


def test_an_article_its_site_answers_410_for_is_never_rechecked(after_first_round):
    sqlite_url, base, pages = after_first_round
    pages[FIRST] = (410, "text/html; charset=utf-8", b"<h1>Gone</h1>")
    schedule(sqlite_url, base, "2021-01-28T10:45:00+07:00")
    with db(sqlite_url) as s:
        article = s.scalar(select(Article))
        assert article.next_check_at is None
        assert len(s.scalars(select(ArticleVersion)).all()) == 1  # what was archived stays


def test_one_404_keeps_the_recheck_and_a_second_in_a_row_ends_it(after_first_round):
    sqlite_url, base, pages = after_first_round
    pages[FIRST] = (404, "text/html; charset=utf-8", b"<h1>Not found</h1>")
    schedule(sqlite_url, base, "2021-01-28T10:45:00+07:00")
    with db(sqlite_url) as s:
        assert s.scalar(select(Article)).next_check_at is not None  # a deploy, a cache: it may come back
    schedule(sqlite_url, base, "2021-01-28T11:00:00+07:00")
    with db(sqlite_url) as s:
        assert fetched(sqlite_url, FIRST) == 3
        assert s.scalar(select(Article)).next_check_at is None


def test_a_304_is_kept_as_a_server_not_modified_revisit_of_the_capture_it_affirms(recheck_round):
    sqlite_url, base = recheck_round
    with db(sqlite_url) as s:
        first, recheck = s.scalars(select(Snapshot).where(Snapshot.url == base + FIRST).order_by(Snapshot.id)).all()[
            -2:
        ]
    assert (recheck.status, recheck.record_type) == (304, "revisit")
    folder = Path(sqlite_url.removeprefix("sqlite:///")).parent
    with (folder / "warc" / recheck.warc_file).open("rb") as f:
        f.seek(recheck.warc_offset)
        record = next(iter(ArchiveIterator(f)))
    headers = record.rec_headers
    assert headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    assert headers.get_header("WARC-Refers-To-Target-URI") == first.url
    assert headers.get_header("WARC-Payload-Digest") == first.payload_digest
    assert record.http_headers.get_statuscode() == "304"


def test_an_article_that_stays_unchanged_is_checked_less_often(after_first_round):
    sqlite_url, base, _ = after_first_round
    schedule(sqlite_url, base, "2021-01-28T15:00:00+07:00")  # unchanged since 10:00: quiet for 5 hours
    with db(sqlite_url) as s:
        # the ladder alone would come back in 30 minutes; adaptive waits half the quiet time, at
        # most four times the ladder's wait: 2 hours, at 17:00 (+07:00)
        assert s.scalar(select(Article)).next_check_at.replace(tzinfo=UTC) == datetime(2021, 1, 28, 10, 0, tzinfo=UTC)


def moved_feed_date(pages: dict) -> None:
    """The feed now dates the first article after the first round's fetch."""
    status, kind, body = pages["/rss/the-gioi.rss"]
    moved = body.replace(b"Thu, 28 Jan 2021 05:40:00 +0700", b"Thu, 28 Jan 2021 10:10:00 +0700")
    pages["/rss/the-gioi.rss"] = (status, kind, moved)


def test_a_known_article_whose_feed_date_moved_is_fetched_again(after_first_round):
    sqlite_url, base, pages = after_first_round
    moved_feed_date(pages)
    schedule(sqlite_url, base, "2021-01-28T10:20:00+07:00")  # poll due, the article's re-check not
    assert fetched(sqlite_url, FIRST) == 2


def test_a_site_whose_dates_announced_no_change_is_not_followed(after_first_round):
    sqlite_url, base, pages = after_first_round
    with db(sqlite_url) as s:  # ten re-fetches its dates asked for found nothing
        s.execute(update(Site).values(hints_followed=6.5, hints_confirmed=0.0))
        s.commit()
    moved_feed_date(pages)
    schedule(sqlite_url, base, "2021-01-28T10:20:00+07:00")
    assert fetched(sqlite_url, FIRST) == 1


def test_an_archive_with_a_304_revisit_verifies(recheck_round):
    sqlite_url, _ = recheck_round
    warc_dir = Path(sqlite_url.removeprefix("sqlite:///")).parent / "warc"
    done = archive_main("verify", "--warc-dir", str(warc_dir), database_url=sqlite_url)
    assert done.returncode == 0, done.stdout + done.stderr
