"""Engines and sessions, and the schema's state.

Two ways in: a crawl (or a command that writes, such as ``migrate``) creates the archive
and brings its schema up to date (``sessions``), saying so in the log when it upgrades an
older one; a command that only reads opens an archive that exists and is current, or
fails with what to run (``reading_sessions``). SQLite's write-ahead log is folded back
into the database file when an engine is closed (``close``), so ``archive.db`` alone is
the archive once a crawl or a command is done.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///data/archive.db"
MIGRATIONS = Path(__file__).with_name("migrations")
logger = logging.getLogger(__name__)
logging.getLogger("alembic").setLevel(logging.WARNING)  # "running upgrade" on every start is noise


class ArchiveUnavailableError(Exception):
    """The archive a command was pointed at cannot be used as it is; the message says why and what to run."""


@cache
def migrations_dir() -> Path:
    """The migrations as a folder, which Alembic needs: the package's own, or, when the package
    runs from a zipped egg (as scrapyd runs a deployed project), a copy unpacked for this process."""
    if MIGRATIONS.is_dir():
        return MIGRATIONS
    target = Path(tempfile.mkdtemp(prefix="newsarchive-migrations-"))
    atexit.register(shutil.rmtree, target, True)

    def copy(source, into: Path) -> None:
        into.mkdir(exist_ok=True)
        for entry in source.iterdir():
            if entry.is_dir():
                copy(entry, into / entry.name)
            elif entry.name.endswith((".py", ".mako")):
                (into / entry.name).write_bytes(entry.read_bytes())

    copy(resources.files("archive") / "migrations", target)
    return target


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def shown(url: str) -> str:
    """The URL for messages: password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def create_db_engine(url: str, create: bool = True) -> Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and (with ``create``) their folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if create and (path := sqlite_file(url)) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        busy = {} if "timeout" in parsed.query else {"timeout": 30}  # seconds a locked file is waited for
        engine = create_engine(url, connect_args=busy)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


SCHEMA_REVISION = "0016"
"""The latest migration's revision (``head_revision``, which reads every migration file, is
tested equal to it): an archive already there is checked against it without importing Alembic,
a quarter of a second of every command's start."""


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(migrations_dir())).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database (None: no archive there yet), from Alembic's
    version table (one row: the migrations have a single line of descent)."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def migrate(engine: Engine, revision: str = "head", direction: str = "upgrade") -> None:
    """Bring ``engine``'s database to ``revision`` (idempotent). On SQLite, foreign keys are off
    meanwhile: changing a column there means copying its table, which a referenced table
    cannot survive with them on (and the pragma is ignored inside a transaction)."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            _schema_transaction(connection)
            config.attributes["connection"] = connection
            getattr(command, direction)(config, revision)
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


SCHEMA_LOCK_KEY = 0x6E657773  # "news": the advisory lock key of schema changes


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring ``engine``'s database to the latest schema (idempotent); (from, to) revisions. An
    empty database gets the models' tables and the head revision at once (Alembic's recipe for
    new databases: a tenth of the time of every migration in turn; ``tests/test_archive_store``
    holds the migrations equal to the models); an older archive is migrated, and says so.
    Processes upgrading one PostgreSQL database at once (crawl nodes starting together) take
    turns, each deciding after the one before it is done."""
    if (before := current_revision(engine)) == SCHEMA_REVISION:
        return before, before
    head = head_revision()
    with _schema_lock(engine):
        return _upgrade(engine, head)


@contextlib.contextmanager
def _schema_lock(engine: Engine):
    """A PostgreSQL advisory lock for the schema: concurrent ``CREATE TABLE`` collide in its
    catalogue. (SQLite is one machine's archive; the nodes of a cluster share PostgreSQL.)"""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({SCHEMA_LOCK_KEY})")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({SCHEMA_LOCK_KEY})")
            connection.commit()


def _upgrade(engine: Engine, head: str) -> tuple[str | None, str]:
    before = current_revision(engine)
    if before == head:
        return before, head
    if before is None and not inspect(engine).get_table_names():
        _create(engine)
        return before, head
    if before is not None:
        where = shown(engine.url.render_as_string(hide_password=False))
        logger.warning("archive at %s: schema upgraded from revision %s to %s", where, before, head)
    migrate(engine)
    _index_statistics(engine)
    return before, head


_MISSING_STATISTICS = (
    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
    "AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)"
)


def _index_statistics(engine: Engine) -> None:
    """On a SQLite archive that keeps planner statistics (``sqlite_stat1``), the indexes a
    migration added get theirs: SQLite plans with the figures it has, and an index it has none
    for, beside indexes it has, can look best where it is not (migration 0015's made a site's
    export probe once per article: minutes at a million articles). An archive without
    statistics is left so: without any, the planner's defaults chose well."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        if connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None:
            return
        for name in connection.exec_driver_sql(_MISSING_STATISTICS).scalars().all():
            connection.exec_driver_sql(f'ANALYZE "{name}"')


def _create(engine: Engine) -> None:
    from alembic import command

    from archive.models import Base

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        _schema_transaction(connection)
        Base.metadata.create_all(connection)
        config.attributes["connection"] = connection
        command.stamp(config, "head")


def _schema_transaction(connection) -> None:
    """On SQLite, open the transaction schema changes run in. Python's sqlite3 module begins one
    only before INSERT, UPDATE and DELETE, so every CREATE, ALTER and DROP committed on its own:
    a crawl killed while it made the archive left half its tables and no revision, a database
    no later start would touch ("not an archive"), and one killed in an upgrade left it half
    done under the older revision. SQLite's DDL is transactional; ``IMMEDIATE`` takes the write lock
    first, so a second process making the same archive waits, then finds it made."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def checkpoint(engine: Engine) -> None:
    """Fold SQLite's write-ahead log into the database file (no-op elsewhere or when it is busy)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


_factories: dict[str, sessionmaker[Session]] = {}


def _forget_in_child() -> None:
    """A forked process must not use its parent's pooled connections (two processes on one
    socket): it drops them unclosed, SQLAlchemy's advice for multiprocessing, and opens its own."""
    for factory in _factories.values():
        factory.kw["bind"].dispose(close=False)
    _factories.clear()


os.register_at_fork(after_in_child=_forget_in_child)
"""The process's session factory per database URL (one engine each)."""


def close(url: str) -> None:
    """Checkpoint and dispose of the process's engine for ``url``, if it made one."""
    if (factory := _factories.pop(url, None)) is not None:
        engine = factory.kw["bind"]
        try:
            checkpoint(engine)
        finally:
            engine.dispose()


@atexit.register
def _close_all() -> None:
    for url in list(_factories):
        try:
            close(url)
        except Exception as exc:  # the database went away: it keeps its log, which SQLite replays
            logger.warning("archive at %s not checkpointed at exit (%s)", shown(url), exc.__class__.__name__)


def sessions(url: str = DEFAULT_DATABASE_URL) -> sessionmaker[Session]:
    """A session factory for an up-to-date database at ``url``, created when missing (one per URL and process)."""
    if url not in _factories:
        engine = create_db_engine(url)
        upgrade(engine)
        _factories[url] = sessionmaker(engine, expire_on_commit=False)
    return _factories[url]


def reading_sessions(url: str = DEFAULT_DATABASE_URL) -> sessionmaker[Session]:
    """A session factory for an existing, current archive at ``url``; ``ArchiveUnavailableError``
    (saying which command fixes it) for a missing file, an empty database or an older schema."""
    if url not in _factories:
        _factories[url] = sessionmaker(existing_engine(url), expire_on_commit=False)
    return _factories[url]


def existing_engine(url: str) -> Engine:
    """A new engine on the existing, current archive at ``url`` (``ArchiveUnavailableError`` otherwise)."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise ArchiveUnavailableError(f"no archive at {path}; run `python -m archive migrate` (or a crawl) to make one")
    engine = create_db_engine(url, create=False)
    revision = current_revision(engine)
    if revision is None:
        has_tables = bool(inspect(engine).get_table_names())
        engine.dispose()
        what = "a database that is not an archive" if has_tables else "an empty database"
        raise ArchiveUnavailableError(f"{shown(url)} is {what}; run `python -m archive migrate` to create the archive")
    if revision != SCHEMA_REVISION:
        engine.dispose()
        head = head_revision()
        raise ArchiveUnavailableError(
            f"the archive at {shown(url)} has schema revision {revision}, this version needs {head}: "
            "run `python -m archive migrate` (back it up first)"
        )
    return engine
