"""Batched INSERTs on SQLite: new entities get their ids before the flush.

SQLite cannot tell which new rowid belongs to which row of a multi-row
``INSERT ... RETURNING``, so SQLAlchemy inserts rows whose id the database
generates one statement at a time.  For a flush of many new entities the
ids are handed out here instead, and the INSERTs run as one ``executemany``
per table.  The write lock is taken first, so no other connection can insert
between reading the highest id and using the next ones; SQLite itself would
pick the same numbers (max(rowid) + 1).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

#: Below this many new entities the per-row INSERT is cheap enough.
BATCH_THRESHOLD = 2


@event.listens_for(Session, "before_flush")
def _assign_entity_ids(session: Session, flush_context: Any, instances: Any) -> None:
    from stalker.models.entity import SimpleEntity

    new_entities = [
        obj for obj in session.new if isinstance(obj, SimpleEntity) and obj.id is None
    ]
    if len(new_entities) < BATCH_THRESHOLD:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    # A write that changes nothing still takes SQLite's RESERVED lock.
    connection.exec_driver_sql('UPDATE "SimpleEntities" SET id = id WHERE 0')
    highest = connection.exec_driver_sql('SELECT max(id) FROM "SimpleEntities"')
    next_id = (highest.scalar() or 0) + 1
    for offset, obj in enumerate(new_entities):
        obj.id = next_id + offset
