"""A site that changed its layout keeps its old rules with a ``valid_until`` day: a capture is
read with the version in force when it was fetched — in a crawl, a re-extraction or an import
alike, since all of them ask the catalog with the capture's time. The pages: thanhnien.vn's
recorded article (the old layout) and the same article in a new layout: its body container
renamed, with a sponsor's note inside it that the new rules strip."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from archive.models import Article, ArticleVersion, Snapshot
from archive.queries import latest_snapshot_batches
from archive.store import Archive
from archive.warc import Exchange, WarcStore
from crawler.sites import catalog
from pipelines import extract_article
from pipelines.extraction.site_rules import SiteCatalog, SiteRulesError
from pipelines.reextract import reextract
from tests.conftest import article_entry, expected, recording

SITE = "thanhnien.vn"
URL = article_entry(SITE)["url"]
OLD_PAGE = recording(SITE, "article.html").read_bytes()
NOTE = (
    '<div class="story-note"><p>Nội dung này được thực hiện với sự hợp tác của đối tác quảng cáo, không phản ánh '
    "quan điểm của tòa soạn về các vấn đề được nêu trong bài viết.</p></div>"
).encode()
NEW_PAGE = OLD_PAGE.replace(b'data-role="content" itemprop="articleBody">', b'data-role="story-body">' + NOTE).replace(
    b"detail-content", b"story-body"
)
NEW_URL = URL.replace("1851335421", "1851335499")
NEW_STORY = (  # another article in the new layout
    NEW_PAGE.replace(b"1851335421", b"1851335499").replace("Trong cuộc gọi".encode(), "Trong cuộc điện đàm".encode())
)
CHANGED = date(2025, 3, 1)
OLD = dataclasses.replace(catalog().by_name(SITE), valid_until=CHANGED)
NEW = dataclasses.replace(OLD, valid_until=None, body=("[data-role=story-body]",), strip=(*OLD.strip, ".story-note"))
SITES = SiteCatalog([(OLD, NEW)])
BEFORE, AFTER = datetime(2024, 12, 23, 8, tzinfo=UTC), datetime(2025, 6, 1, 8, tzinfo=UTC)


def read(page: bytes, fetched_at: datetime, url: str = URL) -> dict:
    return extract_article(page, url, rules=SITES.for_url(url, fetched_at))


def test_a_capture_fetched_before_valid_until_is_read_with_the_old_selectors():
    article = read(OLD_PAGE, BEFORE)
    assert (article["provenance"]["body"], article["body"]) == ("rules", expected(SITE)["body"])


def test_a_capture_fetched_after_valid_until_is_read_with_the_new_selectors():
    article = read(NEW_PAGE, AFTER)
    assert (article["provenance"]["body"], article["body"]) == ("rules", expected(SITE)["body"])


def test_the_old_selectors_do_not_read_the_new_layout():
    article = extract_article(NEW_PAGE, URL, rules=OLD)
    assert article["provenance"]["body"] != "rules" and article["body"] != expected(SITE)["body"]


def test_the_day_of_the_change_belongs_to_the_new_version():
    assert SITES.for_url(URL, datetime(2025, 3, 1, tzinfo=UTC)) is NEW
    assert SITES.for_url(URL, datetime(2025, 2, 28, 23, 59, tzinfo=UTC)) is OLD


def test_a_stored_time_without_zone_is_utc():
    assert SITES.by_name(SITE, datetime(2025, 2, 28, 23, 59)) is OLD


def test_without_a_fetch_time_the_current_version_applies():
    assert SITES.for_url(URL) is NEW


@pytest.mark.parametrize(
    "versions",
    [(OLD, dataclasses.replace(NEW, valid_until=date(2026, 1, 1))), (NEW, dataclasses.replace(NEW, name="other.vn"))],
    ids=["no current version", "versions of two sites"],
)
def test_versions_that_do_not_make_one_history_are_refused(versions):
    with pytest.raises(SiteRulesError):
        SiteCatalog([versions])


def archived(archive: Archive, warc: WarcStore, page: bytes, url: str, fetched_at: datetime) -> None:
    """The page as a crawl archives it: its WARC record, and the article read with the rules in force then."""
    ref = warc.write(Exchange(url, 200, [("Content-Type", "text/html; charset=utf-8")], page, fetched_at))
    item = read(page, fetched_at, url)
    archive.save(
        item | {"final_url": url, "status": 200, "fetched_at": fetched_at.isoformat(), "snapshot": asdict(ref)}
    )


def test_reextraction_reads_each_capture_with_the_version_of_its_fetch_time(sqlite_url, tmp_path):
    archive, warc = Archive(sqlite_url, warc_dir=tmp_path / "warc"), WarcStore(tmp_path / "warc")
    archived(archive, warc, OLD_PAGE, URL, BEFORE)
    archived(archive, warc, NEW_STORY, NEW_URL, AFTER)
    warc.close()
    assert reextract(archive, SITES.by_name, workers=0) == {"unchanged": 2}


def test_reextraction_with_only_the_old_rules_would_change_the_new_capture(sqlite_url, tmp_path):
    archive, warc = Archive(sqlite_url, warc_dir=tmp_path / "warc"), WarcStore(tmp_path / "warc")
    archived(archive, warc, NEW_STORY, NEW_URL, AFTER)
    warc.close()
    assert reextract(archive, lambda name, when: OLD, workers=0) == {"updated": 1}


def test_reextraction_reads_the_archive_a_batch_at_a_time_each_article_once_with_its_digest(sqlite_url, tmp_path):
    archive, warc = Archive(sqlite_url, warc_dir=tmp_path / "warc"), WarcStore(tmp_path / "warc")
    archived(archive, warc, OLD_PAGE, URL, BEFORE)
    archived(archive, warc, NEW_STORY, NEW_URL, AFTER)
    warc.close()
    batches = list(latest_snapshot_batches(archive.Session, size=1))
    with archive.Session() as session:
        stored = dict(session.execute(select(ArticleVersion.article_id, ArticleVersion.content_digest)).all())
    assert [len(batch) for batch in batches] == [1, 1]
    assert {s.article_id: digest for batch in batches for s, _, digest in batch} == stored


def test_reextraction_tells_its_progress_in_articles_done(sqlite_url, tmp_path):
    archive, warc = Archive(sqlite_url, warc_dir=tmp_path / "warc"), WarcStore(tmp_path / "warc")
    archived(archive, warc, OLD_PAGE, URL, BEFORE)
    archived(archive, warc, NEW_STORY, NEW_URL, AFTER)
    warc.close()
    told: list[tuple[int, int]] = []
    assert reextract(archive, SITES.by_name, workers=0, progress=lambda *done: told.append(done)) == {"unchanged": 2}
    with archive.Session() as session:
        last = session.scalar(select(func.max(Article.id)))
    assert told == [(2, last)]


def test_reextraction_goes_on_from_the_article_after_the_one_it_is_told(sqlite_url, tmp_path):
    archive, warc = Archive(sqlite_url, warc_dir=tmp_path / "warc"), WarcStore(tmp_path / "warc")
    archived(archive, warc, OLD_PAGE, URL, BEFORE)
    archived(archive, warc, NEW_STORY, NEW_URL, AFTER)
    warc.close()
    with archive.Session() as session:
        first = session.scalar(select(func.min(Article.id)))
    assert reextract(archive, SITES.by_name, workers=0, after=first) == {"unchanged": 1}


def test_a_reextracted_version_points_at_the_snapshot_it_was_read_from(sqlite_url, tmp_path):
    archive, warc = Archive(sqlite_url, warc_dir=tmp_path / "warc"), WarcStore(tmp_path / "warc")
    archived(archive, warc, NEW_STORY, NEW_URL, AFTER)
    warc.close()
    with archive.Session() as session:
        (read_from,) = session.scalars(select(Snapshot.id)).all()
    assert reextract(archive, lambda name, when: OLD, workers=0) == {"updated": 1}
    with archive.Session() as session:
        snapshots = session.scalars(select(Snapshot.id)).all()
        newest = session.scalar(select(ArticleVersion.snapshot_id).order_by(ArticleVersion.id.desc()).limit(1))
    assert snapshots == [read_from] and newest == read_from
