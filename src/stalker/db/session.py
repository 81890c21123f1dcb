"""The scoped session every Stalker call shares (``DBSession``)."""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, scoped_session, sessionmaker


class ExtendedScopedSession(scoped_session):
    """A scoped session with ``save()``: add what is given, then commit."""

    def save(self, data: Any = None) -> None:
        """Add ``data`` (one object or a list of them) and commit the session."""
        if data:
            if hasattr(data, "__getitem__"):
                self.add_all(data)
            else:
                self.add(data)
        self.commit()


DBSession = ExtendedScopedSession(sessionmaker(future=True))


def no_autoflush(*objects: Any) -> contextlib.AbstractContextManager[Any]:
    """Suspend autoflush in the session of the first object that has one.

    Validators read relationships of objects that may be half-built; an
    autoflush there would write them before they are valid.
    """
    for obj in objects:
        session = session_of(obj)
        if session is not None:
            return session.no_autoflush
    return contextlib.nullcontext()


def session_of(obj: Any) -> Any:
    """The session ``obj`` belongs to; None for anything not mapped or detached.

    Validators call this before type-checking their value, so a wrong value
    must give None here and the clear TypeError later.
    """
    state = inspect(obj, raiseerr=False) if obj is not None else None
    return getattr(state, "session", None)


def add_to_session_of(obj: Any, *related: Any) -> None:
    """Put a new ``obj`` into the session of the first related object in one.

    SQLAlchemy 2 no longer cascades an object into a session through a
    back-reference (``Task(parent=shot)`` only appends to ``shot.children``
    from the child's side), so without this a task created under a saved shot
    would silently be left out of the next commit.
    """
    if session_of(obj) is not None:
        return
    for other in related:
        session = session_of(other)
        if session is not None:
            session.add(obj)
            return


def take_sqlite_write_lock(connection: Any) -> None:
    """Hold SQLite's database write lock until the transaction ends.

    Our SQLite transactions open with a plain BEGIN, so readers never wait.
    Under WAL a transaction that has read cannot upgrade to a writer once
    another connection has committed (SQLITE_BUSY_SNAPSHOT, reported at once
    as "database is locked", without waiting).  Every write takes the lock
    first (see :func:`lock_before_sqlite_write`), so a transaction
    without the lock has written nothing: it is restarted as
    ``BEGIN IMMEDIATE``, which waits for the busy timeout like any writer.
    Only its read snapshot is given up; whatever must be consistent with the
    writes (numbers, roll-ups, bookings) is read again under the lock.
    """
    transaction = connection.get_transaction()
    if transaction is None or connection.info.get(_LOCKED_BY) is transaction:
        return
    if connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("ROLLBACK")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except Exception:
        connection.exec_driver_sql("BEGIN")  # keep a transaction for the rollback
        raise
    connection.info[_LOCKED_BY] = transaction


_LOCKED_BY = "stalker.sqlite_write_locked_by"

#: First words of the statements that write (or open a SAVEPOINT, which
#: must not be lost to a restart).
_WRITING_WORDS = frozenset(
    {"INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER"}
)


def lock_before_sqlite_write(
    connection: Any,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    """``before_cursor_execute`` of SQLite engines: a write takes the lock first."""
    words = statement.split(None, 1)
    first = words[0].upper() if words else ""
    writes = first in _WRITING_WORDS or (
        first == "WITH"
        and context is not None
        and (context.isinsert or context.isupdate or context.isdelete)
    )
    if writes and connection.in_transaction():
        take_sqlite_write_lock(connection)


_TRANSACTION_NOTES = "stalker.transaction"


def transaction_notes(session: Any) -> dict[str, Any]:
    """What the models note about a session's current transaction.

    The dict is forgotten when the outermost transaction ends. ``"connected"``
    is True once the transaction holds a connection: on SQLite, a write lock
    is only safe to take before the transaction has read anything.
    """
    return session.info.setdefault(_TRANSACTION_NOTES, {})  # type: ignore[no-any-return]


@event.listens_for(Session, "after_begin")
def _note_connected(session: Session, transaction: Any, connection: Any) -> None:
    transaction_notes(session)["connected"] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_TRANSACTION_NOTES, None)
