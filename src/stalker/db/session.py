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

    A write that changes nothing still takes the RESERVED lock, so no other
    connection can write between this transaction's reads and its inserts
    (ids, ticket and version numbers are read as max + 1 under it).  The
    connection remembers the transaction that holds it: numbering and the
    flush's ids ask again within one publish, and one statement is enough.
    """
    holder = connection.info.get(_LOCKED_BY)
    if holder is not None and holder is connection.get_transaction():
        return
    connection.exec_driver_sql('UPDATE "SimpleEntities" SET id = id WHERE 0')
    connection.info[_LOCKED_BY] = connection.get_transaction()


_LOCKED_BY = "stalker.sqlite_write_locked_by"


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
