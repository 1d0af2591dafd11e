"""A page's archive decision and its write are one call and one transaction: the store decides
what the page is (new, unchanged, updated) inside the transaction that writes it, on SQLite and
on PostgreSQL. Transactions and statements are counted by SQLAlchemy's own engine events."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from archive.models import CrawlRun
from archive.store import Archive
from crawler.settings import ITEM_PIPELINES
from tests.test_archive_store import edit_first_paragraph, fetched


@dataclass
class Traffic:
    transactions: int = 0
    statements: int = 0


@contextmanager
def traffic(archive: Archive):
    """The transactions begun and the statements sent on the archive's engine meanwhile."""
    seen = Traffic()

    def began(_conn) -> None:
        seen.transactions += 1

    def sent(*_args) -> None:
        seen.statements += 1

    event.listen(archive.engine, "begin", began)
    event.listen(archive.engine, "before_cursor_execute", sent)
    try:
        yield seen
    finally:
        event.remove(archive.engine, "begin", began)
        event.remove(archive.engine, "before_cursor_execute", sent)


def saved(archive: Archive, item: dict) -> tuple[str, Traffic]:
    with traffic(archive) as seen:
        outcome = archive.save(item).outcome
    return outcome, seen


@pytest.fixture
def archive(database_url) -> Archive:
    archive = Archive(database_url)
    with archive.engine.connect():  # the schema is made before counting
        pass
    return archive


def test_a_new_article_is_decided_and_stored_in_one_transaction(archive, tmp_path):
    outcome, seen = saved(archive, fetched("thanhnien.vn", tmp_path))
    assert (outcome, seen.transactions) == ("new", 1)


def test_an_unchanged_refetch_is_decided_and_stored_in_one_transaction(archive, tmp_path):
    archive.save(fetched("thanhnien.vn", tmp_path))
    outcome, seen = saved(archive, fetched("thanhnien.vn", tmp_path))
    assert (outcome, seen.transactions) == ("unchanged", 1)


def test_an_edited_article_is_decided_and_stored_in_one_transaction(archive, tmp_path):
    archive.save(fetched("thanhnien.vn", tmp_path))
    outcome, seen = saved(archive, fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph))
    assert (outcome, seen.transactions) == ("updated", 1)


def test_an_unchanged_refetch_costs_fewer_statements_than_an_edit(archive, tmp_path):
    archive.save(fetched("thanhnien.vn", tmp_path))
    _, unchanged = saved(archive, fetched("thanhnien.vn", tmp_path))
    _, updated = saved(archive, fetched("thanhnien.vn", tmp_path, edit=edit_first_paragraph))
    assert 0 < unchanged.statements < updated.statements


def test_the_crawl_has_no_step_that_asks_the_archive_before_the_one_that_stores():
    steps = sorted(ITEM_PIPELINES, key=ITEM_PIPELINES.get)
    assert steps == ["pipelines.extract.ExtractPipeline", "pipelines.store_article.StorePipeline"]


def archive_calls(database_url: str) -> list[tuple[dict, dict]]:
    """Each run's archive calls by kind (``archive/calls/<name>`` stats), with its stats."""
    with Session(create_engine(database_url)) as session:
        runs = session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        prefix = "archive/calls/"
        return [({k[len(prefix) :]: v for k, v in r.stats.items() if k.startswith(prefix)}, r.stats) for r in runs]


@pytest.mark.parametrize("pages", ["new", "unchanged"])
def test_a_crawl_asks_the_archive_once_per_archived_page(pages, crawl, recordings_warc, sqlite_url):
    for _ in range(1 if pages == "new" else 2):
        assert crawl("thanhnien", database_url=sqlite_url, settings={"REPLAY_FROM": recordings_warc}).returncode == 0
    calls, stats = archive_calls(sqlite_url)[-1]
    assert stats[f"articles/{pages}"] == stats["item_scraped_count"] == 1
    assert calls.pop("save") == stats["item_scraped_count"]
    assert calls.pop("record_snapshot", 0) == stats.get("item_dropped_count", 0)  # 404s: their rows
    assert sum(calls.values()) <= 3  # the run's opening and end, and the batched outcome rows
