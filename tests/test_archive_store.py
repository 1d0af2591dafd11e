"""The archive keeps one article per story, one version per distinct content and one
snapshot per fetch, on SQLite and on PostgreSQL."""

import threading
from dataclasses import asdict
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from archive.database import SCHEMA_REVISION, close, create_db_engine, current_revision, head_revision, migrate, upgrade
from archive.fulltext import outside_models
from archive.models import Article, ArticleAlias, ArticleVersion, Base, Site, Snapshot
from archive.queries import article_dict, find_article
from archive.recheck_policy import aware
from archive.store import Archive
from archive.warc import Exchange, WarcStore
from crawler.sites import rules_for_url
from pipelines import extract_article
from tests.conftest import article_entry, recording


def fetched(site: str, tmp_path, url: str | None = None, edit=None) -> dict:
    """A fetched article as it reaches the decide-and-store step, with a real WARC snapshot."""
    entry = article_entry(site)
    html = recording(site, entry["file"]).read_bytes()
    if edit:
        html = edit(html)
    url = url or entry["url"]
    item = extract_article(html, url, rules=rules_for_url(url))
    ref = WarcStore(tmp_path / "warc").write(
        Exchange(url, 200, [("Content-Type", entry["content_type"])], html, datetime.now(UTC))
    )
    return item | {
        "final_url": url,
        "status": 200,
        "fetched_at": datetime.now(UTC).isoformat(),
        "snapshot": asdict(ref),
    }


def counts(archive: Archive) -> tuple[int, int, int, int]:
    with archive.Session() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (Article, ArticleVersion, ArticleAlias, Snapshot)
        )


def edit_first_paragraph(html: bytes) -> bytes:
    return html.replace(
        "Trong cuộc gọi, hai nhà lãnh đạo".encode(), "Trong cuộc điện đàm, hai nhà lãnh đạo".encode(), 1
    )


def test_first_fetch_is_a_new_article_with_one_version(database_url, tmp_path):
    archive = Archive(database_url)
    assert archive.save(fetched("thanhnien.vn", tmp_path)).outcome == "new"
    assert counts(archive) == (1, 1, 0, 1)


def test_unchanged_refetch_adds_a_snapshot_but_no_version(database_url, tmp_path):
    archive = Archive(database_url)
    archive.save(fetched("thanhnien.vn", tmp_path))
    assert archive.save(fetched("thanhnien.vn", tmp_path)).outcome == "unchanged"
    assert counts(archive) == (1, 1, 0, 2)


def test_tracking_url_copy_is_an_alias_not_a_second_article(database_url, tmp_path):
    archive = Archive(database_url)
    archive.save(fetched("thanhnien.vn", tmp_path))
    copy = article_entry("thanhnien.vn")["url"] + "?utm_source=facebook&utm_medium=social"
    assert archive.save(fetched("thanhnien.vn", tmp_path, url=copy)).outcome == "alias"
    assert counts(archive) == (1, 1, 1, 2)


def test_changed_content_adds_exactly_one_version(database_url, tmp_path):
    archive = Archive(database_url)
    archive.save(fetched("thanhnien.vn", tmp_path))
    assert archive.save(fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph)).outcome == "updated"
    assert archive.save(fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph)).outcome == "unchanged"
    assert counts(archive) == (1, 2, 0, 3)


def test_repost_on_another_site_is_a_separate_article(database_url, tmp_path):
    archive = Archive(database_url)
    archive.save(fetched("thanhnien.vn", tmp_path))
    assert archive.save(fetched("hanhkhatkito.net", tmp_path)).outcome == "new"
    assert counts(archive)[0] == 2


def test_stored_article_reads_back_with_vietnamese_text_intact(database_url, tmp_path):
    archive = Archive(database_url)
    item = fetched("kinhtedothi.vn", tmp_path)
    archive.save(item)
    with archive.Session() as session:
        data = article_dict(session, find_article(session, item["url"] + "?utm_source=x"))
    assert (data["title"], data["body"], data["tags"]) == (item["title"], item["body"], item["tags"])
    assert data["snapshots"][0]["payload_digest"] == item["snapshot"]["digest"]


def test_every_version_points_to_its_warc_record(database_url, tmp_path):
    archive = Archive(database_url)
    item = fetched("thanhnien.vn", tmp_path)
    archive.save(item)
    with archive.Session() as session:
        version = session.scalar(select(ArticleVersion))
        assert (version.snapshot.warc_file, version.snapshot.warc_offset) == (
            item["snapshot"]["file"],
            item["snapshot"]["offset"],
        )


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_migrations_create_exactly_the_models_schema(dialect, request):
    url = request.getfixturevalue("sqlite_url" if dialect == "sqlite" else "postgres_url")
    engine = create_db_engine(url)
    migrate(engine)  # every migration in turn, as an old archive goes through them
    migrate(engine)  # idempotent
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": outside_models})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_the_schema_revision_an_archive_is_checked_against_is_the_latest_migration():
    assert head_revision() == SCHEMA_REVISION


def test_a_migrated_archive_reads_as_the_schema_revision(sqlite_url):
    engine = create_db_engine(sqlite_url)
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == SCHEMA_REVISION
    engine.dispose()


def test_paywalled_teaser_never_replaces_a_full_version(database_url, tmp_path):
    archive = Archive(database_url)
    archive.save(fetched("thanhnien.vn", tmp_path))
    teaser = fetched("thanhnien.vn", tmp_path) | {
        "page_type": "paywalled",
        "body": ["Chỉ dành cho thuê bao."],
        "fingerprint": "teaser",
    }
    assert archive.save(teaser).outcome == "teaser"
    assert counts(archive)[:2] == (1, 1)


def test_version_keeps_extractor_version_and_provenance(database_url, tmp_path):
    archive = Archive(database_url)
    item = fetched("kinhtedothi.vn", tmp_path)
    archive.save(item)
    with archive.Session() as session:
        version = session.scalar(select(ArticleVersion))
    assert (version.extractor_version, version.provenance["title"], version.paywalled) == (
        item["extractor_version"],
        "rules",
        False,
    )


def test_migration_0005_signs_stored_articles_with_the_current_scheme(sqlite_url, tmp_path):
    from archive.database import migrate
    from archive.keys import signature, to_bytes

    archive = Archive(sqlite_url)
    item = fetched("thanhnien.vn", tmp_path)
    archive.save(item)
    engine = create_db_engine(sqlite_url)
    migrate(engine, "0004", "downgrade")  # back to before 0005, whose downgrade clears the signatures
    with archive.Session() as session:
        assert session.scalar(select(Article.minhash)) is None
    upgrade(engine)
    with archive.Session() as session:
        assert session.scalar(select(Article.minhash)) == to_bytes(signature(item["title"], item["body"]))
    engine.dispose()
    close(sqlite_url)


def test_an_older_capture_saved_later_slots_in_as_an_older_version(database_url, tmp_path):
    archive = Archive(database_url)
    newer = fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph) | {"fetched_at": "2026-03-02T10:00:00+00:00"}
    older = fetched("thanhnien.vn", tmp_path) | {"fetched_at": "2026-03-01T10:00:00+07:00"}
    assert archive.save(newer).outcome == "new"
    assert archive.save(older).outcome == "updated"
    with archive.Session() as session:
        versions = session.scalars(select(ArticleVersion).order_by(ArticleVersion.number)).all()
        assert [v.body for v in versions] == [older["body"], newer["body"]]
        assert (versions[0].change_class, versions[1].change_class) == (None, "minor")  # measured from the older
        assert versions[1].diff["body"]["added"] == [p for p in newer["body"] if p not in older["body"]]
    assert archive.save(older).outcome == "unchanged"  # the same capture again: nothing added
    with archive.Session() as session:
        assert session.scalar(select(func.count()).select_from(ArticleVersion)) == 2


def test_an_earlier_capture_of_a_later_version_saved_late_moves_that_version_back(database_url, tmp_path):
    """A spooled fetch stored after a later re-fetch of the same text (the database was down when
    it was made): the version was first seen earlier, not made twice."""
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path) | {"fetched_at": "2026-03-02T06:00:00+00:00"}
    later, spooled = (fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph) for _ in range(2))
    archive.save(first)
    assert archive.save(later | {"fetched_at": "2026-03-02T09:30:00+00:00"}).outcome == "updated"
    assert archive.save(spooled | {"fetched_at": "2026-03-02T07:00:00+00:00"}).outcome == "updated"
    with archive.Session() as session:
        versions = session.execute(
            select(ArticleVersion.number, Snapshot.fetched_at)
            .join(Snapshot, Snapshot.id == ArticleVersion.snapshot_id)
            .order_by(ArticleVersion.number)
        ).all()
    assert [(n, aware(at).hour) for n, at in versions] == [(1, 6), (2, 7)]


def site_counts(archive: Archive) -> tuple[int, int]:
    with archive.Session() as session:
        return session.execute(select(Site.article_count, Site.version_count)).one()


def test_the_store_keeps_each_sites_article_and_version_counts(database_url, tmp_path):
    archive = Archive(database_url)
    first = fetched("thanhnien.vn", tmp_path) | {"fetched_at": "2026-03-02T06:00:00+00:00"}
    archive.save(first)
    archive.save(fetched("thanhnien.vn", tmp_path) | {"fetched_at": "2026-03-02T07:00:00+00:00"})  # unchanged
    assert site_counts(archive) == (1, 1)
    archive.save(
        fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph) | {"fetched_at": "2026-03-02T09:00:00+00:00"}
    )
    assert site_counts(archive) == (1, 2)
    archive.save(
        fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph) | {"fetched_at": "2026-03-02T08:00:00+00:00"}
    )
    assert site_counts(archive) == (1, 2)  # an earlier capture of the same text: no version added


def test_migration_0014_counts_the_sites_of_an_existing_archive(sqlite_url, tmp_path):
    from archive.database import migrate

    archive = Archive(sqlite_url)
    archive.save(fetched("thanhnien.vn", tmp_path))
    archive.save(fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph))
    engine = create_db_engine(sqlite_url)
    migrate(engine, "0013", "downgrade")
    upgrade(engine)
    assert site_counts(archive) == (1, 2)
    engine.dispose()
    close(sqlite_url)


def test_an_index_a_migration_adds_gets_statistics_when_the_archive_has_them(sqlite_url, tmp_path):
    from archive.database import migrate

    archive = Archive(sqlite_url)
    archive.save(fetched("thanhnien.vn", tmp_path))
    engine = create_db_engine(sqlite_url)
    migrate(engine, "0014", "downgrade")
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    upgrade(engine)
    with engine.connect() as conn:
        analyzed = {row[0] for row in conn.exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE tbl = 'article'")}
    assert "ix_article_site_url" in analyzed
    engine.dispose()
    close(sqlite_url)


def test_two_saves_of_one_article_at_once_take_turns_so_no_version_repeats(postgres_url, tmp_path):
    """A spooled fetch loaded while the crawl stores a later re-fetch of the same text: the later
    save, paused between its decision and its version, must not make the text twice."""
    from sqlalchemy import event

    setup = Archive(postgres_url)
    setup.save(fetched("thanhnien.vn", tmp_path) | {"fetched_at": "2026-03-02T06:00:00+00:00"})
    later, spooled = (fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph) for _ in range(2))
    paused, go = threading.Event(), threading.Event()
    pausing = Archive(postgres_url)

    @event.listens_for(pausing.engine, "before_cursor_execute")
    def pause_after_its_decision(conn, cursor, statement, *args) -> None:
        if statement.startswith("UPDATE article SET") and not paused.is_set():
            paused.set()
            go.wait(10)

    crawl = threading.Thread(target=pausing.save, args=(later | {"fetched_at": "2026-03-02T09:30:00+00:00"},))
    crawl.start()
    assert paused.wait(10)
    spool = threading.Thread(
        target=Archive(postgres_url).save, args=(spooled | {"fetched_at": "2026-03-02T07:00:00+00:00"},)
    )
    spool.start()
    spool.join(1)  # it waits for the paused save, if saves of one article take turns
    go.set()
    crawl.join(10)
    spool.join(10)
    with setup.Session() as session:
        digests = session.scalars(select(ArticleVersion.content_digest).order_by(ArticleVersion.number)).all()
    assert len(digests) == 2 and digests[0] != digests[1]
