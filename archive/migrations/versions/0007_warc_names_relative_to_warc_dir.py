"""WARC files named relative to WARC_DIR

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 13:00:00

Snapshot rows named their WARC file as the crawl's working directory saw it
(``data/warc/….warc.gz``), so the archive could not be read from another folder or moved.
A file inside ``WARC_DIR`` ($WARC_DIR at upgrade time, default ``data/warc``, relative to
the working directory) is now named relative to it; any other file by its absolute path.
Downgrading names the files inside ``WARC_DIR`` by their absolute paths.
"""

import os
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SNAPSHOT = sa.table("snapshot", sa.column("warc_file", sa.Text))


def _rename(new_name) -> None:
    connection = op.get_bind()
    files = connection.scalars(sa.select(_SNAPSHOT.c.warc_file).where(_SNAPSHOT.c.warc_file.is_not(None)).distinct())
    for old in list(files):
        if (new := new_name(old)) != old:
            connection.execute(_SNAPSHOT.update().where(_SNAPSHOT.c.warc_file == old).values(warc_file=new))


def _warc_dir() -> Path:
    return Path(os.environ.get("WARC_DIR") or "data/warc").resolve()


def upgrade() -> None:
    warc_dir = _warc_dir()

    def relative(name: str) -> str:
        path = Path(name).resolve()
        try:
            return path.relative_to(warc_dir).as_posix()
        except ValueError:
            return str(path)

    _rename(relative)


def downgrade() -> None:
    warc_dir = _warc_dir()
    _rename(lambda name: name if Path(name).is_absolute() else str(warc_dir / name))
