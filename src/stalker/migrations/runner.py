"""Run our Alembic revisions from Python, with no ``alembic.ini`` anywhere.

Every command builds its Alembic ``Config`` in code (``script_location`` is this
package) and hands ``env.py`` one connection, already inside one transaction,
through ``config.attributes["connection"]``.  The transaction covers the whole
command, so a revision that fails part-way leaves the database at the revision
it had before, on PostgreSQL (transactional DDL) and on SQLite alike (the engine
emits BEGIN itself, see ``stalker.db._configure_sqlite``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, inspect, text

from stalker.exceptions import StalkerError

#: The folder holding ``env.py`` and ``versions/`` (shipped as package data).
MIGRATIONS_DIR = Path(__file__).resolve().parent

#: The first revision: the schema as it was before migrations existed.
FIRST_REVISION = "stalker_0001"

#: Revisions the original Stalker stamps; such databases need the legacy move.
LEGACY_REVISIONS = {
    "bf67e6a234b4": "Stalker 0.2.28",
    "9f9b88fef376": "Stalker 1.1.2.1",
}

#: The documented way to bring a database of the original Stalker over.
LEGACY_MOVE_COMMAND = (
    "python -m stalker.migrations move-legacy --source URL --target URL"
)

#: Serialises concurrent upgrades of one PostgreSQL database (any constant).
_PG_LOCK_KEY = 0x5354414C4B4552

#: What the commands accept as a database: a URL, ``sqlalchemy.*`` settings,
#: an Engine, or None for ``stalker.defaults.database_engine_settings``.
Target = str | Mapping[str, Any] | Engine | None


class SchemaVersionError(StalkerError, ValueError):
    """The database's schema revision is not the one this code works with."""


class RevisionInfo(NamedTuple):
    """One revision of the chain, as :func:`history` lists it."""

    revision: str
    down_revision: str | None
    message: str


def make_config(connection: Connection | None = None) -> Any:
    """An Alembic ``Config`` for our revisions; ``env.py`` uses ``connection``."""
    from alembic.config import Config

    config = Config()
    # ConfigParser interpolates '%': a path holding one must be escaped.
    location = str(MIGRATIONS_DIR).replace("%", "%%")
    config.set_main_option("script_location", location)
    config.set_main_option("path_separator", "os")  # for version_locations
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def script_directory() -> Any:
    """Alembic's view of ``versions/``."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(make_config())


def head() -> str:
    """The newest revision: the schema this code works with."""
    heads = script_directory().get_heads()
    if len(heads) != 1:
        raise RuntimeError(
            f"stalker.migrations should have one head revision, found {heads!r}: "
            "every revision must revise the previous one (a linear chain)"
        )
    return str(heads[0])


def known_revisions() -> list[str]:
    """Every revision id of the chain, oldest first."""
    return [info.revision for info in history()]


def history() -> list[RevisionInfo]:
    """The revisions, oldest first."""
    scripts = list(script_directory().walk_revisions())
    scripts.reverse()
    return [
        RevisionInfo(
            script.revision,
            _single(script.down_revision),
            (script.doc or "").strip(),
        )
        for script in scripts
    ]


def _single(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ", ".join(value)


def _settings(target: Target) -> dict[str, Any]:
    import stalker

    if target is None:
        return dict(stalker.defaults.database_engine_settings)
    if isinstance(target, str):
        return {"sqlalchemy.url": target}
    if isinstance(target, Mapping):
        return dict(target)
    raise TypeError(
        "stalker.migrations: the database should be a URL (str), a dict of "
        "sqlalchemy.* settings or an Engine, not "
        f"{type(target).__name__} {target!r}"
    )


@contextlib.contextmanager
def _engine(target: Target) -> Iterator[Engine]:
    if isinstance(target, Engine):
        yield target
        return
    from stalker.db import create_engine_from_settings

    engine = create_engine_from_settings(_settings(target))
    try:
        yield engine
    finally:
        engine.dispose()


def _driver_execute(connection: Connection, statement: str) -> None:
    """Run ``statement`` outside any transaction (SQLite PRAGMAs need that)."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def _require_stalker_sqlite(connection: Connection) -> None:
    """Our SQLite engines emit BEGIN themselves; DDL is only atomic with that."""
    driver = connection.connection.driver_connection
    if getattr(driver, "isolation_level", None) is not None:
        raise ValueError(
            "stalker.migrations: this SQLite engine lets the sqlite3 driver "
            "manage transactions, so a failed revision could not be rolled "
            "back; build it with stalker.db.create_engine_from_settings(), or "
            "pass the URL instead"
        )


_SQLITE_LOCK_TABLE = "_stalker_migration_lock"


def _take_lock(connection: Connection) -> None:
    """Let only one process migrate a database at a time; others wait.

    SQLite: the first statement of the transaction must be a write, or a
    waiting process would find its read snapshot stale once it got the lock;
    a table created (and dropped again) inside the transaction is such a write.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
        )
    elif connection.dialect.name == "sqlite":
        from stalker.db import session as db_session

        connection.exec_driver_sql(f'CREATE TABLE "{_SQLITE_LOCK_TABLE}" (id INTEGER)')
        # Tell the session layer the lock is held: it would otherwise take it
        # again through a table (SimpleEntities) a migration may have dropped.
        connection.info[db_session._LOCKED_BY] = connection.get_transaction()


def _release_lock(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f'DROP TABLE "{_SQLITE_LOCK_TABLE}"')


def _check_foreign_keys(connection: Connection) -> None:
    """SQLite: foreign keys are off while tables are rebuilt; verify them after."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        sample = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:5])
        raise ValueError(
            f"stalker.migrations: the migration left {len(broken)} rows whose "
            f"foreign keys point nowhere ({sample}); nothing was changed"
        )


@contextlib.contextmanager
def migration_connection(
    target: Target = None, lock: bool = True
) -> Iterator[Connection]:
    """One connection inside one transaction, committed only if the block succeeds.

    On SQLite, foreign keys are switched off for the duration (batch operations
    copy and rename tables, which enforcement would refuse or rewrite) and every
    foreign key is checked before the commit, as SQLite's documentation advises.
    """
    with _engine(target) as engine, engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _require_stalker_sqlite(connection)
            _driver_execute(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if lock:
                    _take_lock(connection)
                yield connection
                if lock:
                    _release_lock(connection)
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                _driver_execute(connection, "PRAGMA foreign_keys=ON")


def current_revision(connection: Connection) -> str | None:
    """The revision stamped in the database, or None if there is none."""
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(connection).get_current_heads()
    if len(heads) > 1:
        raise SchemaVersionError(
            f"the database is stamped with several revisions {heads!r}; "
            "stalker's revisions form one chain, so it was not made by stalker"
        )
    return heads[0] if heads else None


def stalker_table_names() -> set[str]:
    """The tables of Stalker's own classes (not of classes users add)."""
    from stalker.db.declarative import Base

    names: set[str] = set()
    for mapper in Base.registry.mappers:
        if not mapper.class_.__module__.startswith("stalker."):
            continue
        names.update(table.name for table in mapper.tables)
        for relationship in mapper.relationships:
            secondary = relationship.secondary
            if secondary is not None and hasattr(secondary, "name"):
                names.add(secondary.name)
    return names


def _user_tables() -> set[str]:
    """Tables of classes users map on our Base: not ours to migrate."""
    from stalker.db.declarative import Base

    return set(Base.metadata.tables) - stalker_table_names()


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave users' own tables (and their columns and indexes) out of our revisions."""
    if type_ == "table":
        if name == _SQLITE_LOCK_TABLE:
            return False
        table_name = name
    else:
        table_name = getattr(getattr(obj, "table", None), "name", None)
    return table_name not in _user_tables()


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Autogenerate writes our column types as plain SQLAlchemy ones (frozen)."""
    from sqlalchemy import JSON

    from stalker.db.types import DateTimeUTC

    if type_ != "type":
        return False
    if isinstance(obj, DateTimeUTC):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, JSON) and "sqlite" in getattr(obj, "_variant_mapping", {}):
        return 'sa.JSON().with_variant(sa.Text(), "sqlite")'
    return False


def compare_type(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: Any,
    metadata_type: Any,
) -> bool | None:
    """PostgreSQL stores ``Float(precision<=24)`` as REAL: not a change."""
    from sqlalchemy import REAL, Float

    precision = getattr(metadata_type, "precision", None)
    if (
        context.dialect.name == "postgresql"
        and isinstance(inspected_type, REAL)
        and isinstance(metadata_type, Float)
        and precision is not None
        and precision <= 24
    ):
        return False
    return None  # Alembic's own comparison decides


def context_options(connection: Connection) -> dict[str, Any]:
    """How Alembic runs and compares our revisions (``env.py`` and the tests).

    One transaction for the whole command (``transaction_per_migration`` off,
    DDL transactional on SQLite too, which our engines make true), and table
    copies (batch mode) on SQLite, which cannot alter most things in place.
    """
    import stalker  # noqa: F401  (maps every class of the object model)
    from stalker.db.declarative import Base

    return {
        "target_metadata": Base.metadata,
        "render_as_batch": connection.dialect.name == "sqlite",
        "transactional_ddl": True,
        "transaction_per_migration": False,
        "compare_type": compare_type,
        "compare_server_default": True,
        "include_object": include_object,
        "render_item": render_item,
    }


def has_stalker_tables(connection: Connection) -> bool:
    """Whether any of Stalker's tables already exists in the database."""
    existing = set(inspect(connection).get_table_names())
    return bool(existing & stalker_table_names())


def revision_problem(current: str | None) -> str | None:
    """Why code at :func:`head` cannot use a database at ``current`` (or None)."""
    wanted = head()
    if current is None or current == wanted:
        return None
    if current in LEGACY_REVISIONS:
        return (
            f"the database was made by the original {LEGACY_REVISIONS[current]} "
            f"(schema revision {current!r}); its schema is not ours, so it "
            "cannot be upgraded in place: move it into a new database with "
            f"`{LEGACY_MOVE_COMMAND}` (or stalker.migrations.legacy from Python)"
        )
    if current not in known_revisions():
        return (
            f"the database is at schema revision {current!r}, which this version "
            f"of stalker (head {wanted!r}) does not know: it was made by a newer "
            "or a different stalker; use that version, nothing was changed"
        )
    return (
        f"the database is at schema revision {current!r} but this version of "
        f"stalker needs {wanted!r}: upgrade it from Python with "
        f"stalker.db.upgrade(settings_or_url, 'head'), from the command line with "
        "`python -m stalker.migrations upgrade head --url URL`, or let setup() "
        'do it by passing {"stalker.auto_upgrade": True} in its settings '
        "(back the database up first)"
    )


def unstamped_problem() -> str:
    """Why a database with Stalker tables but no revision is refused."""
    return (
        "the database holds Stalker tables but no schema revision (its "
        "alembic_version table is missing or empty), so stalker cannot tell "
        "which schema it has: if the original Stalker made it, move it with "
        f"`{LEGACY_MOVE_COMMAND}`; if this stalker made it before setup() "
        f"stamped databases (schema {FIRST_REVISION!r}), record that with "
        f"`python -m stalker.migrations stamp {FIRST_REVISION} --url URL` "
        f"or stalker.db.stamp(url, {FIRST_REVISION!r}); nothing was changed"
    )


def _run(command_name: str, target: Target, *args: Any) -> None:
    from alembic import command

    with migration_connection(target) as connection:
        if command_name != "stamp":
            revision = current_revision(connection)
            _refuse_unknown_revision(revision)
            if revision is None and has_stalker_tables(connection):
                raise SchemaVersionError(unstamped_problem())
        getattr(command, command_name)(make_config(connection), *args)


def _refuse_unknown_revision(revision: str | None) -> None:
    """Alembic's own error for a revision it lacks does not say what to do."""
    if revision is not None and revision not in known_revisions():
        raise SchemaVersionError(revision_problem(revision) or revision)


def upgrade(target: Target = None, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` in one transaction."""
    _run("upgrade", target, revision)


def downgrade(target: Target = None, revision: str = "-1") -> None:
    """Downgrade the database to ``revision`` (default: one step) in one transaction."""
    _run("downgrade", target, revision)


def stamp(target: Target = None, revision: str = "head") -> None:
    """Record ``revision`` in the database without running any migration."""
    _run("stamp", target, revision)


def current(target: Target = None) -> str | None:
    """The revision the database is at, or None for an unstamped database."""
    with migration_connection(target, lock=False) as connection:
        return current_revision(connection)
