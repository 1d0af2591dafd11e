"""The scheduler's rounds: real crawls of the recorded site, re-checks by the article's age,
conditional requests (time injected with ``--now``)."""

import json
from datetime import UTC, datetime

from sqlalchemy import select

from archive.models import Article, ArticleVersion, CrawlRun, Snapshot
from tests.conftest import archive_main
from tests.scheduled_site import (  # noqa: F401
    FIRST,
    ROOT,
    SECOND,
    db,
    fetched,
    schedule,
    scheduled_site,
    second_article,
)


def test_one_round_archives_the_site_and_records_the_run(site, sqlite_url):
    base, _, _ = site
    done = schedule(sqlite_url, base, "2021-01-28T10:00:00+07:00")
    assert done.returncode == 0, done.stdout + done.stderr
    with db(sqlite_url) as s:
        (article,) = s.scalars(select(Article)).all()
        (run,) = s.scalars(select(CrawlRun)).all()
    assert (run.spider, run.outcome) == ("thanhnien", "finished")
    # published 05:40, under 5 h before the round: under a day old, checked again 30 minutes later
    assert article.next_check_at.replace(tzinfo=UTC) == datetime(2021, 1, 28, 3, 30, tzinfo=UTC)
    runs = json.loads(archive_main("runs", "--json", database_url=sqlite_url).stdout)
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
