"""Making or upgrading an archive is all or nothing: a process killed half-way (``kill -9``) leaves
the database as it was, and the next start makes or upgrades it."""

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import inspect

from archive.database import SCHEMA_REVISION, create_db_engine, current_revision, migrate, upgrade
from tests.conftest import ROOT

KILLED_AFTER = """
import os, signal, sys
from sqlalchemy import event
from archive.database import create_db_engine, upgrade
engine = create_db_engine(sys.argv[1])
done = []

@event.listens_for(engine, "after_cursor_execute")
def _kill(connection, cursor, statement, *args):
    if statement.lstrip().upper().startswith(("CREATE TABLE", "ALTER TABLE")):
        done.append(statement)
        if len(done) == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)

upgrade(engine)
"""


def upgrade_killed_after(url: str, statements: int) -> int:
    """Run ``upgrade`` on ``url`` in a process that kills itself after that many table statements."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-c", textwrap.dedent(KILLED_AFTER), url, str(statements)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120).returncode


def test_an_archive_whose_making_was_killed_half_way_has_no_tables_and_is_made_by_the_next_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    assert upgrade_killed_after(url, 5) == -signal.SIGKILL
    engine = create_db_engine(url)
    assert inspect(engine).get_table_names() == []
    assert upgrade(engine) == (None, SCHEMA_REVISION)
    assert current_revision(engine) == SCHEMA_REVISION


def test_an_upgrade_killed_after_its_first_change_leaves_the_older_archive_and_completes_next_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    engine = create_db_engine(url)
    migrate(engine, "0010")
    assert upgrade_killed_after(url, 1) == -signal.SIGKILL  # 0011 adds a column to warc_file
    assert current_revision(engine) == "0010"
    assert "imported_to" not in {c["name"] for c in inspect(engine).get_columns("warc_file")}
    assert upgrade(engine) == ("0010", SCHEMA_REVISION)
