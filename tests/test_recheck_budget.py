"""Re-checks within a budget: the most overdue articles first, the rest left due for the next round."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, update

from archive.models import Article
from archive.store import Archive
from tests.test_archive_store import fetched

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_due_articles_come_most_overdue_first_and_no_more_than_the_budget(database_url, tmp_path):
    archive = Archive(database_url)
    for i in range(4):
        url = f"https://thanhnien.vn/bai-{i}-18513354{i:02d}.htm"
        story = fetched(
            "thanhnien.vn", tmp_path, url=url, edit=lambda html, i=i: html.replace(b"Biden", b"Biden %d" % i)
        )
        key = f"thanhnien.vn:18513354{i:02d}"
        assert archive.save(story | {"canonical_url": url, "article_key": key}).outcome == "new"
    with archive.Session() as s:
        for hours, i in ((1, 0), (4, 1), (2, 2), (3, 3)):  # overdue by 1, 4, 2, 3 hours
            due = NOW - timedelta(hours=hours)
            s.execute(update(Article).where(Article.canonical_url.contains(f"bai-{i}-")).values(next_check_at=due))
        s.commit()
    due = archive.due_articles("thanhnien.vn", NOW, limit=2)
    assert [url.split("/")[-1].split("-")[1] for url, _, _ in due] == ["1", "3"]
    assert len(archive.due_articles("thanhnien.vn", NOW)) == 4


def test_a_site_s_due_re_checks_are_read_from_the_site_s_own_index(tmp_path):
    """SQLite's plan for the query ``due_articles`` runs: the (site, next check) index, not a walk
    of every site's due articles."""
    archive = Archive(f"sqlite:///{tmp_path / 'archive.db'}")
    asked: list[tuple[str, tuple]] = []
    listen = lambda conn, cursor, sql, params, context, many: asked.append((sql, params))  # noqa: E731
    event.listen(archive.engine, "before_cursor_execute", listen)
    archive.due_articles("thanhnien.vn", NOW, limit=10)
    event.remove(archive.engine, "before_cursor_execute", listen)
    sql, params = next((sql, params) for sql, params in asked if "next_check_at" in sql)
    with archive.engine.connect() as connection:
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
    assert any("ix_article_site_next_check" in row[-1] for row in plan), plan
