"""Alembic's entry point for Stalker's revisions.

``stalker.migrations.runner`` passes a connection that is already inside the
one transaction of the whole command (``config.attributes["connection"]``), so
nothing here commits.  Run by the plain ``alembic`` tool instead (an ini file
with ``script_location = stalker:migrations`` and ``sqlalchemy.url``), it opens
that transaction itself the same way.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from stalker.migrations.runner import context_options, migration_connection


def run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **context_options(connection))
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        raise RuntimeError(
            "stalker.migrations: offline (--sql) mode is not supported; run the "
            "migrations against the database"
        )
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    with migration_connection(url) as own_connection:
        run_migrations(own_connection)


main()
