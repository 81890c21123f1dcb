"""Bulk statements handed straight to the DB-API driver.

SQLAlchemy prepares the parameters of every row in Python (bind processors,
parameter dictionaries, defaults).  For tens of thousands of rows that costs
more than the database's own work, so the bulk paths (the bulk flush, the
scheduling write-back) compile a statement once, convert the values with the
columns' own bind processors, and give the driver one ``executemany``.
"""

from __future__ import annotations

import functools
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, bindparam


class BindConverter:
    """A column type's bind processor for one dialect, as a plain function.

    With ``remember`` each distinct value is converted once: computed dates
    fall on resolution steps, so thousands of rows share a few hundred
    values.  Leave it off for unique or unhashable values (names, JSON).
    """

    def __init__(self, column: Any, dialect: Dialect, remember: bool = True) -> None:
        self.processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        self.seen: dict[Any, Any] | None = {} if remember else None

    def __call__(self, value: Any) -> Any:
        if self.processor is None:
            return value
        if self.seen is None:
            return self.processor(value)
        converted = self.seen.get(value, self)
        if converted is self:
            converted = self.seen[value] = self.processor(value)
        return converted


def executemany(
    connection: Connection, statement: Any, rows: list[dict[str, Any]]
) -> None:
    """Run ``statement`` once per row of driver-ready values, as one executemany.

    The rows' keys are the statement's bind parameter names and their values
    are already converted (see :class:`BindConverter`): nothing is processed
    per row on the way to the driver.
    """
    if rows:
        compiled = statement.compile(dialect=connection.dialect)
        names = compiled.positiontup if compiled.positional else None
        _send(connection, compiled.string, names, rows)


def insert_rows(
    connection: Connection, table: Table, keys: tuple[str, ...], rows: list[Any]
) -> None:
    """INSERT ``rows`` (dicts holding exactly ``keys``) into ``table`` at once.

    Values are converted by the columns' bind processors here.  The compiled
    statement and the converters are kept per table, columns and dialect: a
    publish inserts one version into four tables, and compiling those four
    statements again every time cost more than running them.
    """
    if not rows:
        return
    sql, names, converters = _prepared_insert(table, keys, connection.dialect)
    for row in rows:
        for key, convert in converters:
            row[key] = convert(row[key])
    _send(connection, sql, names, rows)


@functools.lru_cache(maxsize=512)
def _prepared_insert(
    table: Table, keys: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[str, ...] | None, tuple[tuple[str, BindConverter], ...]]:
    statement = table.insert().values({key: bindparam(key) for key in keys})
    compiled = statement.compile(dialect=dialect)
    converters = (
        (key, BindConverter(table.c[key], dialect, remember=False)) for key in keys
    )
    return (
        compiled.string,
        tuple(compiled.positiontup or ()) if compiled.positional else None,
        tuple((key, c) for key, c in converters if c.processor is not None),
    )


def _send(
    connection: Connection,
    sql: str,
    names: Any,
    rows: list[dict[str, Any]],
) -> None:
    """``rows`` to the driver: tuples in ``names`` order for positional styles."""
    parameters: list[Any] = rows
    if names:
        values = itemgetter(*names)  # one name gives a value, not a tuple
        parameters = (
            [tuple(values(row)) for row in rows]
            if len(names) > 1
            else [(values(row),) for row in rows]
        )
    connection.exec_driver_sql(sql, parameters)
