"""Each site's article and version counts, kept by the store; a site's sections indexed

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 18:30:00

The home and sites pages showed each site's articles and versions by counting them, a walk of
both tables on every view (0.2 s at 100,000 articles, linear beyond). ``site.article_count`` and
``site.version_count`` are kept by the store in the transaction that adds an article or a version;
this migration counts them once for an existing archive. The search page lists a site's sections
from an index of (site, section), one probe per section.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECOUNT = (
    "UPDATE site SET "
    "article_count = (SELECT count(*) FROM article WHERE article.site_id = site.id), "
    "version_count = (SELECT count(*) FROM article_version JOIN article ON article.id = article_version.article_id "
    "WHERE article.site_id = site.id)"
)


def upgrade() -> None:
    with op.batch_alter_table("site") as batch:
        batch.add_column(sa.Column("article_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("version_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(RECOUNT)
    op.create_index("ix_search_entry_site_section", "search_entry", ["site_id", "section"])


def downgrade() -> None:
    op.drop_index("ix_search_entry_site_section", table_name="search_entry")
    with op.batch_alter_table("site") as batch:
        batch.drop_column("version_count")
        batch.drop_column("article_count")
