"""Flushes that create many objects insert them with one ``executemany`` per table.

Why: every Stalker entity shares the ``SimpleEntity`` base mapper, so each
many-to-one between two entities (task -> parent, task -> status, entity ->
created_by, ...) is a dependency cycle for SQLAlchemy's unit of work, which
then sorts and processes the new objects one state at a time.  Creating a
production of 10 000 tasks spent most of its commit there although the SQL
is a handful of multi-row inserts.

When a flush holds at least :data:`BULK_THRESHOLD` new objects and they are
plain inserts (see :func:`_plan_bulk_insert`), this module, inside the
flush's own sub-transaction:

1. hands out the missing integer primary keys up front (SQLite: takes the
   write lock, then max(id) + 1 ..., above sqlite_sequence for AUTOINCREMENT
   tables; PostgreSQL: the table's sequence);
2. copies foreign keys from the related objects, as the unit of work's
   synchronisation would (many-to-one values, one-to-many collections,
   joined-inheritance primary keys);
3. inserts the rows table by table in foreign-key order, rows in id order;
   a foreign key to a row inserted later is written by an UPDATE afterwards
   (as ``post_update`` relationships do);
4. inserts the rows of the many-to-many link tables;
5. makes the objects persistent and forgets the collection changes of saved
   objects that only recorded links to them (already written).

Whatever else the flush holds (updates, deletes) then goes through the
normal unit of work.  When the new objects do something this module does not
handle (insert events, orphans, links to unsaved objects, deletes in the
same flush), the whole flush takes the normal path instead; on SQLite the ids
are still handed out first so that its INSERTs run batched.

SQLAlchemy's event contract is kept by stepping aside: the new objects become
persistent inside ``before_flush``, where a listener registered later, or an
``after_flush``/``after_flush_postexec`` listener, would not see them, and no
mapper insert event fires.  So whenever a listener from outside this package
watches the flush events, or a new object's mapper has an insert listener,
that flush takes the unit of work.  It is decided at every flush, since
listeners come and go.

This relies on a few SQLAlchemy internals (``Session._register_persistent``,
``InstanceState.committed_state``, ``Mapper._columntoproperty``); the
``sqlalchemy<2.2`` pin in pyproject.toml guards them, and the whole test
suite runs through this path (``STALKER_BULK_FLUSH_THRESHOLD=1``).
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, MetaData, Table, and_, bindparam, event, update
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE, instance_state
from sqlalchemy.orm.base import INCLUDE_PENDING_MUTATIONS, PassiveFlag
from sqlalchemy.orm.interfaces import MANYTOMANY, MANYTOONE, ONETOMANY
from sqlalchemy.orm.state import InstanceState
from sqlalchemy.schema import Column

from stalker.db.driver import insert_rows
from stalker.db.session import take_sqlite_write_lock

#: Fewer new objects than this go through the normal unit of work.  One is
#: enough: even for a single new version the unit of work walks the
#: dependency processors of every mapper under SimpleEntity (~60), which
#: costs more than this path's id query (measured: benchmarks/
#: bench_versions.py, batch size 1).  The environment variable is for tests.
BULK_THRESHOLD = int(os.environ.get("STALKER_BULK_FLUSH_THRESHOLD", "1"))

_HISTORY_FLAGS = PASSIVE_NO_INITIALIZE | INCLUDE_PENDING_MUTATIONS

State = InstanceState[Any]


class _NotPlain(Exception):
    """The new objects need the normal unit of work."""


def install() -> None:
    """Hook the bulk insert into every flush, after the models' own hooks.

    ``before_flush`` listeners run in the order they were registered and the
    models' hooks (ticket numbers, ...) must still see their new objects
    pending, so ``stalker`` calls this once every model is imported.
    """
    if not event.contains(Session, "before_flush", _insert_new_objects_in_bulk):
        event.listen(Session, "before_flush", _insert_new_objects_in_bulk)


def _insert_new_objects_in_bulk(
    session: Session, flush_context: Any, instances: Any
) -> None:
    if instances is not None or not session.new:
        return
    if not _only_stalker_objects(session):
        # the listener sees every Session of the process: another library's
        # models (or a mix) keep SQLAlchemy's own unit of work, untouched
        return
    if _flush_watched_from_outside(session):
        # not even the SQLite ids: a later listener may add objects the
        # database numbers itself, after the ids handed out here
        return
    if len(session.new) >= BULK_THRESHOLD and not session.deleted:
        plan = _plan_bulk_insert(session)
        if plan is not None:
            _run_in_flush_transaction(session, plan)
            return
    _hand_out_sqlite_ids(session)


def _only_stalker_objects(session: Session) -> bool:
    """Whether every new object of the flush is of a Stalker class."""
    from stalker.db.declarative import Base

    registry = Base.registry
    return all(instance_state(obj).mapper.registry is registry for obj in session.new)


#: The session events that must see the new objects of a flush as new.
_FLUSH_EVENTS = ("before_flush", "after_flush", "after_flush_postexec")


def _flush_watched_from_outside(session: Session) -> bool:
    """Whether a listener that is not this package's watches the flush events."""
    dispatch = session.dispatch
    return any(
        not _is_ours(listener)
        for name in _FLUSH_EVENTS
        for listener in getattr(dispatch, name)
    )


def _is_ours(listener: Any) -> bool:
    module = getattr(listener, "__module__", None) or ""
    return module == "stalker" or module.startswith("stalker.")


def _has_insert_listeners(mapper: Mapper[Any]) -> bool:
    """Asked at every flush: a listener may be added after the first one."""
    dispatch = mapper.dispatch
    return bool(dispatch.before_insert or dispatch.after_insert)


# -- what each mapper needs (computed once) ----------------------------------

_DEFAULT_NONE, _DEFAULT_SCALAR, _DEFAULT_DATABASE = range(3)


@dataclass(frozen=True)
class _Link:
    """A writable relationship, reduced to what the insert needs."""

    key: str
    direction: Any
    uselist: bool
    synchronize_pairs: tuple[tuple[Column[Any], Column[Any]], ...]
    secondary: Table | None
    secondary_pairs: tuple[tuple[Column[Any], Column[Any]], ...]
    #: link-table column keys in sorted order (the key of a unique link row)
    row_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class _ColumnSpec:
    column: Column[Any]
    attribute: str
    default_kind: int
    default: Any


class _MapperInfo:
    """The columns, keys and relationships of one mapper, looked up once."""

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        self.attribute_of: dict[Any, str] = {
            column: prop.key for column, prop in mapper._columntoproperty.items()
        }
        self.links = tuple(
            _Link(
                prop.key,
                prop.direction,
                bool(prop.uselist),
                _column_pairs(prop.synchronize_pairs),
                cast("Table | None", prop.secondary),
                _column_pairs(prop.secondary_synchronize_pairs),
                tuple(
                    sorted(
                        target.key
                        for _, target in (
                            *_column_pairs(prop.synchronize_pairs),
                            *_column_pairs(prop.secondary_synchronize_pairs),
                        )
                    )
                )
                if prop.secondary is not None
                else (),
            )
            for prop in mapper.relationships
            if not prop.viewonly
        )
        #: what never changes; insert listeners are checked at each flush
        self.plain = mapper.version_id_col is None and all(
            prop.lazy not in ("dynamic", "write_only")
            for prop in mapper.relationships
            if not prop.viewonly
        )
        base_table = mapper.base_mapper.local_table
        self.id_table: Table | None = None
        self.id_attribute = ""
        if (
            isinstance(base_table, Table)
            and base_table.autoincrement_column is not None
        ):
            self.id_table = base_table
            self.id_attribute = self.attribute_of[base_table.autoincrement_column]
        self.inherited_keys = [
            (self.attribute_of[parent], self.attribute_of[child])
            for each in reversed(list(mapper.iterate_to_root()))
            for parent, child in each._inherits_equated_pairs or ()
        ]
        self.tables = {table: self._spec(table) for table in _tables(mapper)}
        #: per table: (column key, attribute, default kind, default) tuples
        #: and the primary-key column keys, unpacked once for ``_row``
        self.row_specs = {
            table: None
            if specs is None
            else tuple(
                (spec.column.key, spec.attribute, spec.default_kind, spec.default)
                for spec in specs
            )
            for table, specs in self.tables.items()
        }
        self.key_columns = {
            table: tuple(column.key for column in table.primary_key.columns)
            for table in _tables(mapper)
        }

    def _spec(self, table: Table) -> tuple[_ColumnSpec, ...] | None:
        specs = []
        for column in table.columns:
            attribute = self.attribute_of.get(column)
            if attribute is None:
                return None  # an unmapped column: leave it to the unit of work
            default = column.default
            if default is None and column.server_default is None:
                kind, value = _DEFAULT_NONE, None
            elif default is not None and default.is_scalar:
                kind, value = _DEFAULT_SCALAR, cast(Any, default).arg
            else:
                kind, value = _DEFAULT_DATABASE, None
            specs.append(_ColumnSpec(column, attribute, kind, value))
        return tuple(specs)


_infos: dict[Mapper[Any], _MapperInfo] = {}


# SQLAlchemy types a mapper's parts broadly; Stalker maps only Tables and Columns.


def _column_pairs(pairs: Any) -> tuple[tuple[Column[Any], Column[Any]], ...]:
    return tuple(pairs or ())


def _tables(mapper: Mapper[Any]) -> list[Table]:
    return cast("list[Table]", list(mapper.tables))


def _info(mapper: Mapper[Any]) -> _MapperInfo:
    try:
        return _infos[mapper]
    except KeyError:
        info = _infos[mapper] = _MapperInfo(mapper)
        return info


# -- planning ----------------------------------------------------------------


@dataclass
class _Plan:
    """Everything a bulk insert writes, computed before any SQL runs."""

    states: list[State]
    dicts: dict[State, dict[str, Any]]
    #: table -> rows (column key -> value), in insertion order
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    #: (table, column) -> [(primary key values, value)] written after the inserts
    deferred: dict[tuple[Table, Column[Any]], list[tuple[tuple[Any, ...], Any]]] = (
        field(default_factory=lambda: defaultdict(list))
    )
    #: link table -> unique rows
    links: dict[Table, dict[tuple[Any, ...], dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    #: state -> attribute keys the database fills (expired after the insert)
    expire: dict[State, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: saved states -> relationship keys whose pending changes are written here
    written_changes: list[tuple[State, str]] = field(default_factory=list)
    #: (state, foreign key column) -> the new state and table of the row it points to
    references: dict[tuple[State, Column[Any]], tuple[State, Table]] = field(
        default_factory=dict
    )
    #: state -> its relationships that hold objects (found by ``_check_plain``,
    #: followed by ``_copy_foreign_keys``)
    linked: dict[State, list[_Link]] = field(default_factory=dict)

    def value(self, state: State, column: Column[Any]) -> Any:
        """The value of ``column`` on ``state`` (loads it if a saved one expired)."""
        dict_ = self.dicts.get(state)
        if dict_ is None:
            dict_ = self.dicts[state] = state.dict
        attribute = _info(state.mapper).attribute_of[column]
        if attribute in dict_:
            return dict_[attribute]
        return state.mapper._get_state_attr_by_column(
            state, dict_, column, passive=PassiveFlag.PASSIVE_OFF
        )


def _plan_bulk_insert(session: Session) -> _Plan | None:
    states = [instance_state(obj) for obj in session.new]
    new = set(states)
    plan = _Plan(states=states, dicts={state: state.dict for state in states})
    try:
        for state in states:
            _check_plain(plan, state, new)
        saved_links = _saved_links_to_new(session, new)
        _hand_out_ids(session, states)
        _copy_inherited_keys(plan)
        plan.states.sort(key=lambda state: _insert_order(plan, state))
        _copy_foreign_keys(plan, new, saved_links)
        _build_rows(plan)
    except _NotPlain:
        return None
    return plan


def _related_states(link: _Link, value: Any) -> list[State]:
    if value is None:
        return []
    if link.uselist:
        return [instance_state(item) for item in value]
    return [instance_state(value)]


def _check_plain(plan: _Plan, state: State, new: set[State]) -> None:
    """Refuse what the bulk path cannot write; note the links it follows."""
    info = _info(state.mapper)
    if (
        not info.plain
        or _has_insert_listeners(state.mapper)
        or state.mapper._is_orphan(state)
    ):
        raise _NotPlain
    dict_ = plan.dicts[state]
    linked = plan.linked[state] = []
    for link in info.links:
        related = _related_states(link, dict_.get(link.key))
        if not related:
            continue
        for other in related:
            if other not in new and (link.direction is ONETOMANY or other.key is None):
                # a saved child moved under a new parent, or an unsaved
                # object outside the session
                raise _NotPlain
        linked.append(link)


def _saved_links_to_new(
    session: Session, new: set[State]
) -> list[tuple[State, _Link, list[State]]]:
    """Collections of saved objects that gained new objects in this flush.

    The new side writes those links; a saved side that also changed in another
    way (removals, links to other saved objects) needs the normal flush.
    """
    links = []
    for state in list(session.identity_map._modified):
        for link in _info(state.mapper).links:
            if link.direction is MANYTOONE:
                continue  # the normal flush updates the saved row afterwards
            impl = state.manager[link.key].impl
            history = impl.get_history(state, state.dict, _HISTORY_FLAGS)
            added = [
                instance_state(obj) for obj in history.added or () if obj is not None
            ]
            added_new = [related for related in added if related in new]
            if not added_new:
                continue
            if len(added_new) != len(added) or history.deleted:
                raise _NotPlain
            links.append((state, link, added_new))
    return links


def _insert_order(plan: _Plan, state: State) -> int:
    """Rows go in id order, so a parent created first is written first."""
    info = _info(state.mapper)
    if info.id_table is None:
        return 0
    return plan.dicts[state].get(info.id_attribute) or 0


# -- keys ------------------------------------------------------------------


def _states_without_ids(states: Iterable[State]) -> dict[Table, list[State]]:
    waiting: dict[Table, list[State]] = defaultdict(list)
    for state in states:
        info = _info(state.mapper)
        if info.id_table is not None and state.dict.get(info.id_attribute) is None:
            waiting[info.id_table].append(state)
    return waiting


def _hand_out_ids(session: Session, states: Iterable[State]) -> None:
    waiting = _states_without_ids(states)
    if not waiting:
        return
    connection = session.connection()
    for table, table_states in waiting.items():
        ids = _next_ids(connection, table, len(table_states))
        for state, new_id in zip(table_states, ids, strict=True):
            state.dict[_info(state.mapper).id_attribute] = new_id


def _next_ids(connection: Connection, table: Table, count: int) -> list[int]:
    column = table.autoincrement_column
    assert column is not None
    quote = connection.dialect.identifier_preparer.quote
    name, column_name = quote(table.name), quote(column.name)
    if connection.dialect.name == "postgresql":
        result = connection.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{name}', '{column.name}')) "
            f"FROM generate_series(1, {int(count)})"
        )
        return sorted(result.scalars())
    if connection.dialect.name == "sqlite":
        take_sqlite_write_lock(connection)
        highest_sql = f"SELECT max({column_name}) FROM {name}"
        if table.dialect_options["sqlite"]["autoincrement"]:
            # AUTOINCREMENT: never below an id handed out before (issue 18)
            highest_sql = (
                f"SELECT max(coalesce(({highest_sql}), 0), coalesce((SELECT seq "
                f"FROM sqlite_sequence WHERE name = '{table.name}'), 0))"
            )
        highest = connection.exec_driver_sql(highest_sql)
        start = (highest.scalar() or 0) + 1
        return list(range(start, start + count))
    raise _NotPlain


def _hand_out_sqlite_ids(session: Session) -> None:
    """On SQLite, ids known before the flush let SQLAlchemy batch the INSERTs."""
    if len(session.new) < 2 or session.get_bind().dialect.name != "sqlite":
        return
    states = [instance_state(obj) for obj in session.new]
    if any(len(group) > 1 for group in _states_without_ids(states).values()):
        _hand_out_ids(session, states)


def _copy_inherited_keys(plan: _Plan) -> None:
    """A joined-inheritance row shares the primary key of its parent row."""
    for state in plan.states:
        dict_ = plan.dicts[state]
        for parent_key, child_key in _info(state.mapper).inherited_keys:
            dict_[child_key] = dict_.get(parent_key)


# -- foreign keys ------------------------------------------------------------


def _copy_foreign_keys(
    plan: _Plan, new: set[State], saved_links: list[tuple[State, _Link, list[State]]]
) -> None:
    for state in plan.states:
        dict_ = plan.dicts[state]
        for link in plan.linked[state]:
            _link(plan, new, state, link, _related_states(link, dict_[link.key]))
    for state, link, added in saved_links:
        _link(plan, new, state, link, added)
        plan.written_changes.append((state, link.key))


def _link(
    plan: _Plan, new: set[State], state: State, link: _Link, related: list[State]
) -> None:
    """Write the keys between ``state`` and each of ``related`` along ``link``."""
    if link.direction is MANYTOMANY:
        for other in related:
            _add_link_row(plan, state, link, other)
        return
    if link.direction is MANYTOONE:
        # one child (state), the same key columns for every parent
        child_dict = plan.dicts[state]
        attribute_of = _info(state.mapper).attribute_of
        for parent in related:
            _copy_key(plan, parent, state, child_dict, attribute_of, link, new)
        return
    for child in related:
        child_dict = plan.dicts[child]
        attribute_of = _info(child.mapper).attribute_of
        _copy_key(plan, state, child, child_dict, attribute_of, link, new)


def _copy_key(
    plan: _Plan,
    parent: State,
    child: State,
    child_dict: dict[str, Any],
    attribute_of: dict[Column[Any], str],
    link: _Link,
    new: set[State],
) -> None:
    parent_is_new = parent in new
    for source, target in link.synchronize_pairs:
        value = plan.value(parent, source)
        if value is None:
            raise _NotPlain  # a key the database has not given yet
        child_dict[attribute_of[target]] = value
        if parent_is_new:
            plan.references[(child, target)] = (parent, source.table)


def _add_link_row(plan: _Plan, state: State, link: _Link, related: State) -> None:
    row = {
        target.key: plan.value(state, source)
        for source, target in link.synchronize_pairs
    }
    for source, target in link.secondary_pairs:
        row[target.key] = plan.value(related, source)
    if None in row.values():
        raise _NotPlain
    assert link.secondary is not None
    # the same key order from both sides of the link table
    plan.links[link.secondary][tuple(map(row.__getitem__, link.row_keys))] = row


# -- rows --------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _table_order(metadata: MetaData, table_count: int) -> dict[Table, int]:
    """Tables in foreign-key order (sorting them costs ~0.5 ms; once per schema).

    ``table_count`` is part of the cache key: a table defined later
    gives a new order.
    """
    return {table: i for i, table in enumerate(metadata.sorted_tables)}


def _build_rows(plan: _Plan) -> None:
    metadata = cast(Table, plan.states[0].mapper.local_table).metadata
    order = _table_order(metadata, len(metadata.tables))
    position: dict[Table, dict[State, int]] = defaultdict(dict)
    per_table: dict[Table, list[State]] = defaultdict(list)
    for state in plan.states:
        for table in _info(state.mapper).tables:
            position[table][state] = len(per_table[table])
            per_table[table].append(state)
    references_of: dict[State, list[tuple[Column[Any], State, Table]]] = defaultdict(
        list
    )
    for (state, column), (target, target_table) in plan.references.items():
        references_of[state].append((column, target, target_table))
    for table in sorted(per_table, key=order.__getitem__):
        rows = plan.rows[table] = []
        for state in per_table[table]:
            row = _row(plan, state, table)
            here = (order[table], position[table][state])
            for column, target, target_table in references_of.get(state, ()):
                if column.table is not table:
                    continue
                if (order[target_table], position[target_table][target]) >= here:
                    _defer(plan, table, state, column, row)
            rows.append(row)


def _row(plan: _Plan, state: State, table: Table) -> dict[str, Any]:
    info = _info(state.mapper)
    specs = info.row_specs[table]
    if specs is None:
        raise _NotPlain
    dict_ = plan.dicts[state]
    row: dict[str, Any] = {}
    for key, attribute, default_kind, default in specs:
        if attribute in dict_:
            row[key] = dict_[attribute]
        elif default_kind == _DEFAULT_NONE:
            row[key] = None
        elif default_kind == _DEFAULT_SCALAR:
            row[key] = dict_[attribute] = default
        else:
            plan.expire[state].append(attribute)
    for key in info.key_columns[table]:
        if row.get(key) is None:
            raise _NotPlain
    return row


def _defer(
    plan: _Plan, table: Table, state: State, column: Column[Any], row: dict[str, Any]
) -> None:
    if not column.nullable:
        raise _NotPlain
    primary_key = tuple(row[key.key] for key in table.primary_key.columns)
    plan.deferred[(table, column)].append((primary_key, row[column.key]))
    row[column.key] = None


# -- running -----------------------------------------------------------------


def _run_in_flush_transaction(session: Session, plan: _Plan) -> None:
    """Write the plan as a flush would: all of it, or nothing (objects stay pending)."""
    transaction = session._autobegin_t()._begin()
    try:
        _execute(session.connection(), plan)
        _mark_persistent(session, plan)
    except BaseException:
        transaction.rollback(_capture_exception=True)
        raise
    transaction.commit()


#: After a SQLite flush of this many rows the query planner's statistics are
#: refreshed: without them it may, say, scan a project's 10 000 tasks instead
#: of one user's 200 resource links.  Every table is analyzed, each index
#: sampled (about :data:`SQLITE_ANALYSIS_LIMIT` rows, ~5 ms at 10 000 tasks):
#: ``PRAGMA optimize`` skips the tables without a secondary index (Entities,
#: Statuses, ...), and a table without statistics counts as a million rows,
#: so a status looked up by code scanned every SimpleEntities row (issue 20).
SQLITE_STATISTICS_ROWS = 1000
SQLITE_ANALYSIS_LIMIT = 1000


def _execute(connection: Connection, plan: _Plan) -> None:
    for table, rows in plan.rows.items():
        _insert(connection, table, rows)
    for link_table, unique_rows in plan.links.items():
        _insert(connection, link_table, list(unique_rows.values()))
    written = sum(map(len, plan.rows.values())) + sum(map(len, plan.links.values()))
    if connection.dialect.name == "sqlite" and written >= SQLITE_STATISTICS_ROWS:
        _refresh_sqlite_statistics(connection)
    for (table, column), changes in plan.deferred.items():
        keys = list(table.primary_key.columns)
        statement = (
            update(table)
            .where(and_(*(key == bindparam(f"pk_{key.key}") for key in keys)))
            .values({column.key: bindparam("new_value")})
        )
        parameters = [
            {
                "new_value": value,
                **{f"pk_{k.key}": v for k, v in zip(keys, pk, strict=True)},
            }
            for pk, value in changes
        ]
        connection.execute(statement, parameters)


def _refresh_sqlite_statistics(connection: Connection) -> None:
    """``ANALYZE`` every table, sampling the indexes (the limit is reset after)."""
    connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
    try:
        connection.exec_driver_sql("ANALYZE")
    finally:
        connection.exec_driver_sql("PRAGMA analysis_limit=0")


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany per set of columns (defaults differ otherwise).

    The values go to the driver converted by the columns' bind processors
    (:mod:`stalker.db.driver`), unless an omitted column has a Python-side
    default that SQLAlchemy must compute while executing.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row)].append(row)
    for keys, group in groups.items():
        if _python_defaults_omitted(table, keys):
            connection.execute(table.insert(), group)
            continue
        insert_rows(connection, table, keys, group)


def _python_defaults_omitted(table: Table, keys: tuple[str, ...]) -> bool:
    present = set(keys)
    return any(
        column.default is not None
        for column in table.columns
        if column.key not in present
    )


def _mark_persistent(session: Session, plan: _Plan) -> None:
    session._register_persistent(set(plan.states))
    for state, keys in plan.expire.items():
        state._expire_attributes(plan.dicts[state], keys)
    for state, key in plan.written_changes:
        state.committed_state.pop(key, None)
        pending = state.__dict__.get("_pending_mutations")
        if pending:
            pending.pop(key, None)
        if not state.committed_state and not pending:
            state.modified = False
            session.identity_map._modified.discard(state)
