"""A site's sitemap and feed dates are followed while they announce real changes: the store
counts the re-fetches they asked for and those that found a change, in the transaction of the
save, and scheduled mode stops following a site whose dates announced nothing."""

from datetime import UTC, datetime

from sqlalchemy import select, update

from archive.models import Article, Site
from archive.store import Archive
from tests.test_archive_store import edit_first_paragraph, fetched


def counters(archive: Archive, site: str) -> tuple[float, float]:
    with archive.Session() as s:
        return tuple(s.execute(select(Site.hints_followed, Site.hints_confirmed).where(Site.name == site)).one())


def test_a_refetch_the_dates_asked_for_is_counted_with_whether_it_found_a_change(database_url, tmp_path):
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path)
    archive.save(first)
    archive.save(fetched("thanhnien.vn", tmp_path) | {"hinted": True})  # unchanged
    archive.save(fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph) | {"hinted": True})  # updated
    assert counters(archive, first["site"]) == (0.9 + 1, 1.0)


def test_a_fetch_no_date_asked_for_leaves_the_counters_alone(database_url, tmp_path):
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path)
    archive.save(first)
    archive.save(fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph))
    assert counters(archive, first["site"]) == (0.0, 0.0)


def test_a_site_whose_dates_announced_nothing_ten_times_is_not_followed(database_url, tmp_path):
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path)
    archive.save(first)
    assert archive.hints_trusted(first["site"])
    for _ in range(10):
        archive.save(fetched("thanhnien.vn", tmp_path) | {"hinted": True})
    assert not archive.hints_trusted(first["site"])


def test_articles_of_a_site_whose_dates_announce_its_edits_are_re_checked_less_often(database_url, tmp_path):
    archive = Archive(database_url)
    published = {"published_at": datetime.now(UTC).isoformat()}  # young: on the ladder
    archive.save(fetched("thanhnien.vn", tmp_path) | published)
    with archive.Session() as s:
        ladder_wait = s.scalar(select(Article.next_check_at)) - s.scalar(select(Article.last_seen_at))
        s.execute(update(Site).values(hints_followed=8.0, hints_confirmed=8.0))
        s.commit()
    archive.save(fetched("thanhnien.vn", tmp_path) | published)  # unchanged, seen again
    with archive.Session() as s:
        wait = s.scalar(select(Article.next_check_at)) - s.scalar(select(Article.last_seen_at))
    assert round(wait / ladder_wait) == 16
