"""Scheduled mode's decision: an article URL the archive has is skipped unless its date moved."""

import re
from datetime import UTC, datetime

from crawler.middlewares.scheduled_mode import is_known

FETCHED = datetime(2021, 1, 28, 3, 0, tzinfo=UTC)
KNOWN = {"https://thanhnien.vn/a-1851335421.htm": FETCHED}


def test_a_known_url_without_a_date_is_skipped():
    assert is_known(KNOWN, "https://thanhnien.vn/a-1851335421.htm", None) == "known"


def test_a_tracking_copy_of_a_known_url_is_known():
    assert is_known(KNOWN, "https://thanhnien.vn/a-1851335421.htm?utm_source=zalo", None) == "known"


def test_a_known_url_whose_lastmod_is_later_than_its_fetch_has_moved():
    assert is_known(KNOWN, "https://thanhnien.vn/a-1851335421.htm", datetime(2021, 1, 28, 4, 0, tzinfo=UTC)) == "moved"


def test_a_lastmod_before_the_fetch_is_still_known():
    assert is_known(KNOWN, "https://thanhnien.vn/a-1851335421.htm", datetime(2021, 1, 27, tzinfo=UTC)) == "known"


def test_an_unknown_url_is_neither():
    assert is_known(KNOWN, "https://thanhnien.vn/b-1851335487.htm", None) is None


def test_a_scheduled_crawl_with_a_dead_database_fetches_everything_and_says_why(crawl, tmp_path):
    from tests.conftest import ONE_ARTICLE, crawl_one_article

    dead = "postgresql+psycopg://archive@127.0.0.1:9/archive"  # nothing listens on port 9
    done = crawl_one_article(crawl, dead, {"SCHEDULED": "True", "DOWNLOAD_DELAY": 0, "STORE_RETRY_TIMES": 0})
    assert done.returncode == 0, done.stderr
    assert "scheduled mode without the archive" in done.stderr
    # the article, fetched, is kept for the next start (robots.txt's outcome too when it reached
    # the dead database first: a matter of timing, seen on a loaded machine)
    assert re.search(r"database errors: \d+ item\(s\) spooled", done.stdout), done.stdout
    assert ONE_ARTICLE in (tmp_path / "failed-items.jsonl").read_text()
    assert "Traceback" not in done.stderr
