"""The search index: filter columns and the full-text table of each article's latest version

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 21:00:00

``search_entry`` holds the filters of each article's latest version, and the full-text table of
``archive.search`` (FTS5 on SQLite, tsvector columns on PostgreSQL) its words as written and
folded (``archive.search_text.fold``). Both are filled here from the archived versions; the
store keeps them in step from then on. Versions get an index by snapshot: the versions a
crawl run archived are found through its snapshots (the browser's rule health).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.keys import fold

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIELDS = ("title", "lead", "body", "authors", "section", "published_at")
_VERSION = sa.table(
    "article_version",
    sa.column("id", sa.Integer),
    sa.column("article_id", sa.Integer),
    sa.column("number", sa.Integer),
    *(sa.column(f, sa.JSON if f in ("body", "authors") else sa.Text) for f in _FIELDS),
)
_ARTICLE = sa.table("article", sa.column("id", sa.Integer), sa.column("site_id", sa.Integer))
_ENTRY = sa.table(
    "search_entry",
    *(sa.column(c, sa.Integer) for c in ("article_id", "version_id", "site_id")),
    *(sa.column(c, sa.Text) for c in ("section", "published_at", "authors")),
)
# the full-text table as archive.fulltext made it at this revision (a migration keeps its own copy)
_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5("
    "title, text, ftitle, ftext, tokenize = 'unicode61 remove_diacritics 0')",
)
_POSTGRESQL = (
    "CREATE TABLE IF NOT EXISTS search_document ("
    "article_id INTEGER PRIMARY KEY REFERENCES article(id), exact TSVECTOR NOT NULL, folded TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_exact ON search_document USING gin (exact)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_folded ON search_document USING gin (folded)",
)
_SQLITE_ROW = "INSERT INTO article_search (rowid, title, text, ftitle, ftext) VALUES (:id, :t, :b, :ft, :fb)"
_POSTGRESQL_ROW = (
    "INSERT INTO search_document (article_id, exact, folded) VALUES (:id, "
    "setweight(to_tsvector('simple', :t), 'A') || to_tsvector('simple', :b), "
    "setweight(to_tsvector('simple', :ft), 'A') || to_tsvector('simple', :fb))"
)


def upgrade() -> None:
    op.create_table(
        "search_entry",
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("published_at", sa.Text(), nullable=True),
        sa.Column("authors", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["article_version.id"]),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.create_index("ix_search_entry_published_at", "search_entry", ["published_at"], unique=False)
    op.create_index("ix_search_entry_section", "search_entry", ["section"], unique=False)
    op.create_index("ix_search_entry_site_published", "search_entry", ["site_id", "published_at"], unique=False)
    op.create_index("ix_article_version_snapshot_id", "article_version", ["snapshot_id"], unique=False)
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    for statement in _SQLITE if sqlite else _POSTGRESQL:
        connection.exec_driver_sql(statement)
    latest = sa.select(sa.func.max(_VERSION.c.id)).group_by(_VERSION.c.article_id)
    rows = connection.execute(
        sa.select(_VERSION, _ARTICLE.c.site_id)
        .join(_ARTICLE, _ARTICLE.c.id == _VERSION.c.article_id)
        .where(_VERSION.c.id.in_(latest))
    ).mappings()
    for row in rows.all():
        authors = "".join(f"|{fold(a)}" for a in row["authors"] or ()) + "|"
        entry = {
            "article_id": row["article_id"],
            "version_id": row["id"],
            "site_id": row["site_id"],
            "authors": authors,
        }
        op.bulk_insert(_ENTRY, [entry | {"section": row["section"], "published_at": row["published_at"]}])
        title = row["title"] or ""
        body = "\n".join(p for p in (row["lead"], *(row["body"] or ())) if p)
        values = {"id": row["article_id"], "t": title, "b": body, "ft": fold(title), "fb": fold(body)}
        connection.execute(sa.text(_SQLITE_ROW if sqlite else _POSTGRESQL_ROW), values)


def downgrade() -> None:
    connection = op.get_bind()
    connection.exec_driver_sql(
        "DROP TABLE IF EXISTS " + ("article_search" if connection.dialect.name == "sqlite" else "search_document")
    )
    op.drop_index("ix_search_entry_site_published", table_name="search_entry")
    op.drop_index("ix_search_entry_section", table_name="search_entry")
    op.drop_index("ix_search_entry_published_at", table_name="search_entry")
    op.drop_table("search_entry")
    op.drop_index("ix_article_version_snapshot_id", table_name="article_version")
