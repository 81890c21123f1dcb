"""No double booking, kept by the database (the TimeLog class is in task.py).

The checks a TimeLog runs in memory only see the logs this session has
loaded; another process may have booked the same hours meanwhile.  So:

* PostgreSQL: the exclusion constraint ``time_log_no_overbooking`` (a GiST
  index over the resource and the half-open ``[start, end)`` range, from the
  ``btree_gist`` extension) makes overlapping rows impossible.  It is created
  with the table here and by migration ``stalker_0002``.  A writer inserting
  an overlapping log waits for the one it collides with; if that one commits,
  its insert fails, and the error reaches the caller as
  :class:`~stalker.exceptions.OverBookedError`.
* Both backends: at flush every new or moved log is compared with the stored
  logs of its resource, so a clash with a committed log is refused with
  OverBookedError before anything is written.  On SQLite the comparison runs
  under the database write lock, which makes it exact.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, event, inspect, select
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.orm import Session

from stalker.db.session import take_sqlite_write_lock
from stalker.exceptions import OverBookedError
from stalker.models.task import TimeLog

#: The name of the PostgreSQL exclusion constraint (and of its index).
CONSTRAINT_NAME = "time_log_no_overbooking"

CREATE_EXTENSION_SQL = "CREATE EXTENSION IF NOT EXISTS btree_gist"
ADD_CONSTRAINT_SQL = (
    f'ALTER TABLE "TimeLogs" ADD CONSTRAINT {CONSTRAINT_NAME} '
    'EXCLUDE USING gist (resource_id WITH =, tstzrange(start, "end") WITH &&)'
)

_table = TimeLog.__table__
event.listen(
    _table, "before_create", DDL(CREATE_EXTENSION_SQL).execute_if(dialect="postgresql")
)
event.listen(
    _table, "after_create", DDL(ADD_CONSTRAINT_SQL).execute_if(dialect="postgresql")
)


@event.listens_for(Engine, "handle_error")
def _overbooking_from_the_database(context: ExceptionContext) -> None:
    """Report the exclusion constraint's refusal as OverBookedError."""
    original = context.original_exception
    diag = getattr(original, "diag", None)
    if getattr(diag, "constraint_name", None) != CONSTRAINT_NAME:
        return
    raise OverBookedError(
        "the database refused an overlapping time log (constraint "
        f"{CONSTRAINT_NAME}): {getattr(diag, 'message_detail', None) or original}; "
        "roll the session back to go on"
    ) from context.sqlalchemy_exception


def _moved(log: TimeLog) -> bool:
    state = inspect(log)
    return any(
        state.attrs[name].history.has_changes()
        for name in ("_start", "_end", "resource")
    )


def _bookings_to_check(session: Session) -> list[TimeLog]:
    new = [obj for obj in session.new if isinstance(obj, TimeLog)]
    moved = [obj for obj in session.dirty if isinstance(obj, TimeLog) and _moved(obj)]
    return [log for log in new + moved if log.resource is not None]


def _first_clash(session: Session, log: TimeLog, skip: set[int]) -> Any:
    """The stored log of the same resource overlapping ``log`` (None if none)."""
    statement = (
        select(_table.c.id, _table.c.start, _table.c.end)
        .where(_table.c.resource_id == log.resource.id)
        .where(_table.c.start < log.end)
        .where(_table.c.end > log.start)
        .limit(1)
    )
    if skip:
        statement = statement.where(_table.c.id.not_in(skip))
    return session.connection().execute(statement).first()


@event.listens_for(Session, "before_flush")
def _refuse_double_bookings(
    session: Session, flush_context: Any, instances: Any
) -> None:
    """Compare each new or moved log with the stored ones, before any write."""
    logs = _bookings_to_check(session)
    if not logs:
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        take_sqlite_write_lock(connection)
    # rows this flush moves or deletes are compared in memory, not as stored
    skip = {log.id for log in logs if inspect(log).key is not None}
    skip |= {obj.id for obj in session.deleted if isinstance(obj, TimeLog)}
    with session.no_autoflush:
        for log in logs:
            if inspect(log.resource).key is None:
                continue  # a new user has no stored bookings
            clash = _first_clash(session, log, skip)
            if clash is not None:
                raise OverBookedError(
                    f"{log.resource.name!r} is already booked from {clash.start} "
                    f"to {clash.end} (TimeLog id {clash.id}); the time log of "
                    f"{log.task.name!r} would run from {log.start} to {log.end}"
                )
