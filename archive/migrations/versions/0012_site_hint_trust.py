"""How far each site's sitemap and feed dates can be trusted

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 13:50:00

A known article whose sitemap ``lastmod`` or feed date moved past its last fetch is fetched again
in scheduled mode; some sites stamp every entry with the time of the request. ``site.hints_followed``
and ``site.hints_confirmed`` count (decayed: recent fetches weigh most) such fetches and those that
found a change, so a site whose dates announce nothing is no longer followed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site") as batch:
        batch.add_column(sa.Column("hints_followed", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("hints_confirmed", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("site") as batch:
        batch.drop_column("hints_confirmed")
        batch.drop_column("hints_followed")
