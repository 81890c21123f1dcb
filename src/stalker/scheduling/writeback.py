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
    Dialect,
    Table,
    bindparam,
    delete,
    insert,
    inspect,
    update,
)

from stalker.db.driver import BindConverter, executemany
from stalker.scheduling.data import ScheduleData, table

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
    target: Table, dialect: Dialect, rows: Iterable[ComputedSchedule]
) -> list[dict[str, Any]]:
    moment = BindConverter(target.c.start, dialect)
    span = BindConverter(target.c.duration, dialect)
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
    """Set start/end/duration and the computed start/end, one statement per row."""
    if not computed:
        return
    target = table(table_name)
    statement = (
        update(target)
        .where(target.c.id == bindparam("_id"))
        .values(
            start=bindparam("_start"),
            end=bindparam("_end"),
            duration=bindparam("_duration"),
            computed_start=bindparam("_start"),
            computed_end=bindparam("_end"),
        )
    )
    rows = _date_rows(target, session.get_bind().dialect, computed)
    executemany(session.connection(), statement, rows)


def _allowed_resources(data: ScheduleData, task_id: int) -> set[int]:
    return set(data.resources.get(task_id, ())) | set(
        data.alternatives.get(task_id, ())
    )


def _replace_computed_resources(
    session: Any, data: ScheduleData, task_rows: Sequence[ComputedSchedule]
) -> None:
    """Keep only users the engine chose that are still resources or alternatives."""
    link = table("Task_Computed_Resources")
    executemany(
        session.connection(),
        delete(link).where(link.c.task_id == bindparam("_id")),
        [{"_id": row.entity_id} for row in task_rows],
    )
    pairs = []
    for row in task_rows:
        allowed = _allowed_resources(data, row.entity_id)
        chosen = dict.fromkeys(row.resource_ids or ())  # ordered, no repeats
        pairs.extend(
            {"_task": row.entity_id, "_user": user_id}
            for user_id in chosen
            if user_id in allowed
        )
    statement = insert(link).values(
        task_id=bindparam("_task"), resource_id=bindparam("_user")
    )
    executemany(session.connection(), statement, pairs)


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
