"""Reading a database of the original Stalker, read-only, with plain SQL.

The original package is never imported: its tables are listed by reflection
and read with ``SELECT *``, so values arrive as the database stores them
(SQLite dates as text, for instance) and are converted by :mod:`.convert`.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

Rows = list[dict[str, Any]]

#: Alembic revisions the original Stalker stamps, by generation.
GENERATIONS = {"bf67e6a234b4": "0.2", "9f9b88fef376": "1.1"}

#: What to call a generation in messages and reports.
GENERATION_NAMES = {"0.2": "Stalker 0.2.28", "1.1": "Stalker 1.1.2.1"}


@dataclass
class Source:
    """Every row of the source database, table by table."""

    generation: str
    revision: str | None
    tables: dict[str, Rows] = field(default_factory=dict)
    #: The highest id each table's sequence has handed out (PostgreSQL and
    #: SQLite AUTOINCREMENT), which may exceed the highest id still present.
    high_water: dict[str, int] = field(default_factory=dict)


def source_engine(url: str) -> Engine:
    """An engine that cannot write: SQLite opened with ``mode=ro``."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed)
    path = parsed.database
    if not path or path == ":memory:":
        raise ValueError(
            "stalker.migrations.legacy: the source should be a database file "
            f"of the original Stalker, not an in-memory SQLite ({url!r})"
        )
    if not os.path.isfile(path):
        raise ValueError(
            f"stalker.migrations.legacy: the source database file {path!r} "
            "does not exist"
        )
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    return create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))


def read_source(url: str) -> Source:
    """Read every table of the original Stalker's database at ``url``."""
    engine = source_engine(url)
    try:
        with engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET TRANSACTION READ ONLY"))
            inspector = inspect(connection)
            names = inspector.get_table_names()
            tables = {name: _read_table(connection, name) for name in names}
            revision, generation = _generation(tables)
            source = Source(generation, revision, tables)
            with_id = [
                name
                for name in names
                if any(c["name"] == "id" for c in inspector.get_columns(name))
            ]
            source.high_water = _high_water(connection, with_id)
    finally:
        engine.dispose()
    return source


def _read_table(connection: Connection, name: str) -> Rows:
    result = connection.exec_driver_sql(f'SELECT * FROM "{name}"')
    return [dict(row) for row in result.mappings()]


def _generation(tables: dict[str, Rows]) -> tuple[str | None, str]:
    stamps = [row["version_num"] for row in tables.get("alembic_version", [])]
    revision = stamps[0] if len(stamps) == 1 else None
    if revision in GENERATIONS:
        return revision, GENERATIONS[revision]
    if revision is None and "SimpleEntities" in tables:
        # An unstamped original database: its tables tell the generation.
        return None, "1.1" if "Files" in tables else "0.2"
    raise ValueError(
        "stalker.migrations.legacy: the source should be a database of the "
        "original Stalker 0.2.28 (revision 'bf67e6a234b4') or 1.1.x "
        f"('9f9b88fef376'), but it is stamped {stamps!r}"
        + (
            "; it holds no Stalker tables"
            if "SimpleEntities" not in tables
            else "; a database of this stalker is upgraded with "
            "`python -m stalker.migrations upgrade`, not moved"
        )
    )


def _high_water(connection: Connection, names: list[str]) -> dict[str, int]:
    if connection.dialect.name == "sqlite":
        found = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchall()
        if not found:
            return {}
        result = connection.exec_driver_sql("SELECT name, seq FROM sqlite_sequence")
        return {str(name): int(seq) for name, seq in result}
    if connection.dialect.name != "postgresql":
        return {}
    marks: dict[str, int] = {}
    for name in names:
        sequence = serial_sequence(connection, name)
        if sequence is None:
            continue
        last, called = connection.execute(
            text(f"SELECT last_value, is_called FROM {sequence}")
        ).one()
        if called:
            marks[name] = int(last)
    return marks


def serial_sequence(connection: Connection, table_name: str) -> str | None:
    """The PostgreSQL sequence behind ``table_name.id`` (None: not a serial)."""
    return connection.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"),
        {"table": f'"{table_name}"'},
    ).scalar()
