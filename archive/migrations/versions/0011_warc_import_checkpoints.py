"""How far each WARC file has been imported

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:30:00

``python -m archive import`` reads other crawlers' WARC files; ``warc_file.imported_to`` is the
offset up to which a file's records are done, so an interrupted import goes on from there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("warc_file") as batch:
        batch.add_column(sa.Column("imported_to", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("warc_file") as batch:
        batch.drop_column("imported_to")
