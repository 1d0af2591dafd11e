"""End to end: the real ``scrapy crawl`` of each site, replayed offline from a WARC of the
recordings, fills the database and points every version at a WARC record that checks."""

import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from warcio.archiveiterator import ArchiveIterator

from archive.models import Article, ArticleAlias, ArticleVersion, CrawlRun, Snapshot
from archive.recordings import pack
from tests.conftest import RECORDINGS, SITES, SPIDER_OF, expected
from tests.test_archive_store import edit_first_paragraph

VERSION_FIELDS = ("title", "lead", "body", "images", "authors", "published_at", "section", "tags", "language")


def db(url: str) -> Session:
    return Session(create_engine(url))


def counts(url: str) -> dict:
    with db(url) as s:
        return {
            m.__name__: s.scalar(select(func.count()).select_from(m))
            for m in (Article, ArticleVersion, ArticleAlias, Snapshot)
        }


@pytest.mark.parametrize("site", SITES)
def test_replayed_crawl_archives_the_sites_article(site, crawl, recordings_warc, sqlite_url):
    done = crawl(SPIDER_OF[site], database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    assert done.returncode == 0, done.stderr
    want = expected(site)
    with db(sqlite_url) as s:
        (article,) = s.scalars(select(Article)).all()
        version = s.scalar(select(ArticleVersion))
        assert article.canonical_url == want["canonical_url"]
        assert {f: getattr(version, f) for f in VERSION_FIELDS} == {f: want[f] for f in VERSION_FIELDS}


def test_extraction_in_the_crawl_process_gives_the_same_article_as_in_workers(crawl, recordings_warc, tmp_path):
    versions = []
    for workers in (0, 2):
        url = f"sqlite:///{tmp_path / f'workers-{workers}.db'}"
        done = crawl(
            "thanhnien", database_url=url, settings={"REPLAY_FROM": recordings_warc, "PIPELINE_WORKERS": workers}
        )
        assert done.returncode == 0, done.stderr
        with db(url) as s:
            version = s.scalar(select(ArticleVersion))
            versions.append({f: getattr(version, f) for f in VERSION_FIELDS})
    assert versions[0] == versions[1]


def test_version_snapshot_points_at_a_warc_record_whose_digest_checks(crawl, recordings_warc, sqlite_url):
    crawl("thanhnien", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    with db(sqlite_url) as s:
        snapshot = s.scalar(select(ArticleVersion)).snapshot
    with open(snapshot.warc_file, "rb") as fh:
        fh.seek(snapshot.warc_offset)
        record = next(iter(ArchiveIterator(fh, check_digests="raise")))
        assert record.rec_headers.get_header("WARC-Target-URI") == snapshot.url
        assert record.rec_headers.get_header("WARC-Payload-Digest") == snapshot.payload_digest
        assert b"detail-sapo" in record.content_stream().read()


def test_replayed_rows_carry_the_record_s_length_and_capture_time(crawl, recordings_warc, sqlite_url):
    crawl("thanhnien", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    with db(sqlite_url) as s:
        snapshot = s.scalar(select(ArticleVersion)).snapshot
    with open(recordings_warc, "rb") as fh:
        fh.seek(snapshot.warc_offset)
        iterator = ArchiveIterator(fh)
        record = next(iterator)
        record.content_stream().read()
        iterator.read_to_end(record)
        length, warc_date = iterator.get_record_length(), record.rec_headers.get_header("WARC-Date")
    assert snapshot.warc_length == length > 0
    assert snapshot.fetched_at.replace(tzinfo=UTC) == datetime.fromisoformat(warc_date)


def test_crawl_run_is_recorded_with_its_stats(crawl, recordings_warc, sqlite_url):
    crawl("kinhtedothi", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    with db(sqlite_url) as s:
        run = s.scalar(select(CrawlRun))
    assert (run.spider, run.outcome) == ("kinhtedothi", "finished")
    assert run.stats["articles/new"] == 1 and run.finished_at is not None


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_crawling_twice_adds_no_article_version_or_snapshot(database, crawl, recordings_warc, request):
    url = request.getfixturevalue(f"{'sqlite' if database == 'sqlite' else 'postgres'}_url")
    seen = []
    for _ in range(2):
        assert crawl("thanhnien", database_url=url, settings={"REPLAY_FROM": recordings_warc}).returncode == 0
        seen.append(counts(url))
    assert seen[0] == seen[1]  # replayed records keep their rows: the article's and the discovery pages'
    assert {k: seen[1][k] for k in ("Article", "ArticleVersion", "ArticleAlias")} == {
        "Article": 1,
        "ArticleVersion": 1,
        "ArticleAlias": 0,
    }


def test_changed_recording_adds_exactly_one_version(crawl, recordings_warc, sqlite_url, tmp_path):
    crawl("thanhnien", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    edited = tmp_path / "edited" / "thanhnien.vn"
    shutil.copytree(RECORDINGS / "thanhnien.vn", edited)
    page = edited / "article.html"
    page.write_bytes(edit_first_paragraph(page.read_bytes()))
    pack([edited], tmp_path / "edited.warc.gz")
    for _ in range(2):
        crawl("thanhnien", database_url=sqlite_url, settings={"REPLAY_FROM": tmp_path / "edited.warc.gz"})
    with db(sqlite_url) as s:
        bodies = [v.body[1] for v in s.scalars(select(ArticleVersion).order_by(ArticleVersion.number))]
    assert len(bodies) == 2 and bodies[1].startswith("Trong cuộc điện đàm, hai nhà lãnh đạo")
    assert counts(sqlite_url)["Article"] == 1


def test_unrecorded_urls_are_404s_that_never_become_articles(crawl, recordings_warc, sqlite_url):
    done = crawl("kinhtedothi", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    assert "4 not_found" in done.stdout
    with db(sqlite_url) as s:
        assert s.execute(text("select count(*) from article where canonical_url like '%418011%'")).scalar() == 0


def test_a_clean_crawl_logs_no_warning_or_error(crawl, recordings_warc, sqlite_url):
    """Deprecations, components that are merely off ("Disabled …"), anything a user would have to read."""
    done = crawl("thanhnien", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    assert [line for line in done.stderr.splitlines() if " WARNING: " in line or " ERROR: " in line] == []


def test_limit_caps_the_article_fetches(crawl, recordings_warc, sqlite_url):
    done = crawl("thanhnien", "-a", "limit=2", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc})
    assert "2 article URL(s) discovered" in done.stdout


def test_since_skips_entries_dated_before_it(crawl, recordings_warc, sqlite_url):
    done = crawl(
        "thanhnien",
        "-a",
        "since=2021-01-28",
        "-a",
        "start=https://thanhnien.vn/rss/the-gioi.rss",
        database_url=sqlite_url,
        settings={"REPLAY_FROM": recordings_warc},
    )
    assert "2 article URL(s) discovered" in done.stdout
