"""The full-text table of the search index, beside the models: an FTS5 virtual table on
SQLite, tsvector columns with GIN indexes on PostgreSQL; each article's title and text as
written and folded (``archive.keys.fold``), under the article's id. Made with the models'
``search_entry`` table (``archive.models``); searched by ``archive.search``."""

from __future__ import annotations

from sqlalchemy import Connection, text

from archive.keys import fold

FULLTEXT_TABLES = ("article_search", "search_document")
"""Tables the full-text index lives in, beside the models (FTS5 virtual table and its shadow
tables on SQLite, tsvector columns on PostgreSQL): made by ``create_fulltext``."""

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5("
    "title, text, ftitle, ftext, tokenize = 'unicode61 remove_diacritics 0')"
)
_POSTGRES_DOCUMENT = (
    "CREATE TABLE IF NOT EXISTS search_document ("
    "article_id INTEGER PRIMARY KEY REFERENCES article(id), exact TSVECTOR NOT NULL, folded TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_exact ON search_document USING gin (exact)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_folded ON search_document USING gin (folded)",
)


def outside_models(name: str | None, type_: str, _parent=None) -> bool:
    """Alembic's ``include_name``: leave the full-text tables out of model comparisons."""
    return not (type_ == "table" and name and name.startswith(FULLTEXT_TABLES))


def create_fulltext(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(_SQLITE_FTS)
    else:
        for statement in _POSTGRES_DOCUMENT:
            connection.exec_driver_sql(statement)


def write_document(conn: Connection, article_id: int, title: str, body: str) -> None:
    """Make ``title`` and ``body`` the article's words (replacing what it had)."""
    values = {"id": article_id, "t": title, "b": body, "ft": fold(title), "fb": fold(body)}
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM article_search WHERE rowid = :id"), {"id": article_id})
        conn.execute(
            text("INSERT INTO article_search (rowid, title, text, ftitle, ftext) VALUES (:id, :t, :b, :ft, :fb)"),
            values,
        )
    else:
        conn.execute(
            text(
                "INSERT INTO search_document (article_id, exact, folded) VALUES (:id, "
                "setweight(to_tsvector('simple', :t), 'A') || to_tsvector('simple', :b), "
                "setweight(to_tsvector('simple', :ft), 'A') || to_tsvector('simple', :fb)) "
                "ON CONFLICT (article_id) DO UPDATE SET exact = excluded.exact, folded = excluded.folded"
            ),
            values,
        )
