"""What a site's re-checks cost

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 10:00:00

A scheduled re-check is a conditional request; a site that honours it answers ``304`` for an
unchanged page (a revisit record of a kilobyte), any other sends the whole page again.
``site.rechecks`` and ``site.rechecks_not_modified`` count (decayed: recent ones weigh most) the
site's re-checks and those answered ``304``, so the adaptive policy re-checks more often where it
is cheap and less where every re-check stores a page (``recheck_policy.recheck_cost``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site") as batch:
        batch.add_column(sa.Column("rechecks", sa.Float(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("rechecks_not_modified", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("site") as batch:
        batch.drop_column("rechecks_not_modified")
        batch.drop_column("rechecks")
