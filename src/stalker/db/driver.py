"""Bulk statements handed straight to the DB-API driver.

SQLAlchemy prepares the parameters of every row in Python (bind processors,
parameter dictionaries, defaults).  For tens of thousands of rows that costs
more than the database's own work, so the bulk paths (the bulk flush, the
scheduling write-back) compile a statement once, convert the values with the
columns' own bind processors, and give the driver one ``executemany``.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect


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
    if not rows:
        return
    compiled = statement.compile(dialect=connection.dialect)
    names = compiled.positiontup
    parameters: list[Any] = rows
    if compiled.positional and names:
        values = itemgetter(*names)  # one name gives a value, not a tuple
        parameters = (
            [tuple(values(row)) for row in rows]
            if len(names) > 1
            else [(values(row),) for row in rows]
        )
    connection.exec_driver_sql(compiled.string, parameters)
