"""LSH band keys of article signatures, for near-duplicate look-ups in the database

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:30:00

The near-duplicate index was rebuilt from ``article.minhash`` in each process, so a re-post
stored by another process or node was missed. Each article's signature now has its band keys
(``archive.keys.band_keys``) in ``article_band``, filled here from the stored signatures.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archive.keys import band_keys

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ARTICLE = sa.table("article", sa.column("id", sa.Integer), sa.column("minhash", sa.LargeBinary))


def upgrade() -> None:
    band = op.create_table(
        "article_band",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.PrimaryKeyConstraint("article_id", "band"),
    )
    op.create_index(op.f("ix_article_band_band"), "article_band", ["band"], unique=False)
    rows = op.get_bind().execute(sa.select(_ARTICLE.c.id, _ARTICLE.c.minhash).where(_ARTICLE.c.minhash.is_not(None)))
    values = [{"article_id": article_id, "band": key} for article_id, data in rows for key in set(band_keys(data))]
    if values:
        op.bulk_insert(band, values)


def downgrade() -> None:
    op.drop_index(op.f("ix_article_band_band"), table_name="article_band")
    op.drop_table("article_band")
