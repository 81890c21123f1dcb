"""Copying the planned rows into a new database of ours, ids kept."""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    ForeignKeyConstraint,
    Interval,
    Table,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.schema import sort_tables_and_constraints
from sqlalchemy.types import TypeDecorator

from stalker.migrations import runner
from stalker.migrations.legacy.plan import TABLE_RENAMES, Plan, make_plan
from stalker.migrations.legacy.report import MoveReport, TableCount
from stalker.migrations.legacy.source import (
    GENERATION_NAMES,
    read_source,
    serial_sequence,
)

_EPOCH = datetime.datetime(1970, 1, 1)
_UTC = datetime.timezone.utc


def move_legacy(source_url: str, target_url: str) -> MoveReport:
    """Copy a database of the original Stalker 0.2.28 / 1.1.x into a new one.

    The source is only read (SQLite is opened read-only); the target must be
    empty: it gets our schema at head, then every row of the source with its
    id, converted where our schema differs.  Whatever has no place in ours is
    listed in the returned report.  Schema and rows are written in one
    transaction: if anything fails, the target is left as empty as it was.
    """
    from alembic import command

    import stalker  # noqa: F401  (maps every class)
    from stalker.db.declarative import Base

    source = read_source(source_url)
    _require_empty(target_url)
    report = MoveReport(
        GENERATION_NAMES[source.generation], source.revision, runner.head()
    )
    tables = {name: Base.metadata.tables[name] for name in runner.stalker_table_names()}
    plan = make_plan(source, set(tables), report)
    rows = _convert(plan, tables, report)
    _drop_dangling(rows, tables, report)
    with runner.migration_connection(target_url) as connection:
        command.upgrade(runner.make_config(connection), "head")
        _insert(connection, rows, tables)
        _render_version_paths(connection, source.generation, report)
        _reset_sequences(connection, tables, source.high_water)
        _count(connection, plan, tables, report, source.generation)
    return report


def _require_empty(target_url: str) -> None:
    with runner.migration_connection(target_url, lock=False) as connection:
        if runner.has_stalker_tables(connection) or runner.current_revision(connection):
            raise ValueError(
                "stalker.migrations.legacy: the target database should be "
                "empty (the move creates it), but it already holds Stalker "
                "tables; nothing was changed"
            )


# -- values ------------------------------------------------------------------------


def _python_type(column: Column[Any]) -> type | None:
    """The Python type of a column, looking through our TypeDecorators."""
    kind = column.type
    if isinstance(kind, TypeDecorator) and not isinstance(kind, Interval):
        kind = kind.impl_instance
    try:
        return kind.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return None


def _as_datetime(value: Any) -> datetime.datetime:
    """Stored dates of the original are UTC; naive ones are read as UTC."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=_UTC)  # type: ignore[no-any-return]
    return value.astimezone(_UTC)  # type: ignore[no-any-return]


def _as_interval(value: Any) -> datetime.timedelta:
    """SQLite stores an interval as the date that far after the epoch."""
    if isinstance(value, datetime.timedelta):
        return value
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.replace(tzinfo=None) - _EPOCH  # type: ignore[no-any-return]


def _value(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, JSON):
        return json.loads(value) if isinstance(value, str) else value
    if isinstance(column.type, Interval):
        return _as_interval(value)
    kind = _python_type(column)
    if kind is datetime.datetime:
        return _as_datetime(value)
    if kind is bool:
        return bool(value)
    return value


def _fill(column: Column[Any]) -> tuple[bool, Any]:
    """A value for a NOT NULL column the original left empty, if one makes sense."""
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return True, default.arg  # type: ignore[attr-defined]
    if default is not None and getattr(default, "is_callable", False):
        try:
            return True, default.arg(None)  # type: ignore[attr-defined]
        except (TypeError, AttributeError):
            pass  # a default that needs the insert's context
    kind = _python_type(column)
    if kind is str:
        return True, ""
    if kind is datetime.datetime:
        return True, datetime.datetime.now(_UTC)
    return False, None


def _convert(
    plan: Plan, tables: dict[str, Table], report: MoveReport
) -> dict[str, list[dict[str, Any]]]:
    """Rows with exactly our columns, values converted, NOT NULL gaps filled."""
    converted: dict[str, list[dict[str, Any]]] = {}
    for name, rows in plan.items():
        table = tables[name]
        extra: Counter[str] = Counter()
        missing_required = 0
        filled: Counter[str] = Counter()
        out = []
        names = {column.name for column in table.columns}
        for row in rows:
            for key, value in row.items():
                if key not in names and value is not None:
                    extra[key] += 1
            new, ok = _convert_row(table, row, filled)
            if ok:
                out.append(new)
            else:
                missing_required += 1
        report.lost(
            name,
            missing_required,
            "a value this stalker requires is empty and has no default (row left out)",
        )
        for key, count in extra.items():
            report.lost(f"{name}.{key}", count, "this stalker has no such column")
        for key, count in filled.items():
            report.note(f"{name}.{key}", count, "empty in the original: default used")
        converted[name] = out
    return converted


def _convert_row(
    table: Table, row: dict[str, Any], filled: Counter[str]
) -> tuple[dict[str, Any], bool]:
    new: dict[str, Any] = {}
    for column in table.columns:
        value = _value(column, row.get(column.name))
        if value is None and not column.nullable:
            ok, value = _fill(column)
            if not ok:
                return new, False
            filled[column.key] += 1
        new[column.key] = value
    return new, True


def _drop_dangling(
    rows: dict[str, list[dict[str, Any]]],
    tables: dict[str, Table],
    report: MoveReport,
) -> None:
    """References to rows that did not come along: emptied, or the row is left.

    Leaving a row out may leave others pointing nowhere, so this repeats until
    nothing changes; each (column, action) is reported once with its ids.
    """
    missing: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    while True:
        present = {
            (name, column.key): {row[column.key] for row in table_rows}
            for name, table_rows in rows.items()
            for column in tables[name].columns
            if column.primary_key or column.unique
        }
        if not _drop_pass(rows, tables, present, missing):
            break
    for (where, target, action), ids in missing.items():
        shown = ", ".join(str(i) for i in sorted(set(ids), key=str)[:10])
        report.lost(
            where,
            len(ids),
            f"points to {target} rows that were not carried (ids {shown}"
            f"{', ...' if len(set(ids)) > 10 else ''}): {action}",
        )


def _drop_pass(
    rows: dict[str, list[dict[str, Any]]],
    tables: dict[str, Table],
    present: dict[tuple[str, str], set[Any]],
    missing: dict[tuple[str, str, str], list[Any]],
) -> bool:
    changed = False
    for name, table_rows in rows.items():
        kept = []
        for row in table_rows:
            keep = True
            for fk in tables[name].foreign_keys:
                key = fk.parent.key
                target = (fk.column.table.name, fk.column.key)
                if row[key] is None or row[key] in present.get(target, set()):
                    continue
                if fk.parent.nullable:
                    missing[(f"{name}.{fk.parent.name}", target[0], "emptied")].append(
                        row[key]
                    )
                    row[key] = None
                    continue
                missing[(f"{name}.{fk.parent.name}", target[0], "row left out")].append(
                    row[key]
                )
                keep, changed = False, True
                break
            if keep:
                kept.append(row)
        rows[name] = kept
    return changed


# -- writing -------------------------------------------------------------------------


def _insert(
    connection: Connection,
    rows: dict[str, list[dict[str, Any]]],
    tables: dict[str, Table],
) -> None:
    """Insert in foreign key order; cyclic references are set afterwards."""
    ordered = sort_tables_and_constraints(
        [tables[name] for name in rows if rows[name]], filter_fn=_set_afterwards
    )
    late: dict[str, set[str]] = defaultdict(set)
    for table, constraints in ordered:
        if table is not None:
            continue  # the constraints listed last are the ones left out
        for constraint in constraints:
            if constraint.table is not None:
                late[constraint.table.name].update(
                    column.key for column in constraint.columns
                )
    for table, _constraints in ordered:
        if table is None:
            continue
        postponed = late.get(table.name, set())
        # A surrogate key the original lacks is numbered by the database.
        generated = {
            column.key
            for column in table.primary_key.columns
            if all(row[column.key] is None for row in rows[table.name])
        }
        batch = [
            {
                k: (None if k in postponed else v)
                for k, v in row.items()
                if k not in generated
            }
            for row in rows[table.name]
        ]
        connection.execute(table.insert(), batch)
    for name, columns in late.items():
        _set_late(connection, tables[name], rows[name], columns)


def _set_afterwards(constraint: Any) -> bool | None:
    """Nullable references are set after every row is in (they form cycles)."""
    if isinstance(constraint, ForeignKeyConstraint) and all(
        column.nullable for column in constraint.columns
    ):
        return True
    return None


def _set_late(
    connection: Connection, table: Table, rows: list[dict[str, Any]], columns: set[str]
) -> None:
    keys = [column.key for column in table.primary_key.columns]
    for key in columns:
        params = [
            {**{f"pk_{k}": row[k] for k in keys}, "value": row[key]}
            for row in rows
            if row[key] is not None
        ]
        if not params:
            continue
        statement = update(table).values({key: bindparam("value")})
        for k in keys:
            statement = statement.where(table.c[k] == bindparam(f"pk_{k}"))
        connection.execute(statement, params)


def _reset_sequences(
    connection: Connection, tables: dict[str, Table], high_water: dict[str, int]
) -> None:
    """PostgreSQL: the next id follows the highest one the source ever gave."""
    if connection.dialect.name != "postgresql":
        return  # SQLite hands out max(id) + 1 by itself
    for name, table in tables.items():
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = serial_sequence(connection, name)
        if sequence is None:
            continue
        highest = connection.execute(select(func.max(table.c.id))).scalar() or 0
        highest = max(highest, high_water.get(name, 0))
        if highest:
            connection.execute(
                text("SELECT setval(:sequence, :value)"),
                {"sequence": sequence, "value": highest},
            )


def _render_version_paths(
    connection: Connection, generation: str, report: MoveReport
) -> None:
    """A 1.x version without files had no path: render ours from the templates."""
    if generation != "1.1":
        return
    from sqlalchemy.orm import Session

    from stalker.models.version import Version

    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    failed = 0
    try:
        pathless = select(Version).where(Version.full_path == "").order_by(Version.id)
        for version in session.scalars(pathless):
            try:
                with session.begin_nested():
                    version.update_paths()
            except (ValueError, TypeError, RuntimeError):
                failed += 1
        session.commit()  # releases this session's savepoint, not the move's
    finally:
        session.close()
    report.lost(
        "Versions.full_path",
        failed,
        "no filename template of the project's structure fits the version "
        "(path left empty; set one and call update_paths())",
    )


def _count(
    connection: Connection,
    plan: Plan,
    tables: dict[str, Table],
    report: MoveReport,
    generation: str,
) -> None:
    """Rows per table and per class: planned from the source, found in the target."""
    for name in sorted(plan):
        moved = connection.execute(select(func.count()).select_from(tables[name]))
        report.tables[name] = TableCount(
            name,
            _source_names(name, generation),
            len(plan[name]),
            int(moved.scalar() or 0),
        )
    source_classes = Counter(
        row["entity_type"] for row in plan.get("SimpleEntities", [])
    )
    entity_type = tables["SimpleEntities"].c.entity_type
    grouped = select(entity_type, func.count()).group_by(entity_type)
    target_classes: Counter[str] = Counter(
        {str(name): int(count) for name, count in connection.execute(grouped)}
    )
    for name in sorted(set(source_classes) | set(target_classes)):
        report.classes[name] = (source_classes[name], target_classes[name])


def _source_names(table: str, generation: str) -> str:
    names = [s for s, t in TABLE_RENAMES[generation].items() if t == table]
    if generation == "1.1" and table == "Links":
        names.append("Versions")
    if generation == "1.1" and table in ("Shot_Sequences", "Shot_Scenes"):
        names.append("Shots")
    return " + ".join(names) or table
