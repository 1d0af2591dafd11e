"""every request an outcome: snapshot rows without a WARC record, outcome details; run liveness

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00

A request that got no response (refused by the destination guard, a timeout, a DNS
failure) still ends in a snapshot row: its WARC columns become nullable and ``detail``
says why (or where a redirect pointed). A crawl run records the node and process that
runs it and a heartbeat, so a run whose process died is found and marked ``failed``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WARC_COLUMNS = (
    ("warc_file", sa.Text()),
    ("warc_offset", sa.BigInteger()),
    ("warc_length", sa.BigInteger()),
    ("payload_digest", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("snapshot") as batch:
        for name, type_ in _WARC_COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=True)
        batch.add_column(sa.Column("detail", sa.Text(), nullable=True))
        batch.alter_column("status", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("crawl_run") as batch:
        batch.add_column(sa.Column("node", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM snapshot WHERE warc_file IS NULL")
    with op.batch_alter_table("crawl_run") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("pid")
        batch.drop_column("node")
    with op.batch_alter_table("snapshot") as batch:
        batch.alter_column("status", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("detail")
        for name, type_ in _WARC_COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=False)
