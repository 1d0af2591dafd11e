"""What the archive keeps when things go wrong: runs left running by a dead crawl, the
spool of writes the database could not take, and ``verify``'s checks of rows and files."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from archive import spool
from archive.models import Article, ArticleVersion, CrawlRun, Snapshot
from archive.run_records import NODE
from archive.store import Archive
from archive.verify import verify
from pipelines.archive_access import ArchiveDownError, ArchiveThread
from tests.test_archive_store import fetched


def test_a_run_whose_process_is_gone_is_marked_failed(sqlite_url):
    archive = Archive(sqlite_url)
    dead = archive.start_run("thanhnien", NODE, pid=2**22 + 1)
    (marked,) = archive.mark_stale_runs(NODE, lambda pid: False, timedelta(minutes=15))
    with archive.Session() as s:
        run = s.get(CrawlRun, dead)
    assert (marked, run.outcome) == (dead, "failed") and "gone" in run.error


def test_a_running_crawl_on_another_node_is_left_alone_while_its_heartbeat_is_fresh(sqlite_url):
    archive = Archive(sqlite_url)
    archive.start_run("thanhnien", "other-node", pid=1)
    assert archive.mark_stale_runs(NODE, lambda pid: False, timedelta(minutes=15)) == []


def test_a_run_without_heartbeat_for_too_long_is_stale_on_any_node(sqlite_url):
    archive = Archive(sqlite_url)
    run_id = archive.start_run("thanhnien", "other-node", pid=1)
    assert archive.mark_stale_runs(NODE, lambda pid: True, timedelta(seconds=-1)) == [run_id]


def test_a_spool_loaded_twice_stores_everything_once(sqlite_url, tmp_path):
    path = tmp_path / "spool.jsonl"
    item = fetched("thanhnien.vn", tmp_path)
    spool.append(path, spool.SAVE, item, None, "database is locked")
    spool.append(path, spool.FETCHES, {"rows": [{"url": "http://a/robots.txt", "outcome": "refused:x"}]}, None, "x")
    archive = Archive(sqlite_url)
    assert spool.load(archive, path).loaded == 2
    spool.append(path, spool.SAVE, item, None, "spooled a second time")
    assert spool.load(archive, path).loaded == 1
    with archive.Session() as s:
        counts = [s.scalar(select(func.count()).select_from(m)) for m in (Article, ArticleVersion, Snapshot)]
    assert counts == [1, 1, 2]  # the article, its version, its snapshot row and the outcome row
    assert path.read_text() == ""


def test_a_spool_shared_by_two_archives_gives_each_only_its_own_writes(tmp_path):
    """Crawls of two archives from one folder share the default spool file: each archive
    stores its own writes and leaves the other's for it."""
    path = tmp_path / "spool.jsonl"
    first, second = (f"sqlite:///{tmp_path / name}.db" for name in ("first", "second"))
    spool.append(path, spool.SAVE, fetched("thanhnien.vn", tmp_path), None, "database is locked", first)
    assert spool.load(Archive(second), path).loaded == 0
    assert spool.load(Archive(first), path).loaded == 1
    with Archive(first).Session() as s:
        assert s.scalar(select(func.count(Article.id))) == 1
    with Archive(second).Session() as s:
        assert s.scalar(select(func.count(Article.id))) == 0


def test_a_write_that_fails_again_stays_in_the_spool(tmp_path):
    path = tmp_path / "spool.jsonl"
    spool.append(path, spool.SAVE, {"url": "http://a/1"}, None, "locked")  # not storable: no canonical URL
    report = spool.load(Archive(f"sqlite:///{tmp_path / 'a.db'}"), path)
    assert (report.loaded, report.failed) == (0, 1)
    assert len(path.read_text().splitlines()) == 1


def archived(sqlite_url: str, tmp_path: Path) -> tuple[Archive, dict]:
    archive = Archive(sqlite_url)
    item = fetched("thanhnien.vn", tmp_path)
    archive.save(item)
    return archive, item


def check(archive: Archive, tmp_path: Path) -> list[str]:
    return [str(p) for p in verify(archive, tmp_path / "warc", NODE, lambda pid: False, timedelta(minutes=15))]


def test_verify_finds_a_sound_archive_sound(sqlite_url, tmp_path):
    archive, _ = archived(sqlite_url, tmp_path)
    for path in (tmp_path / "warc").glob("*.open"):  # the test's store was never closed
        path.rename(path.with_name(path.name.removesuffix(".open")))
    assert check(archive, tmp_path) == []


def test_verify_reports_a_record_whose_payload_was_changed(sqlite_url, tmp_path):
    archive, _item = archived(sqlite_url, tmp_path)
    (path,) = (tmp_path / "warc").glob("*.open")
    final = path.with_name(path.name.removesuffix(".open"))
    path.rename(final)
    with archive.Session() as s:
        s.execute(Snapshot.__table__.update().values(payload_digest="sha1:AAAA"))
        s.commit()
    assert any("payload digest" in p for p in check(archive, tmp_path))


def test_verify_reports_a_missing_warc_file(sqlite_url, tmp_path):
    archive, _ = archived(sqlite_url, tmp_path)
    for path in (tmp_path / "warc").iterdir():
        path.unlink()
    assert any("WARC file missing" in p for p in check(archive, tmp_path))


def test_verify_reports_a_run_left_running(sqlite_url, tmp_path):
    archive, _ = archived(sqlite_url, tmp_path)
    archive.start_run("thanhnien", NODE, pid=2**22 + 1)
    assert any("left running" in p for p in check(archive, tmp_path))


def test_verify_reports_a_file_left_open_by_a_dead_crawl(sqlite_url, tmp_path):
    archive, _ = archived(sqlite_url, tmp_path)
    assert any("left open" in p for p in check(archive, tmp_path))


def test_verify_reports_a_torn_warc_file(sqlite_url, tmp_path):
    archive, _ = archived(sqlite_url, tmp_path)
    (path,) = (tmp_path / "warc").glob("*.open")
    final = path.with_name(path.name.removesuffix(".open"))
    final.write_bytes(path.read_bytes()[:-40])
    path.unlink()
    assert any("unreadable" in p or "no readable record" in p for p in check(archive, tmp_path))


def checked(archive: Archive, tmp_path: Path, after=None) -> list[tuple[int, tuple[str, int]]]:
    """What ``verify`` told its progress: (snapshots checked, the last one's record)."""
    told: list = []
    progress = lambda count, last: told.append((count, last))  # noqa: E731
    list(verify(archive, tmp_path / "warc", NODE, lambda pid: False, timedelta(minutes=15), progress, after))
    return told


def test_verify_tells_its_progress_once_per_snapshot_checked(sqlite_url, tmp_path):
    archive, _ = archived(sqlite_url, tmp_path)
    with archive.Session() as s:
        with_records = s.scalar(select(func.count()).select_from(Snapshot).where(Snapshot.warc_file.is_not(None)))
    assert with_records >= 1 and [count for count, _ in checked(archive, tmp_path)] == list(range(1, with_records + 1))


def test_verify_goes_on_from_the_record_after_the_one_it_is_given(sqlite_url, tmp_path):
    archive, _ = archived(sqlite_url, tmp_path)
    archive.save(fetched("kinhtedothi.vn", tmp_path))
    records = [last for _, last in checked(archive, tmp_path)]
    assert len(records) >= 2 and records == sorted(records)
    assert [last for _, last in checked(archive, tmp_path, after=records[0])] == records[1:]


def test_verify_yields_a_problem_before_checking_the_rest(sqlite_url, tmp_path):
    archive, _ = archived(sqlite_url, tmp_path)
    for path in (tmp_path / "warc").iterdir():
        path.unlink()
    told: list[int] = []
    progress = lambda count, last: told.append(count)  # noqa: E731
    problems = verify(archive, tmp_path / "warc", NODE, lambda pid: False, timedelta(minutes=15), progress)
    assert "WARC file missing" in str(next(problems)) and told == []  # the first snapshot's, the rest unread


def test_stored_times_are_utc(sqlite_url):
    archive = Archive(sqlite_url)
    run_id = archive.start_run("thanhnien", NODE, 1)
    with archive.Session() as s:
        heartbeat = s.get(CrawlRun, run_id).heartbeat_at
    assert abs((heartbeat.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()) < 60


def dead_database_thread() -> ArchiveThread:
    """The archive thread of a crawl whose PostgreSQL server is not there (connection refused)."""
    stats = SimpleNamespace(inc_value=lambda *a, **k: None)
    return ArchiveThread(lambda: Archive("postgresql+psycopg://postgres@127.0.0.1:9/nowhere"), 1, 0.01, 60, stats)


def test_an_unreachable_database_is_retried_then_counts_as_down():
    database = dead_database_thread()
    with pytest.raises(OperationalError):
        database.call_now(Archive.heartbeat, 1)
    with pytest.raises(ArchiveDownError):  # at once, without another connection attempt
        database.call_now(Archive.heartbeat, 1)
    database.close()


def test_a_torn_spool_line_is_kept_and_the_rest_is_stored(sqlite_url, tmp_path):
    path = tmp_path / "spool.jsonl"
    spool.append(path, spool.FETCHES, {"rows": [{"url": "http://a/robots.txt", "outcome": "robots"}]}, None, "x")
    with path.open("a") as fh:
        fh.write('{"op": "save", "item": {"url": "http://a/1", "tit')  # a crash in the middle of a write
    report = spool.load(Archive(sqlite_url), path)
    assert (report.loaded, report.failed) == (1, 1)
    assert path.read_text().startswith('{"op": "save"')
