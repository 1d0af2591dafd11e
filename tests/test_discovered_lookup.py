"""What a crawl discovered, looked up in the archive in batches (``Archive.last_seen``): a
scheduled crawl asks about the URLs it found, never loads the site's whole history."""

from archive.schedule_records import LOOKUP_BATCH
from archive.store import Archive
from tests.test_archive_store import fetched

CANONICAL = "https://thanhnien.vn/bai-viet-185133540.htm"
SHARED = CANONICAL + "?utm_source=zalo"


def stored(database_url: str, tmp_path) -> Archive:
    archive = Archive(database_url)
    story = fetched("thanhnien.vn", tmp_path, url=SHARED)
    assert archive.save(story | {"canonical_url": CANONICAL, "article_key": "thanhnien.vn:185133540"}).outcome == "new"
    return archive


def test_a_known_canonical_url_and_its_alias_are_found_with_their_last_fetch(database_url, tmp_path):
    archive = stored(database_url, tmp_path)
    found = archive.last_seen([CANONICAL, SHARED])
    assert set(found) == {CANONICAL, SHARED}
    assert found[CANONICAL] == found[SHARED] and found[CANONICAL].tzinfo is not None


def test_urls_the_archive_does_not_have_are_left_out(database_url, tmp_path):
    archive = stored(database_url, tmp_path)
    assert archive.last_seen(["https://thanhnien.vn/khac-185133541.htm"]) == {}


def test_more_urls_than_one_batch_are_all_looked_up(database_url, tmp_path):
    archive = stored(database_url, tmp_path)
    unknown = [f"https://thanhnien.vn/moi-{i}.htm" for i in range(LOOKUP_BATCH * 2)]
    assert set(archive.last_seen([*unknown, CANONICAL])) == {CANONICAL}
