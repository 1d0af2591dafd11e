"""Alembic environment: migrations run on the connection handed over by
``archive.database.migrate`` or, from Alembic's own command line (``alembic upgrade head``
with the project's ``alembic.ini``), on ``$DATABASE_URL`` (default ``sqlite:///data/archive.db``)."""

import os

from alembic import context

from archive.database import DEFAULT_DATABASE_URL, create_db_engine
from archive.fulltext import outside_models
from archive.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=outside_models
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    engine = create_db_engine(url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":  # as archive.database.migrate: tables are copied to change a column
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=outside_models
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
