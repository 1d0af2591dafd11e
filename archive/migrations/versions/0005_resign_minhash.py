"""sign stored articles again: shingles are hashed per word now

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 00:40:00

MinHash signatures from before hash every shingle string; new ones mix per-word hashes.
The two are not comparable, so every article's signature is computed again from its
latest version (title and body).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

article = sa.table("article", sa.column("id", sa.Integer), sa.column("minhash", sa.LargeBinary))
version = sa.table(
    "article_version",
    sa.column("article_id", sa.Integer),
    sa.column("number", sa.Integer),
    sa.column("title", sa.Text),
    sa.column("body", sa.JSON),
)


def upgrade() -> None:
    from archive.keys import signature, to_bytes

    connection = op.get_bind()
    latest = (
        sa.select(version.c.article_id, sa.func.max(version.c.number).label("number"))
        .group_by(version.c.article_id)
        .subquery()
    )
    rows = connection.execute(
        sa.select(version.c.article_id, version.c.title, version.c.body).join(
            latest, sa.and_(version.c.article_id == latest.c.article_id, version.c.number == latest.c.number)
        )
    )
    for article_id, title, body in rows.all():
        connection.execute(
            article.update().where(article.c.id == article_id).values(minhash=to_bytes(signature(title, body or [])))
        )


def downgrade() -> None:
    """Signatures of the older scheme cannot be recomputed here: clear them."""
    op.execute(article.update().values(minhash=None))
