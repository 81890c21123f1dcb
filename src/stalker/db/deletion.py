"""What deleting does: work records are never taken along without being asked.

A studio's time logs, versions, reviews, tickets and money records are its
billing and publish history.  The relationships still cascade a delete from a
project to its tasks, but a flush that would delete work records with the
object holding them, or that would leave a row referring to a deleted object
(a user owning tickets, a status in a list, a version others were built
from), is refused before anything is written with a
:class:`~stalker.exceptions.DeleteRefusedError` naming what holds what.

:func:`delete_with_work_records` is the deliberate way: it deletes an object
with every work record it holds (directly or through the objects deleted with
it) and keeps version history readable (see its docstring).

The check is a ``before_flush`` hook registered first, so it runs before the
models' hooks and the bulk insert of :mod:`stalker.db.bulk_flush`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Table, event, inspect, select
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE, ONETOMANY
from sqlalchemy.orm.util import identity_key

from stalker.db.declarative import Base
from stalker.db.session import session_of, take_sqlite_write_lock, transaction_notes
from stalker.exceptions import DeleteRefusedError

State = Any  # sqlalchemy.orm.InstanceState

#: Tables of work records and how a message counts them.
WORK_RECORDS: dict[str, tuple[str, str]] = {
    "TimeLogs": ("time log", "time logs"),
    "Versions": ("version", "versions"),
    "Reviews": ("review", "reviews"),
    "Tickets": ("ticket", "tickets"),
    "TicketLogs": ("ticket log", "ticket logs"),
    "BudgetEntries": ("budget entry", "budget entries"),
    "Invoices": ("invoice", "invoices"),
    "Payments": ("payment", "payments"),
}

#: ``(table, column)`` by which a work record belongs to its holder: deleting
#: the holder on purpose deletes the record with it.
HELD_BY = frozenset(
    {
        ("TimeLogs", "task_id"),
        ("TimeLogs", "resource_id"),
        ("Versions", "task_id"),
        ("Reviews", "task_id"),
        ("Reviews", "reviewer_id"),
        ("Tickets", "project_id"),
        ("TicketLogs", "ticket_id"),
        ("BudgetEntries", "budget_id"),
        ("Invoices", "budget_id"),
        ("Payments", "invoice_id"),
    }
)

#: References the database would quietly null or drop (``ondelete``) although
#: they are history: which version another was built from or used, which
#: objects a ticket is about.  They refuse a delete like any other reference;
#: :func:`delete_with_work_records` re-parents or unlinks them.
HISTORY = frozenset(
    {
        ("Versions", "parent_id"),
        ("Version_Inputs", "link_id"),
        ("Version_Outputs", "link_id"),
        ("Ticket_SimpleEntities", "simple_entity_id"),
        ("Ticket_Related_Tickets", "related_ticket_id"),
    }
)

#: Work records that are the history of another work record and go with it
#: (a ticket's logs with the ticket).
_GO_WITH_HOLDER = frozenset({("TicketLogs", "ticket_id")})

_NOUNS: dict[tuple[str, str], tuple[str, str]] = {
    ("Versions", "parent_id"): ("child version", "child versions"),
    ("Version_Inputs", "link_id"): (
        "version using it as an input",
        "versions using it as an input",
    ),
    ("Version_Outputs", "link_id"): (
        "version listing it as an output",
        "versions listing it as an output",
    ),
    ("Ticket_SimpleEntities", "simple_entity_id"): (
        "ticket linking to it",
        "tickets linking to it",
    ),
    ("Ticket_Related_Tickets", "related_ticket_id"): (
        "ticket related to it",
        "tickets related to it",
    ),
    ("Tickets", "owner_id"): ("ticket it owns", "tickets it owns"),
    ("Daily_Links", "link_id"): ("daily showing it", "dailies showing it"),
    ("StatusList_Statuses", "status_id"): (
        "status list using it",
        "status lists using it",
    ),
    ("Project_Repositories", "repository_id"): (
        "project using it",
        "projects using it",
    ),
    ("SimpleEntities", "created_by_id"): (
        "object it created",
        "objects it created",
    ),
    ("SimpleEntities", "updated_by_id"): (
        "object it last updated",
        "objects it last updated",
    ),
}

_AUTHORISED_IDS = "delete_authorised_ids"
_AUTHORISED_ROWS = "delete_authorised_rows"
_REPARENT = "delete_reparent"
_CHUNK = 5000


def delete_with_work_records(obj: Any) -> None:
    """Delete ``obj`` with every work record it holds; written at the next flush.

    The work records are those held by ``obj`` or by the objects its delete
    cascades to (a project's tasks, a task's children): time logs, versions,
    reviews, tickets with their logs, budget entries, invoices and payments,
    and those they hold in turn.  Version history stays readable: a version
    whose parent is deleted gets the nearest surviving ancestor as parent
    (None if there is none), and deleted versions leave the ``inputs`` and
    ``outputs`` of the versions that survive; surviving tickets stop linking
    to deleted objects.  Any other reference (a status in use, a user who
    created objects) refuses the whole call with a
    :class:`~stalker.exceptions.DeleteRefusedError` before anything changes.
    """
    state = inspect(obj, raiseerr=False)
    session = session_of(obj)
    if state is None or session is None or not state.persistent:
        raise ValueError(
            "delete_with_work_records() needs an object saved in a session, "
            f"not {type(obj).__name__}: {obj!r}"
        )
    with session.no_autoflush:
        plan = _plan_deliberate_delete(session, state)
    notes = transaction_notes(session)
    # only what this call deletes: earlier pending deletes stay checked
    notes.setdefault(_AUTHORISED_IDS, set()).update(_Deletion.of(plan.targets).by_id)
    notes.setdefault(_AUTHORISED_ROWS, set()).update(
        (ref.table.name, ref.key) for ref in plan.fixups
    )
    with session.no_autoflush:
        for ref in plan.fixups:
            _fix_history(session, plan.deletion, ref)
        for target in plan.targets:
            if not target.deleted:
                session.delete(target.obj())


# -- what a delete takes along --


@dataclass
class _Deletion:
    """The objects a flush deletes: roots, what reached what, their rows."""

    states: list[State] = field(default_factory=list)
    by_id: dict[int, State] = field(default_factory=dict)
    rows: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)
    ids_by_table: dict[str, set[int]] = field(default_factory=dict)
    reached_from: dict[int, State] = field(default_factory=dict)
    # the objects themselves: the identity map holds unchanged ones weakly,
    # and a cascade may load objects nothing else refers to
    objects: list[Any] = field(default_factory=list)

    @classmethod
    def of(cls, states: Iterable[State]) -> _Deletion:
        deletion = cls()
        seen: set[int] = set()
        for state in states:
            deletion._add(state, state.obj(), seen)
        for state in list(deletion.states):
            cascade = state.mapper.cascade_iterator("delete", state)
            for child_obj, _, child, _ in cascade:
                if child is not state and id(child) not in deletion.reached_from:
                    deletion.reached_from[id(child)] = state
                deletion._add(child, child_obj, seen)
        return deletion

    def _add(self, state: State, obj: Any, seen: set[int]) -> None:
        if id(state) in seen or state.key is None or obj is None:
            return
        seen.add(id(state))
        self.objects.append(obj)
        self.states.append(state)
        identity = state.identity
        entity = len(identity) == 1 and isinstance(identity[0], int)
        if entity:
            self.by_id[identity[0]] = state
        for table in state.mapper.tables:
            key = _row_key(state, table)
            self.rows.setdefault(table.name, set()).add(key)
            if entity and len(key) == 1:
                self.ids_by_table.setdefault(table.name, set()).add(key[0])

    def root_of(self, state: State) -> State:
        seen = {id(state)}
        while id(state) in self.reached_from:
            state = self.reached_from[id(state)]
            if id(state) in seen:
                break
            seen.add(id(state))
        return state


def _row_key(state: State, table: Table) -> tuple[Any, ...]:
    """The primary key of the object's row in ``table`` (joined tables share it)."""
    mapper, obj = state.mapper, state.obj()
    return tuple(
        getattr(obj, mapper.get_property_by_column(column).key)
        for column in table.primary_key.columns
    )


@dataclass(frozen=True)
class _Reference:
    """A row of ``table`` whose ``column`` refers to the deleted ``holder``."""

    table: Table
    column: Column[Any]
    key: tuple[Any, ...]
    holder: State

    @property
    def name(self) -> tuple[str, str]:
        return (self.table.name, self.column.name)


@functools.cache
def _clearing_relationships(
    mapper: Mapper[Any], column: Column[Any]
) -> tuple[Any, ...]:
    """Relationships of ``mapper`` whose flush clears ``column`` for a deleted object.

    Many-to-many link rows are deleted; one-to-many children are deleted
    (cascade) or get NULL (a nullable foreign key).
    """
    found = []
    for relationship in mapper.relationships:
        if relationship.viewonly:
            continue
        if not any(remote is column for _, remote in relationship.synchronize_pairs):
            continue
        if relationship.direction is MANYTOMANY or (
            relationship.direction is ONETOMANY
            and (relationship.cascade.delete or column.nullable)
        ):
            found.append(relationship)
    return tuple(found)


def _cleared_by_flush(
    holder: State, table: Table, column: Column[Any], key: tuple[Any, ...]
) -> bool:
    """Whether the unit of work deletes, unlinks or nulls this row itself.

    It works from the holder's collection: one not loaded yet is read at
    flush (so it holds the row); one loaded earlier may be stale and then
    only covers the rows it holds.
    """
    key_columns = list(table.primary_key.columns)
    for relationship in _clearing_relationships(holder.mapper, column):
        if relationship.key not in holder.dict:
            return True
        items = holder.dict[relationship.key] or ()
        ids = {inspect(item).identity for item in items if item is not None}
        if relationship.direction is ONETOMANY:
            wanted = key
        else:
            other = next(c for c in key_columns if c is not column)
            wanted = (key[key_columns.index(other)],)
        if wanted in ids:
            return True
    return False


@functools.cache
def _mapper_of_table(table: Table) -> Mapper[Any] | None:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper
    return None


def _is_same_row_link(column: Column[Any], target: Column[Any]) -> bool:
    """A joined-inheritance key: the row is the deleted object's own row."""
    return (
        column.primary_key and target.primary_key and len(column.table.primary_key) == 1
    )


def _references(
    session: Session, deletion: _Deletion, authorised_rows: set[Any]
) -> list[_Reference]:
    """Rows outside the deletion that would still refer to a deleted object."""
    found: list[_Reference] = []
    for table in Base.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            ids = deletion.ids_by_table.get(foreign_key.column.table.name)
            column = foreign_key.parent
            if not ids or _is_same_row_link(column, foreign_key.column):
                continue
            history = (table.name, column.name) in HISTORY
            if not history and _database_handles(foreign_key):
                continue
            found.extend(
                _referring_rows(
                    session, table, column, ids, deletion, authorised_rows, history
                )
            )
    return found


def _database_handles(foreign_key: Any) -> bool:
    """The database itself deletes or nulls the referring rows."""
    return (foreign_key.ondelete or "").upper() in ("CASCADE", "SET NULL")


def _referring_rows(
    session: Session,
    table: Table,
    column: Column[Any],
    ids: set[int],
    deletion: _Deletion,
    authorised_rows: set[Any],
    history: bool,
) -> Iterable[_Reference]:
    key_columns = list(table.primary_key.columns)
    deleted_rows = deletion.rows.get(table.name, set())
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        chunk = ordered[start : start + _CHUNK]
        query = select(*key_columns, column).where(column.in_(chunk))
        for row in session.execute(query).all():
            key, referred = tuple(row[:-1]), row[-1]
            if key in deleted_rows or (table.name, key) in authorised_rows:
                continue
            holder = deletion.by_id[referred]
            if not history and _cleared_by_flush(holder, table, column, key):
                continue
            if _points_elsewhere(session, table, key, column, referred):
                continue
            yield _Reference(table, column, key, holder)


def _new_references(session: Session, deletion: _Deletion) -> list[_Reference]:
    """New objects of this flush that point at a deleted object."""
    found = []
    for obj in session.new:
        state = inspect(obj)
        for relationship in state.mapper.relationships:
            if relationship.direction is not MANYTOONE or relationship.viewonly:
                continue
            target = state.dict.get(relationship.key)
            target_state = inspect(target) if target is not None else None
            if target_state is None or target_state.identity is None:
                continue
            if deletion.by_id.get(target_state.identity[0]) is not target_state:
                continue
            column = next(iter(relationship.local_columns))
            found.append(_Reference(column.table, column, (id(obj),), target_state))
    return found


def _points_elsewhere(
    session: Session, table: Table, key: tuple[Any, ...], column: Any, referred: int
) -> bool:
    """Whether the row's object in the session was changed to refer elsewhere."""
    mapper = _mapper_of_table(table)
    if mapper is None:
        return False
    obj = session.identity_map.get(identity_key(mapper.class_, key))
    if obj is None:
        return False
    state = inspect(obj)
    for relationship in state.mapper.relationships:
        if relationship.direction is not MANYTOONE or column not in {
            local for local, _ in relationship.local_remote_pairs
        }:
            continue
        history = state.attrs[relationship.key].history
        if history.has_changes():
            target = history.added[0] if history.added else None
            return target is None or inspect(target).identity != (referred,)
    prop = state.mapper.get_property_by_column(column)
    added = state.attrs[prop.key].history.added
    return bool(added) and added[0] != referred


# -- the flush-time check --


def _check_deletes(session: Session, flush_context: Any, instances: Any) -> None:
    """Refuse the flush when its deletes take work records or leave references."""
    states = [inspect(obj) for obj in session.deleted]
    states.extend(
        state
        for state in (inspect(obj) for obj in session.dirty)
        if state.has_identity and state.mapper._is_orphan(state)
    )
    if not states:
        return
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        take_sqlite_write_lock(connection)  # nobody adds a reference meanwhile
    notes = transaction_notes(session)
    deletion = _Deletion.of(states)
    refusals = _taken_along(deletion, notes.get(_AUTHORISED_IDS, set()))
    refusals.extend(_references(session, deletion, notes.get(_AUTHORISED_ROWS, set())))
    refusals.extend(_new_references(session, deletion))
    if refusals:
        raise _refused(deletion, refusals)
    _release_dependents(deletion)


def _taken_along(deletion: _Deletion, authorised: set[int]) -> list[_Reference]:
    """Work records deleted by the cascade of another deleted object."""
    found = []
    for state in deletion.states:
        if id(state) not in deletion.reached_from or state.identity[0] in authorised:
            continue
        table = _work_table(state.mapper)
        if table is None:
            continue
        holder, column = _holder(deletion, state, table)
        if (table.name, column.name) in _GO_WITH_HOLDER:
            continue
        found.append(_Reference(table, column, state.identity, holder))
    return found


def _work_table(mapper: Mapper[Any]) -> Table | None:
    for table in mapper.tables:
        if table.name in WORK_RECORDS:
            return table  # type: ignore[return-value]
    return None


def _holder(deletion: _Deletion, state: State, table: Table) -> tuple[State, Any]:
    """The deleted object a work record belongs to, and the column saying so."""
    for column in table.columns:
        if (table.name, column.name) in HELD_BY:
            prop = state.mapper.get_property_by_column(column)
            holder = deletion.by_id.get(getattr(state.obj(), prop.key))
            if holder is not None:
                return holder, column
    return deletion.reached_from[id(state)], table.primary_key.columns[0]


def _release_dependents(deletion: _Deletion) -> None:
    """Tasks that lose a dependency re-evaluate their status (no WFD for nothing)."""
    for state in deletion.states:
        if type(state.obj()).__name__ != "TaskDependency":
            continue
        dependency = state.obj()
        task = dependency.task
        if task is None or inspect(task).identity is None:
            continue
        if inspect(task).identity[0] in deletion.by_id:
            continue
        if dependency in task.task_depends_on:
            task.task_depends_on.remove(dependency)  # its validator re-evaluates
        elif dependency.depends_on is not None:
            task.update_status_with_dependent_statuses(removing=dependency.depends_on)


# -- messages --


def describe_object(obj: Any) -> str:
    """``Task 'Comp' (id 42)``: how a message names an object."""
    name = getattr(obj, "name", None)
    identity = inspect(obj).identity
    ident = identity[0] if identity and len(identity) == 1 else identity
    label = f"{type(obj).__name__} {name!r}" if name else type(obj).__name__
    return f"{label} (id {ident})"


def _noun(reference: tuple[str, str], count: int) -> str:
    table, column = reference
    if table in WORK_RECORDS and (table, column) in HELD_BY:
        singular, plural = WORK_RECORDS[table]
    elif reference in _NOUNS:
        singular, plural = _NOUNS[reference]
    else:
        singular = f"row of {table} referring to it by {column}"
        plural = f"rows of {table} referring to it by {column}"
    return f"{count} {singular if count == 1 else plural}"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _refused(deletion: _Deletion, references: list[_Reference]) -> DeleteRefusedError:
    grouped: dict[int, dict[int, Counter[tuple[str, str]]]] = {}
    states: dict[int, State] = {}
    for reference in references:
        holder = reference.holder
        root = deletion.root_of(holder)
        states[id(root)], states[id(holder)] = root, holder
        by_holder = grouped.setdefault(id(root), {})
        by_holder.setdefault(id(holder), Counter())[reference.name] += 1
    sentences, refusals = [], []
    for root_id, by_holder in grouped.items():
        root_text = describe_object(states[root_id].obj())
        parts = []
        for holder_id, counts in by_holder.items():
            holder_text = describe_object(states[holder_id].obj())
            what = _join([_noun(name, count) for name, count in counts.items()])
            refusals.append((root_text, holder_text, what))
            subject = "it" if holder_id == root_id else holder_text
            parts.append(f"{subject} has {what}")
        sentences.append(f"{root_text} cannot be deleted: {'; '.join(parts)}")
    message = ". ".join(sentences) + "."
    if any(r.name in HELD_BY or r.name in HISTORY for r in references):
        message += (
            " Nothing was deleted; stalker.db.delete_with_work_records() deletes "
            "work records with their holder on purpose."
        )
    return DeleteRefusedError(message, refusals)


# -- the deliberate delete --


@dataclass
class _Plan:
    deletion: _Deletion
    targets: list[State]
    fixups: list[_Reference]


def _plan_deliberate_delete(session: Session, state: State) -> _Plan:
    """Grow the deletion by the work records it holds until nothing else is held."""
    pending = [inspect(obj) for obj in session.deleted]
    targets = [state]
    known = {id(state)}
    while True:
        deletion = _Deletion.of([*pending, *targets])
        own = _Deletion.of(targets).by_id  # earlier pending deletes stay checked
        references = _references(session, deletion, set())
        held, blocking, fixups = [], [], []
        for reference in references:
            if reference.holder.identity[0] not in own:
                continue  # an earlier pending delete: the flush judges it
            if reference.name in HELD_BY:
                held.append(reference)
            elif reference.name in HISTORY:
                fixups.append(reference)
            else:
                blocking.append(reference)
        if blocking:
            raise _refused(deletion, blocking)
        added = False
        for reference in held:
            record = _load(session, reference)
            record_state = inspect(record)
            if id(record_state) not in known:
                known.add(id(record_state))
                targets.append(record_state)
                added = True
        if not added:
            return _Plan(deletion, targets, fixups)


def _load(session: Session, reference: _Reference) -> Any:
    mapper = _mapper_of_table(reference.table)
    assert mapper is not None  # every work record table is mapped
    return session.get(mapper.class_, reference.key)


def _fix_history(session: Session, deletion: _Deletion, reference: _Reference) -> None:
    """Re-parent a surviving version, or unlink a deleted object from a survivor."""
    removed = reference.holder.obj()
    if reference.name == ("Versions", "parent_id"):
        child = _load(session, reference)
        parent = removed.parent
        while parent is not None and inspect(parent).identity[0] in deletion.by_id:
            parent = parent.parent
        # Re-parenting in the flush that deletes the old parent is a cycle for
        # the unit of work (``parent`` is a post-update): unlink now, and
        # link to the new parent in the next flush of the same commit.
        child.parent = None
        if parent is not None:
            transaction_notes(session).setdefault(_REPARENT, []).append((child, parent))
        return
    key_columns = list(reference.table.primary_key.columns)
    owner_column = next(c for c in key_columns if c is not reference.column)
    owner_id = reference.key[key_columns.index(owner_column)]
    relationship = _link_relationship(reference.table, owner_column)
    owner = session.get(relationship.parent.class_, owner_id)
    collection = getattr(owner, relationship.key)
    if removed in collection:
        collection.remove(removed)


@functools.cache
def _link_relationship(table: Table, owner_column: Column[Any]) -> Any:
    """The relationship that owns the links of ``table`` from ``owner_column``."""
    for mapper in Base.registry.mappers:
        for relationship in mapper.relationships:
            if (
                relationship.secondary is table
                and not relationship.viewonly
                and any(
                    column is owner_column
                    for _, column in relationship.synchronize_pairs
                )
            ):
                return relationship
    raise LookupError(f"no relationship owns the links of {table.name}")


def _reparent_after_flush(session: Session, flush_context: Any) -> None:
    """Give the children of deliberately deleted versions their new parent."""
    for child, parent in transaction_notes(session).pop(_REPARENT, []):
        if not inspect(child).deleted and not inspect(parent).deleted:
            child.parent = parent


def install() -> None:
    """Run the check before every other ``before_flush`` hook."""
    if not event.contains(Session, "before_flush", _check_deletes):
        event.listen(Session, "before_flush", _check_deletes, insert=True)
    if not event.contains(Session, "after_flush_postexec", _reparent_after_flush):
        event.listen(Session, "after_flush_postexec", _reparent_after_flush)


install()

__all__ = ["HELD_BY", "HISTORY", "WORK_RECORDS", "delete_with_work_records"]
