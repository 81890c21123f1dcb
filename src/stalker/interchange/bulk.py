"""The bulk path: new shots and their template tasks in a few INSERTs per table.

Building thousands of ORM objects is what makes a large import slow, so new
shots are made from a *prototype*: for each (template, assignees) group one
shot and its tasks are built by the constructors and flushed inside a
SAVEPOINT, their rows are read back and the SAVEPOINT is rolled back.  Each
record's own values (code, name, cut, fps, description, record_in) are then
run through the same validators on the prototype, and every row of the
prototype is cloned with new ids: the rows are exactly what the constructors
write, one validation code path, and the database sees one ``executemany``
per table.

Ids are taken from the backend's own counter (PostgreSQL ``nextval`` over
``generate_series``; SQLite's ``AUTOINCREMENT`` high-water mark, under the
write lock the transaction already holds), so later ORM inserts never clash.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, or_, select, text

from stalker.db.declarative import Base
from stalker.interchange.shot_list import (
    ImportReport,
    Refusal,
    ShotRecord,
    ShotWriter,
    _column_of,
    _move_cut,
)

#: Columns that hold a SimpleEntity id (remapped when a row is cloned).
_ENTITY_TABLES = {"SimpleEntities", "Entities", "Tasks", "Shots"}


def _clone_tables() -> list[Table]:
    """The Shot inheritance tables and the link tables that name a task/shot."""
    chosen = []
    for table in Base.metadata.sorted_tables:
        if table.name in _ENTITY_TABLES:
            chosen.append(table)
            continue
        names_task = any(
            fk.column.table.name in ("Tasks", "Shots") for fk in table.foreign_keys
        )
        if names_task and "id" not in table.c:
            chosen.append(table)
    return chosen


def _id_columns(table: Table) -> tuple[str, ...]:
    return _id_columns_of(table.name)


@functools.cache
def _id_columns_of(name: str) -> tuple[str, ...]:
    table = Base.metadata.tables[name]
    names = {
        fk.parent.name
        for fk in table.foreign_keys
        if fk.column.table.name in _ENTITY_TABLES
    }
    if table.name in _ENTITY_TABLES:
        names.add("id")
    return tuple(sorted(names))


@dataclass
class _Prototype:
    """Rows of one shot and its tasks, keyed by table, and the shot itself."""

    shot: Any
    ids: list[int]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    task_names: list[str] = field(default_factory=list)


def _read_rows(session: Any, ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    connection = session.connection()
    for table in _clone_tables():
        columns = [c for c in _id_columns(table) if c in table.c]
        if not columns:
            continue
        condition = or_(*(table.c[name].in_(ids) for name in columns))
        found = [
            dict(r._mapping) for r in connection.execute(select(table).where(condition))
        ]
        if found:
            rows[table.name] = found
    return rows


def _new_ids(session: Any, count: int) -> list[int]:
    """``count`` fresh SimpleEntities ids from the backend's own counter."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        result = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('\"SimpleEntities\"', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return [row[0] for row in result]
    table = Base.metadata.tables["SimpleEntities"]
    highest = connection.execute(select(func.max(table.c.id))).scalar() or 0
    try:
        seq = connection.execute(
            text("SELECT seq FROM sqlite_sequence WHERE name = 'SimpleEntities'")
        ).scalar()
    except Exception:  # no AUTOINCREMENT table: max(id) is the mark
        seq = None
    start = max(highest, seq or 0) + 1
    return list(range(start, start + count))


class BulkShots:
    """Creates the new shots of a record list through prototypes."""

    def __init__(self, writer: ShotWriter) -> None:
        self.writer = writer
        self.session = writer.session
        self.report: ImportReport = writer.report
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.links: list[dict[str, Any]] = []
        self.jobs: list[tuple[_Prototype, ShotRecord, dict[str, Any]]] = []

    def write(self, records: Iterable[ShotRecord]) -> list[ShotRecord]:
        """Bulk-write the new, templated shots; return the records left over."""
        rest: list[ShotRecord] = []
        groups: dict[tuple[Any, ...], list[ShotRecord]] = {}
        seen: set[str] = set()
        for record in records:
            if record.asset or record.code in self.writer.shots or record.code in seen:
                rest.append(record)  # updates (and repeats) go the ORM way
                continue
            seen.add(record.code)
            key = (record.task_template, _frozen(record.assignees))
            groups.setdefault(key, []).append(record)
        outcome: dict[int, tuple[list[str], Refusal | None]] = {}
        for group in groups.values():
            outcome.update(self._group(group))
        for record in sorted(
            (r for g in groups.values() for r in g), key=lambda r: r.row
        ):
            labels, refusal = outcome[record.row]
            if refusal is not None:
                self.report.refused.append(refusal)
            else:
                self.report.created.extend(labels)
        ids = iter(_new_ids(self.session, sum(len(p.ids) for p, _, _ in self.jobs)))
        for prototype, record, values in self.jobs:
            self._clone(prototype, record, values, ids)
        self._insert()
        updated = {record.code for record in rest if not record.asset}
        self._reload({r.code for _, r, _ in self.jobs if r.code in updated})
        return rest

    def _reload(self, codes: set[str]) -> None:
        """The new shots as ORM objects, for the rows that update them."""
        from stalker.models.shot import Shot

        if not codes:
            return
        query = select(Shot).where(
            Shot.project_id == self.writer.project.id, Shot.code.in_(codes)
        )
        with self.session.no_autoflush:
            self.writer.shots.update((s.code, s) for s in self.session.scalars(query))

    def _group(
        self, records: list[ShotRecord]
    ) -> dict[int, tuple[list[str], Refusal | None]]:
        first = records[0]
        outcome: dict[int, tuple[list[str], Refusal | None]] = {}
        # the template's types must outlive the prototype's SAVEPOINT; they
        # are kept only if a row of the group is written
        types_savepoint = self.session.begin_nested()
        savepoint = None
        try:
            self._ensure_types(first)
            savepoint = self.session.begin_nested()
            prototype = self._prototype(first)
        except (TypeError, ValueError) as error:
            if savepoint is not None:
                savepoint.rollback()
            types_savepoint.rollback()
            column = getattr(error, "column", None) or _column_of(error)
            reason = str(error).split("\n")[0]
            return {r.row: ([], Refusal(r.row, column, reason)) for r in records}
        try:
            values = []
            for record in records:
                try:
                    values.append((record, self._validate(prototype.shot, record)))
                except (TypeError, ValueError) as error:
                    reason = str(error).split("\n")[0]
                    outcome[record.row] = (
                        [],
                        Refusal(record.row, _column_of(error), reason),
                    )
        finally:
            savepoint.rollback()
        if values:
            types_savepoint.commit()
        else:
            types_savepoint.rollback()
        for record, shot_values in values:
            labels = self._sequence_labels(record)
            self.jobs.append((prototype, record, shot_values))
            labels.append(f"Shot {record.code}")
            labels += [f"Task {record.code}/{n}" for n in prototype.task_names]
            outcome[record.row] = (labels, None)
        return outcome

    def _ensure_types(self, record: ShotRecord) -> None:
        from stalker.interchange.task_template import _find_type

        template = self.writer._template(record)
        if template is None:
            return
        for spec in template.tasks:
            if spec.type is not None:
                self.session.add(_find_type(self.session, spec.type))
        self.session.flush()

    def _prototype(self, record: ShotRecord) -> _Prototype:
        from stalker.models.shot import Shot

        template = self.writer._template(record)
        with self.session.no_autoflush:
            shot = Shot(
                code=f"__bulk_{record.row}",
                name=record.code,
                project=self.writer.project,
                sequences=[],
                cut_in=1,
                cut_out=1,
            )
            self.writer._pending_created = []
            self.writer._assign(shot, template, record)
        self.session.flush()
        tasks = list(shot.children)
        ids = [shot.id, *(task.id for task in tasks)]
        prototype = _Prototype(shot, ids, _read_rows(self.session, ids))
        prototype.task_names = [task.name for task in tasks]
        self.writer._pending_created = []
        return prototype

    def _validate(self, shot: Any, record: ShotRecord) -> dict[str, Any]:
        """The record's values through the Shot validators (on the prototype)."""
        from stalker.models.mixins.code import CodeMixin

        with self.session.no_autoflush:
            shot.name = record.code
            code = CodeMixin._validate_code(shot, "code", record.code)
            cut_in, cut_out = record.cut_in, record.cut_out
            if cut_in is None:
                cut_in = 1 if cut_out is None else cut_out
            if cut_out is None:
                cut_out = cut_in
            _move_cut(shot, cut_in, cut_out)
            shot.fps = record.fps
            shot.record_in = record.record_in
            shot.description = record.description or ""
            return {
                "name": shot.name,
                "code": code,
                "description": shot.description,
                "cut_in": shot.cut_in,
                "cut_out": shot.cut_out,
                "source_in": shot.source_in,
                "source_out": shot.source_out,
                "record_in": shot.record_in,
                "fps": shot._fps,
            }

    def _sequence_labels(self, record: ShotRecord) -> list[str]:
        if record.sequence is None:
            return []
        labels: list[str] = []
        if record.sequence not in self.writer.sequences:
            from stalker.models.sequence import Sequence

            sequence = Sequence(
                name=record.sequence,
                code=record.sequence,
                project=self.writer.project,
            )
            self.session.flush()
            self.writer.sequences[record.sequence] = sequence
            labels.append(f"Sequence {record.sequence}")
        return labels

    def _clone(
        self,
        prototype: _Prototype,
        record: ShotRecord,
        values: dict[str, Any],
        ids: Iterable[int],
    ) -> None:
        new = dict(zip(prototype.ids, ids, strict=False))
        shot_id = new[prototype.ids[0]]
        for name, rows in prototype.rows.items():
            table = Base.metadata.tables[name]
            id_columns = _id_columns(table)
            for row in rows:
                row = dict(row)
                for column in id_columns:
                    if column in row and row[column] in new:
                        row[column] = new[row[column]]
                if row.get("id") == shot_id:
                    for key in values.keys() & row.keys():
                        row[key] = values[key]
                self.rows.setdefault(name, []).append(row)
        if record.sequence is not None:
            sequence = self.writer.sequences[record.sequence]
            self.links.append({"shot_id": shot_id, "sequence_id": sequence.id})

    def _insert(self) -> None:
        connection = self.session.connection()
        for table in _clone_tables():
            rows = self.rows.get(table.name)
            if rows:
                _execute_many(connection, table, rows)
        if self.links:
            table = Base.metadata.tables["Shot_Sequences"]
            _execute_many(connection, table, self.links)
        self.session.expire_all()


def _execute_many(connection: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """One INSERT of ``rows`` through the driver, binding each distinct value once.

    The rows repeat most values (dates, statuses, units), so running the
    column types' bind processors per distinct value instead of per cell is
    what keeps 10 000 rows cheap; the values are the ones the ORM would bind.
    """
    dialect = connection.dialect
    names = list(rows[0])
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    processors = {
        name: table.c[name].type._cached_bind_processor(dialect) for name in names
    }
    memo: dict[str, dict[Any, Any]] = {name: {} for name in names}

    def bound(name: str, value: Any) -> Any:
        process = processors[name]
        if process is None or value is None:
            return value
        cache = memo[name]
        try:
            return cache[value]
        except KeyError:
            cache[value] = result = process(value)
            return result
        except TypeError:  # unhashable
            return process(value)

    order = list(compiled.positiontup or []) if compiled.positional else names
    columns = [
        [bound(name, row[name]) for row in rows]
        if processors[name] is not None
        else [row[name] for row in rows]
        for name in order
    ]
    parameters: list[Any] = list(zip(*columns, strict=True))
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy(connection, table, order, parameters)
        return
    if not compiled.positional:
        parameters = [dict(zip(order, values, strict=True)) for values in parameters]
    connection.exec_driver_sql(compiled.string, parameters)


def _frozen(assignees: dict[str | None, list[str]]) -> tuple[Any, ...]:
    return tuple(sorted((k or "", tuple(v)) for k, v in assignees.items()))


def _copy(connection: Any, table: Table, names: list[str], rows: list[Any]) -> None:
    """PostgreSQL: ``COPY ... FROM STDIN``, many times faster than INSERTs."""
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()
