"""A site's due re-checks found by one index

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 16:00:00

Each scheduled round asks for one site's articles whose ``next_check_at`` has passed, the most
overdue first. With ``next_check_at`` indexed alone, the database walks the due articles of every
site to find one site's; ``(site_id, next_check_at)`` reads just that site's, in order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_article_site_next_check", "article", ["site_id", "next_check_at"])


def downgrade() -> None:
    op.drop_index("ix_article_site_next_check", table_name="article")
