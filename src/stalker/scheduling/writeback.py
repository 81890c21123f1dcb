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
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    bindparam,
    insert,
    inspect,
)
from sqlalchemy.exc import DBAPIError

from stalker.db.driver import BindConverter, executemany
from stalker.db.types import require_aware
from stalker.scheduling.data import ScheduleData, table
from stalker.utils import cycle_collector_paused

logger = logging.getLogger(__name__)

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


def _date_columns(
    computed: Sequence[ComputedSchedule],
    tasks: Mapping[int, Any],
    moment: Callable[[datetime.datetime], Any],
    span: Callable[[datetime.timedelta], Any],
    converted: dict[Any, Any],
) -> list[list[Any]]:
    """The written values, a list per column of :data:`_DATE_COLUMNS`.

    A task's pinned start/end stay as they are (its constraint).  Computed
    dates fall on resolution steps, so each distinct date and duration is
    converted once (``moment``, ``span``) into ``converted``, then looked up.
    """
    written = [_written(row, tasks) for row in computed]
    durations = [end - start for start, end in written]
    moments = {value for row in computed for value in (row.start, row.end)}
    moments.update(value for pair in written for value in pair)
    for date in moments - converted.keys():
        converted[date] = moment(date)
    for duration in set(durations) - converted.keys():
        converted[duration] = span(duration)
    return [
        [converted[start] for start, _ in written],
        [converted[end] for _, end in written],
        [converted[duration] for duration in durations],
        [converted[row.start] for row in computed],
        [converted[row.end] for row in computed],
    ]


def _written(
    row: ComputedSchedule, tasks: Mapping[int, Any]
) -> tuple[datetime.datetime, datetime.datetime]:
    """The start/end stored for ``row``: a constraint's pinned dates stay."""
    task = tasks.get(row.entity_id)
    if task is None or not task.constraint:
        return row.start, row.end
    return task.pinned_start or row.start, task.pinned_end or row.end


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
    connection: Any,
    table_name: str,
    computed: Sequence[ComputedSchedule],
    data: ScheduleData | None = None,
    texts: dict[Any, Any] | None = None,
) -> None:
    """Set start/end/duration and the computed start/end of every row.

    PostgreSQL gets one ``UPDATE ... FROM unnest(arrays)`` statement (one
    round trip whatever the number of rows), SQLite, in process, an
    executemany by primary key.  ``texts`` keeps the values as written out
    between the batches of one plan.
    """
    if not computed:
        return
    target = table(table_name)
    tasks = data.tasks if data is not None else {}
    texts = {} if texts is None else texts
    quote = connection.dialect.identifier_preparer.quote
    names = [quote(name) for name, _ in _DATE_COLUMNS]
    name = quote(target.name)
    if connection.dialect.name == "postgresql":
        columns = _date_columns(computed, tasks, _moment_text, _interval_text, texts)
        arrays = ", ".join(
            f"%(c{n})s::{kind}[]" for n, (_, kind) in enumerate(_DATE_COLUMNS)
        )
        sets = ", ".join(f"{column} = v.{column}" for column in names)
        parameters = {f"c{n}": _array_text(values) for n, values in enumerate(columns)}
        parameters["ids"] = _array_text(str(row.entity_id) for row in computed)
        connection.exec_driver_sql(
            f"UPDATE {name} SET {sets} FROM unnest(%(ids)s::integer[], {arrays}) "
            f"AS v(id, {', '.join(names)}) WHERE {name}.id = v.id",
            parameters,
        )
        return
    moment = BindConverter(target.c.start, connection.dialect, remember=False)
    span = BindConverter(target.c.duration, connection.dialect, remember=False)
    columns = _date_columns(computed, tasks, moment, span, texts)
    sets = ", ".join(f"{column} = ?" for column in names)
    connection.exec_driver_sql(
        f"UPDATE {name} SET {sets} WHERE id = ?",
        list(zip(*columns, (row.entity_id for row in computed), strict=True)),
    )


#: The written columns and their PostgreSQL array types.
_DATE_COLUMNS = (
    ("start", "timestamptz"),
    ("end", "timestamptz"),
    ("duration", "interval"),
    ("computed_start", "timestamptz"),
    ("computed_end", "timestamptz"),
)


def _array_text(items: Iterable[str]) -> str:
    """A PostgreSQL array literal: one string the server parses in C.

    psycopg adapts a list of datetimes element by element in Python, which
    took longer than the UPDATE itself.
    """
    return "{" + ",".join(items) + "}"


def _moment_text(value: datetime.datetime) -> str:
    require_aware(value)  # what the column's bind processor refuses
    return value.isoformat()


def _interval_text(value: datetime.timedelta) -> str:
    # psycopg's own format, read the same whatever IntervalStyle is
    return (
        f'"{value.days:+d} day {value.seconds:+d} second '
        f'{value.microseconds:+d} microsecond"'
    )


def _replace_computed_resources(
    connection: Any,
    data: ScheduleData,
    task_rows: Sequence[ComputedSchedule],
    stored: Mapping[int, Sequence[int]] | None = None,
) -> None:
    """Keep only users the engine chose that are still resources or alternatives.

    ``stored`` (a task's stored computed resources, ascending) spares the
    tasks whose users did not change: their rows are neither deleted nor
    inserted again.
    """
    link = table("Task_Computed_Resources")
    replaced: list[int] = []
    pairs: list[tuple[int, int]] = []
    resources, alternatives = data.resources, data.alternatives
    for row in task_rows:
        task_id = row.entity_id
        allowed = resources.get(task_id, ())
        others = alternatives.get(task_id, ())
        chosen = [
            user_id
            for user_id in dict.fromkeys(row.resource_ids or ())  # no repeats
            if user_id in allowed or user_id in others
        ]
        if stored is not None and tuple(sorted(chosen)) == tuple(
            stored.get(task_id, ())
        ):
            continue
        replaced.append(task_id)
        pairs.extend((task_id, user_id) for user_id in chosen)
    if not replaced:
        return
    name = connection.dialect.identifier_preparer.quote(link.name)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"DELETE FROM {name} WHERE task_id = ANY(%(ids)s::integer[])",
            {"ids": _array_text(str(task_id) for task_id in replaced)},
        )
        if pairs:
            connection.exec_driver_sql(
                f"INSERT INTO {name} (task_id, resource_id) "
                "SELECT * FROM unnest(%(tasks)s::integer[], %(users)s::integer[])",
                {
                    "tasks": _array_text(str(task) for task, _ in pairs),
                    "users": _array_text(str(user) for _, user in pairs),
                },
            )
        return
    # one statement over a JSON array of the ids, not a DELETE per task
    connection.exec_driver_sql(
        f"DELETE FROM {name} WHERE task_id IN (SELECT value FROM json_each(?))",
        (json.dumps(replaced),),
    )
    statement = insert(link).values(
        task_id=bindparam("_task"), resource_id=bindparam("_user")
    )
    executemany(
        connection, statement, [{"_task": task, "_user": user} for task, user in pairs]
    )


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
    stored_links: Mapping[int, Sequence[int]] | None = None,
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
        _write_back(session, data, computed, compute_resources, stored_links)


def _write_back(
    session: Any,
    data: ScheduleData,
    computed: Sequence[ComputedSchedule],
    compute_resources: bool,
    stored_links: Mapping[int, Sequence[int]] | None,
) -> None:
    projects = set(data.project_ids)
    task_rows = [row for row in computed if row.entity_id in data.tasks]
    project_rows = [row for row in computed if row.entity_id in projects]
    check_constraints(data, task_rows)
    with session.begin_nested():
        connection = session.connection()
        _write_tasks(connection, data, task_rows, compute_resources, stored_links)
        _update_dates(connection, "Projects", project_rows)
    written = {row.entity_id for row in (*task_rows, *project_rows)}
    _expire_written(session, written, compute_resources)


def _write_tasks(
    connection: Any,
    data: ScheduleData,
    task_rows: Sequence[ComputedSchedule],
    compute_resources: bool,
    stored_links: Mapping[int, Sequence[int]] | None = None,
    texts: dict[Any, str] | None = None,
) -> None:
    if compute_resources:  # first: its key checks find the rows not yet updated
        _replace_computed_resources(connection, data, task_rows, stored_links)
    _update_dates(connection, "Tasks", task_rows, data, texts)


def _expire_written(session: Any, written: set[int], compute_resources: bool) -> None:
    attributes: tuple[str, ...] = _DATE_ATTRIBUTES
    if compute_resources:
        attributes += ("_computed_resources",)
    _expire_loaded(session, written, attributes)


#: Rows per statement of a :class:`StreamingWrite`: small enough that the
#: last batch, written after the engine ends, is short.
STREAM_BATCH = 1000


def can_stream(connection: Any) -> bool:
    """Whether a :class:`StreamingWrite` can write through ``connection``.

    It needs psycopg 3's pipeline mode on PostgreSQL (libpq 14 or later).
    Elsewhere (SQLite, psycopg2) the whole write-back comes after the engine.
    """
    if connection.dialect.name != "postgresql":
        return False
    raw = connection.connection.driver_connection
    pipeline = getattr(type(raw), "pipeline", None)
    if pipeline is None:
        return False
    from psycopg import Pipeline

    return bool(Pipeline.is_supported())


class StreamingWrite:
    """Writes each finished task while the engine plans the others.

    The batches go out through psycopg's pipeline mode: each statement is
    sent without waiting for its result, so PostgreSQL updates a batch in
    its own process while the engine goes on in this one, and most of the
    write-back costs no time after the engine ends (:meth:`finish` waits
    for the last results).  It is :func:`write_back` in pieces: the same
    rows, checks and values, all inside one SAVEPOINT; :meth:`discard` (the
    horizon grew, the plan starts again) and :meth:`abort` (any error) roll
    every batch back, and the session stays usable.

    Between the first batch and :meth:`finish`/:meth:`abort` the connection
    is in pipeline mode: code that runs meanwhile (a progress callback)
    must not query through the same session.
    """

    def __init__(
        self,
        session: Any,
        data: ScheduleData,
        compute_resources: bool,
        stored_links: Mapping[int, Sequence[int]] | None = None,
        batch: int = STREAM_BATCH,
    ) -> None:
        self.session, self.data = session, data
        self.compute_resources = compute_resources
        self.stored_links = stored_links
        self.batch = batch
        self.savepoint = session.begin_nested()
        self.connection = session.connection()
        self.pipeline: Any = None
        self.pending: list[ComputedSchedule] = []
        self.received: set[int] = set()  # the tasks sent or about to be
        self.texts: dict[Any, str] = {}  # the written values' texts, for every batch

    def add(self, row: ComputedSchedule) -> None:
        """Take one finished task's row (checked against its pinned dates now)."""
        task = self.data.tasks.get(row.entity_id)
        if task is None:
            return  # not a gathered task: nothing of it is written
        if task.constraint:
            check_constraints(self.data, (row,))
        self.received.add(row.entity_id)
        self.pending.append(row)
        if len(self.pending) >= self.batch:
            self._send()

    def discard(self) -> None:
        """Roll back what was written; the next rows start a new plan."""
        self._leave_pipeline(failed=True)
        self.savepoint.rollback()
        self.received.clear()
        self.pending = []
        self.savepoint = self.session.begin_nested()
        self.connection = self.session.connection()

    def finish(
        self,
        project_rows: Sequence[ComputedSchedule],
        missing: Sequence[ComputedSchedule] = (),
    ) -> None:
        """Write the rest and the projects' dates, wait, release the SAVEPOINT.

        ``missing`` are planned tasks the engine did not hand over (none is
        expected): they are written now, with a warning, so none is lost.
        """
        if missing:
            logger.warning(
                "the engine did not hand over %d planned tasks; written at the end",
                len(missing),
            )
            for row in missing:
                self.add(row)
        self._send()
        self._leave_pipeline(failed=False)  # raises the first error, if any
        _update_dates(self.connection, "Projects", project_rows)
        self.savepoint.commit()
        written = self.received | {row.entity_id for row in project_rows}
        _expire_written(self.session, written, self.compute_resources)

    def abort(self) -> None:
        """Stop writing and roll back every batch (after any error)."""
        try:
            self._leave_pipeline(failed=True)
        finally:
            if self.savepoint.is_active:
                self.savepoint.rollback()

    def _send(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        if self.pipeline is None:
            raw = self.connection.connection.driver_connection
            self.pipeline = raw.pipeline()
            self.pipeline.__enter__()
        _write_tasks(
            self.connection,
            self.data,
            rows,
            self.compute_resources,
            self.stored_links,
            self.texts,
        )

    def _leave_pipeline(self, failed: bool) -> None:
        """Wait for the statements sent and leave pipeline mode.

        After a failure their errors do not matter (everything is rolled
        back): the first one is raised only when finishing.
        """
        pipeline, self.pipeline = self.pipeline, None
        if pipeline is None:
            return
        dbapi_error = self.connection.dialect.loaded_dbapi.Error
        try:
            pipeline.__exit__(None, None, None)
        except dbapi_error as error:
            if not failed:  # as SQLAlchemy raises the driver's errors
                raise DBAPIError.instance(
                    "(the write-back's pipelined statements)",
                    None,
                    error,
                    dbapi_error,
                    dialect=self.connection.dialect,
                ) from error
