"""Runs dispatched to scrapyd nodes, and where each WARC file lives

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 17:30:00

A crawl sent to a scrapyd node records the node's URL, its job id and the lease it holds (``crawl_run``), so any
scheduler can tell a lost node's runs from live ones. ``warc_file`` records which node wrote
each WARC file and into which folder; files written before have no row and are found, as
before, under ``WARC_DIR`` and ``WARC_DIRS``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_run") as batch:
        batch.add_column(sa.Column("dispatched_to", sa.Text(), nullable=True))
        batch.add_column(sa.Column("job", sa.Text(), nullable=True))
        batch.add_column(sa.Column("lease", sa.Text(), nullable=True))
    op.create_table(
        "warc_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("node", sa.Text(), nullable=False),
        sa.Column("directory", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("warc_file")
    with op.batch_alter_table("crawl_run") as batch:
        batch.drop_column("lease")
        batch.drop_column("job")
        batch.drop_column("dispatched_to")
