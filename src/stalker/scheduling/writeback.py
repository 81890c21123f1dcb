"""Store computed dates and resources in bulk, all or nothing.

The rows go straight to the tables inside a SAVEPOINT (a failure half-way
leaves every task with its previous schedule): on PostgreSQL one statement
per table over ``unnest`` arrays, on SQLite executemany ``UPDATE``/``INSERT``
statements.  ORM objects of the session that were touched are expired
so they show the new values on their next access.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Dialect,
    Table,
    bindparam,
    insert,
    inspect,
    update,
)

from stalker.db.driver import BindConverter, executemany
from stalker.scheduling.data import ScheduleData, table
from stalker.utils import cycle_collector_paused

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


def _date_rows(
    target: Table,
    dialect: Dialect,
    rows: Iterable[ComputedSchedule],
    data: ScheduleData | None = None,
) -> list[dict[str, Any]]:
    """Bind values; a task's pinned start/end stay as they are (its constraint).

    Computed dates fall on resolution steps: each distinct date and duration
    is converted once, then looked up.
    """
    moment = BindConverter(target.c.start, dialect, remember=False)
    span = BindConverter(target.c.duration, dialect, remember=False)
    dates: dict[datetime.datetime, Any] = {}
    spans: dict[datetime.timedelta, Any] = {}
    tasks = data.tasks if data is not None else {}

    def date(value: datetime.datetime) -> Any:
        converted = dates.get(value)
        if converted is None:
            converted = dates[value] = moment(value)
        return converted

    values = []
    for row in rows:
        start, end = row.start, row.end
        computed_start, computed_end = date(start), date(end)
        written_start, written_end = computed_start, computed_end
        task = tasks.get(row.entity_id)
        if task is not None and task.constraint:
            start = task.pinned_start or start
            end = task.pinned_end or end
            written_start, written_end = date(start), date(end)
        duration = end - start
        converted = spans.get(duration)
        if converted is None:
            converted = spans[duration] = span(duration)
        values.append(
            {
                "_id": row.entity_id,
                "_start": written_start,
                "_end": written_end,
                "_duration": converted,
                "_computed_start": computed_start,
                "_computed_end": computed_end,
            }
        )
    return values


def check_constraints(data: ScheduleData, computed: Iterable[ComputedSchedule]) -> None:
    """Refuse a plan that starts a task before its pinned start or ends it after
    its pinned end, naming the task by its path (whichever engine planned it).
    """
    from stalker.scheduling.engine import as_utc, constraint_error

    for row in computed:
        task = data.tasks.get(row.entity_id)
        if task is None or not task.constraint:
            continue
        start, end = task.pinned_start, task.pinned_end
        if start is not None and as_utc(row.start) < as_utc(start):
            what = f"would start {_text(row.start)}, before its pinned start"
            raise constraint_error(data, row.entity_id, f"{what} {_text(start)}")
        if end is not None and as_utc(row.end) > as_utc(end):
            what = f"cannot end by its pinned end {_text(end)}"
            raise constraint_error(
                data, row.entity_id, f"{what}: its work ends {_text(row.end)}"
            )


def _text(moment: datetime.datetime) -> str:
    from stalker.scheduling.engine import as_utc

    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def _update_dates(
    session: Any,
    table_name: str,
    computed: Sequence[ComputedSchedule],
    data: ScheduleData | None = None,
) -> None:
    """Set start/end/duration and the computed start/end of every row.

    PostgreSQL gets one ``UPDATE ... FROM unnest(arrays)`` statement (one
    round trip whatever the number of rows); SQLite, in process, an
    executemany by primary key.
    """
    if not computed:
        return
    target = table(table_name)
    connection = session.connection()
    rows = _date_rows(target, connection.dialect, computed, data)
    if connection.dialect.name == "postgresql":
        _update_from_arrays(connection, target, rows)
        return
    statement = (
        update(target)
        .where(target.c.id == bindparam("_id"))
        .values(
            start=bindparam("_start"),
            end=bindparam("_end"),
            duration=bindparam("_duration"),
            computed_start=bindparam("_computed_start"),
            computed_end=bindparam("_computed_end"),
        )
    )
    executemany(connection, statement, rows)


#: The written columns, their bind keys and PostgreSQL array types.
_DATE_COLUMNS = (
    ("start", "_start", "timestamptz"),
    ("end", "_end", "timestamptz"),
    ("duration", "_duration", "interval"),
    ("computed_start", "_computed_start", "timestamptz"),
    ("computed_end", "_computed_end", "timestamptz"),
)


def _update_from_arrays(
    connection: Any, target: Table, rows: list[dict[str, Any]]
) -> None:
    quote = connection.dialect.identifier_preparer.quote
    columns = [(quote(name), key, kind) for name, key, kind in _DATE_COLUMNS]
    arrays = ", ".join(f"%({key})s::{kind}[]" for _, key, kind in columns)
    names = ", ".join(name for name, _, _ in columns)
    sets = ", ".join(f"{name} = v.{name}" for name, _, _ in columns)
    sql = (
        f"UPDATE {quote(target.name)} SET {sets} "
        f"FROM unnest(%(_id)s::integer[], {arrays}) AS v(id, {names}) "
        f"WHERE {quote(target.name)}.id = v.id"
    )
    parameters = {"_id": _array_text(str(row["_id"]) for row in rows)}
    texts: dict[Any, str] = {}  # each distinct value written out once
    for _, key, kind in columns:
        text = _interval_text if kind == "interval" else _moment_text
        values = []
        for row in rows:
            value = row[key]
            found = texts.get(value)
            if found is None:
                found = texts[value] = text(value)
            values.append(found)
        parameters[key] = _array_text(values)
    connection.exec_driver_sql(sql, parameters)


def _array_text(items: Iterable[str]) -> str:
    """A PostgreSQL array literal: one string the server parses in C.

    psycopg adapts a list of datetimes element by element in Python, which
    took longer than the UPDATE itself.
    """
    return "{" + ",".join(items) + "}"


def _moment_text(value: datetime.datetime) -> str:
    return value.isoformat()  # aware: the bind processor refuses naive values


def _interval_text(value: datetime.timedelta) -> str:
    # psycopg's own format, read the same whatever IntervalStyle is
    return (
        f'"{value.days:+d} day {value.seconds:+d} second '
        f'{value.microseconds:+d} microsecond"'
    )


def _replace_computed_resources(
    session: Any, data: ScheduleData, task_rows: Sequence[ComputedSchedule]
) -> None:
    """Keep only users the engine chose that are still resources or alternatives."""
    link = table("Task_Computed_Resources")
    connection = session.connection()
    pairs: list[dict[str, int]] = []
    resources, alternatives = data.resources, data.alternatives
    for row in task_rows:
        if not row.resource_ids:
            continue
        task_id = row.entity_id
        allowed = resources.get(task_id, ())
        others = alternatives.get(task_id, ())
        pairs.extend(
            {"_task": task_id, "_user": user_id}
            for user_id in dict.fromkeys(row.resource_ids)  # ordered, no repeats
            if user_id in allowed or user_id in others
        )
    name = connection.dialect.identifier_preparer.quote(link.name)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"DELETE FROM {name} WHERE task_id = ANY(%(ids)s::integer[])",
            {"ids": _array_text(str(row.entity_id) for row in task_rows)},
        )
        if pairs:
            connection.exec_driver_sql(
                f"INSERT INTO {name} (task_id, resource_id) "
                "SELECT * FROM unnest(%(tasks)s::integer[], %(users)s::integer[])",
                {
                    "tasks": _array_text(str(pair["_task"]) for pair in pairs),
                    "users": _array_text(str(pair["_user"]) for pair in pairs),
                },
            )
        return
    # one statement over a JSON array of the ids, not a DELETE per task
    connection.exec_driver_sql(
        f"DELETE FROM {name} WHERE task_id IN (SELECT value FROM json_each(?))",
        (json.dumps([row.entity_id for row in task_rows]),),
    )
    statement = insert(link).values(
        task_id=bindparam("_task"), resource_id=bindparam("_user")
    )
    executemany(connection, statement, pairs)


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
    computed dates (``duration`` follows), except the dates a task's
    ``schedule_constraint`` pins: those are inputs and stay.  A plan that
    misses a pinned date raises :class:`~stalker.scheduling.ConstraintError`
    and writes nothing.  With ``compute_resources`` the computed resources of
    the written tasks are replaced.  Ids that are neither a gathered task nor
    a project of the run are ignored.
    """
    with cycle_collector_paused():
        _write_back(session, data, computed, compute_resources)


def _write_back(
    session: Any,
    data: ScheduleData,
    computed: Sequence[ComputedSchedule],
    compute_resources: bool,
) -> None:
    projects = set(data.project_ids)
    task_rows = [row for row in computed if row.entity_id in data.tasks]
    project_rows = [row for row in computed if row.entity_id in projects]
    check_constraints(data, task_rows)
    with session.begin_nested():
        if compute_resources:  # first: its key checks find the rows not yet updated
            _replace_computed_resources(session, data, task_rows)
        _update_dates(session, "Tasks", task_rows, data)
        _update_dates(session, "Projects", project_rows)
    written = {row.entity_id for row in (*task_rows, *project_rows)}
    attributes: tuple[str, ...] = _DATE_ATTRIBUTES
    if compute_resources:
        attributes += ("_computed_resources",)
    _expire_loaded(session, written, attributes)
