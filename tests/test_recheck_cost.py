"""What a site's re-checks cost is learned from their answers: the store counts its scheduled
re-checks and those answered ``304 Not Modified``, in the transaction that stores the answer,
and paces the site's articles by it (``recheck_policy.recheck_cost``)."""

from datetime import UTC, datetime

from sqlalchemy import select, update

from archive.models import Article, Site
from archive.store import Archive
from tests.test_archive_store import fetched

RECHECK = {"discovered_from": "recheck"}


def counters(archive: Archive, site: str) -> tuple[float, float]:
    with archive.Session() as s:
        query = select(Site.rechecks, Site.rechecks_not_modified).where(Site.name == site)
        return tuple(s.execute(query).one())


def wait_after_save(archive: Archive, item: dict) -> float:
    archive.save(item)
    with archive.Session() as s:
        return (s.scalar(select(Article.next_check_at)) - s.scalar(select(Article.last_seen_at))).total_seconds()


def test_a_scheduled_re_check_answered_with_the_page_is_counted_as_not_modified_never(database_url, tmp_path):
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path)
    archive.save(first)
    archive.save(fetched("thanhnien.vn", tmp_path) | RECHECK)
    archive.save(fetched("thanhnien.vn", tmp_path) | RECHECK)
    assert counters(archive, first["site"]) == (0.95 + 1, 0.0)


def test_a_re_check_answered_304_is_counted_as_not_modified(database_url, tmp_path):
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path)
    archive.save(first)
    not_modified = first | RECHECK | {"url": first["canonical_url"], "status": 304}
    archive.record_snapshot(not_modified, "dropped:not_modified")
    assert counters(archive, first["site"]) == (1.0, 1.0)


def test_a_fetch_the_schedule_did_not_ask_for_leaves_the_counters_alone(database_url, tmp_path):
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path)
    archive.save(first)
    archive.save(fetched("thanhnien.vn", tmp_path))
    assert counters(archive, first["site"]) == (0.0, 0.0)


def test_a_site_that_answers_304_has_its_articles_re_checked_four_times_as_often(database_url, tmp_path):
    archive = Archive(database_url)
    young = {"published_at": datetime.now(UTC).isoformat()}  # on the ladder
    ladder_wait = wait_after_save(archive, fetched("thanhnien.vn", tmp_path) | young)
    with archive.Session() as s:
        s.execute(update(Site).values(rechecks=10.0, rechecks_not_modified=9.0))
        s.commit()
    assert round(wait_after_save(archive, fetched("thanhnien.vn", tmp_path) | young) / ladder_wait, 2) == 0.25


def test_a_site_that_sends_the_whole_page_every_time_has_its_re_checks_spaced_out(database_url, tmp_path):
    archive = Archive(database_url)
    young = {"published_at": datetime.now(UTC).isoformat()}
    ladder_wait = wait_after_save(archive, fetched("thanhnien.vn", tmp_path) | young)
    with archive.Session() as s:
        s.execute(update(Site).values(rechecks=10.0, rechecks_not_modified=0.0))
        s.commit()
    assert round(wait_after_save(archive, fetched("thanhnien.vn", tmp_path) | young) / ladder_wait, 2) == 1.3
