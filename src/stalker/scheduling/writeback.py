"""Store computed dates and resources in bulk, all or nothing.

The rows go straight to the tables with executemany ``UPDATE``/``INSERT``
statements inside a SAVEPOINT: a failure half-way leaves every task with its
previous schedule.  ORM objects of the session that were touched are expired
so they show the new values on their next access.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    DateTime,
    Dialect,
    Interval,
    Table,
    bindparam,
    delete,
    insert,
    inspect,
    update,
)
from sqlalchemy.types import TypeDecorator

from stalker.scheduling.data import ScheduleData, table

_CHUNK = 500
_DATE_ATTRIBUTES = ("_start", "_end", "_duration", "computed_start", "computed_end")


@dataclass(frozen=True, slots=True)
class ComputedSchedule:
    """What an engine computed for one task or project.

    ``resource_ids`` is None when the engine did not compute resources.
    """

    entity_id: int
    start: datetime.datetime
    end: datetime.datetime
    resource_ids: tuple[int, ...] | None = None


class _ConvertedDateTime(TypeDecorator[Any]):
    """A datetime the column type already converted for the driver."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


class _ConvertedInterval(TypeDecorator[Any]):
    """A timedelta the column type already converted for the driver."""

    impl = Interval()
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


class _Converter:
    """Converts values with a column type's bind processor, once per value.

    tj3's dates fall on resolution steps, so thousands of rows share a few
    hundred values; converting each row through SQLAlchemy would be the
    slowest part of the write-back.
    """

    def __init__(self, column: Any, dialect: Dialect) -> None:
        self.processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        self.seen: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        converted = self.seen.get(value, self)
        if converted is self:
            converted = self.seen[value] = (
                self.processor(value) if self.processor else value
            )
        return converted


def _date_rows(
    target: Table, dialect: Dialect, rows: Iterable[ComputedSchedule]
) -> list[dict[str, Any]]:
    moment = _Converter(target.c.start, dialect)
    span = _Converter(target.c.duration, dialect)
    return [
        {
            "_id": row.entity_id,
            "_start": moment(row.start),
            "_end": moment(row.end),
            "_duration": span(row.end - row.start),
        }
        for row in rows
    ]


def _update_dates(
    session: Any, table_name: str, computed: Sequence[ComputedSchedule]
) -> None:
    """Set start/end/duration per row, then copy start/end to the computed pair."""
    if not computed:
        return
    target = table(table_name)
    rows = _date_rows(target, session.get_bind().dialect, computed)
    statement = (
        update(target)
        .where(target.c.id == bindparam("_id"))
        .values(
            start=bindparam("_start", type_=_ConvertedDateTime()),
            end=bindparam("_end", type_=_ConvertedDateTime()),
            duration=bindparam("_duration", type_=_ConvertedInterval()),
        )
    )
    session.execute(statement, rows)
    ids = [row.entity_id for row in computed]
    copy = update(target).values(
        computed_start=target.c.start, computed_end=target.c.end
    )
    for first in range(0, len(ids), _CHUNK):
        session.execute(copy.where(target.c.id.in_(ids[first : first + _CHUNK])))


def _allowed_resources(data: ScheduleData, task_id: int) -> set[int]:
    return set(data.resources.get(task_id, ())) | set(
        data.alternatives.get(task_id, ())
    )


def _replace_computed_resources(
    session: Any, data: ScheduleData, task_rows: Sequence[ComputedSchedule]
) -> None:
    """Keep only users the engine chose that are still resources or alternatives."""
    link = table("Task_Computed_Resources")
    task_ids = [row.entity_id for row in task_rows]
    for start in range(0, len(task_ids), _CHUNK):
        chunk = task_ids[start : start + _CHUNK]
        session.execute(delete(link).where(link.c.task_id.in_(chunk)))
    pairs = []
    for row in task_rows:
        allowed = _allowed_resources(data, row.entity_id)
        chosen = dict.fromkeys(row.resource_ids or ())  # ordered, no repeats
        pairs.extend(
            {"task_id": row.entity_id, "resource_id": user_id}
            for user_id in chosen
            if user_id in allowed
        )
    if pairs:
        session.execute(insert(link), pairs)


def _expire_loaded(session: Any, ids: set[int], attributes: Sequence[str]) -> None:
    """Expire already-loaded objects among ``ids`` so they reload the new rows."""
    for obj in list(session.identity_map.values()):
        identity = inspect(obj).identity
        if identity and identity[0] in ids:
            names = [name for name in attributes if hasattr(type(obj), name)]
            if names:
                session.expire(obj, names)


def write_back(
    session: Any,
    data: ScheduleData,
    computed: Sequence[ComputedSchedule],
    compute_resources: bool = False,
) -> None:
    """Write ``computed`` dates to the Tasks and Projects rows, in one SAVEPOINT.

    ``start``/``end`` and ``computed_start``/``computed_end`` both take the
    computed dates (``duration`` follows).  With ``compute_resources`` the
    computed resources of the written tasks are replaced.  Ids that are
    neither a gathered task nor a project of the run are ignored.
    """
    projects = set(data.project_ids)
    task_rows = [row for row in computed if row.entity_id in data.tasks]
    project_rows = [row for row in computed if row.entity_id in projects]
    with session.begin_nested():
        _update_dates(session, "Tasks", task_rows)
        _update_dates(session, "Projects", project_rows)
        if compute_resources:
            _replace_computed_resources(session, data, task_rows)
    written = {row.entity_id for row in (*task_rows, *project_rows)}
    attributes = _DATE_ATTRIBUTES
    if compute_resources:
        attributes += ("_computed_resources",)
    _expire_loaded(session, written, attributes)
