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

from archive.search import create_fulltext, drop_fulltext, index_version

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
    create_fulltext(connection)
    latest = sa.select(sa.func.max(_VERSION.c.id)).group_by(_VERSION.c.article_id)
    rows = connection.execute(
        sa.select(_VERSION, _ARTICLE.c.site_id)
        .join(_ARTICLE, _ARTICLE.c.id == _VERSION.c.article_id)
        .where(_VERSION.c.id.in_(latest))
    ).mappings()
    for row in rows.all():
        index_version(connection, row["article_id"], row["id"], row["site_id"], row)


def downgrade() -> None:
    drop_fulltext(op.get_bind())
    op.drop_index("ix_search_entry_site_published", table_name="search_entry")
    op.drop_index("ix_search_entry_section", table_name="search_entry")
    op.drop_index("ix_search_entry_published_at", table_name="search_entry")
    op.drop_table("search_entry")
    op.drop_index("ix_article_version_snapshot_id", table_name="article_version")
