"""Shot and asset lists from CSV/TSV, and the writer every importer shares.

Rows are read into plain records first (text -> typed values, with the
column of every refusal), then written through the constructors, one
SAVEPOINT per row: a refused row rolls back to where it started, so it
writes nothing, and the same code produces the dry-run report (the whole
import runs inside one more SAVEPOINT that is rolled back).

Columns (header names are matched case-insensitively; spaces, ``-`` and
``_`` are the same; ``columns=`` maps any other header):

==============  ==============================================  =============
column          meaning                                         also accepted
==============  ==============================================  =============
sequence        sequence code (created when missing)            seq
shot            shot code                                       shot code
cut_in          first frame (int)                               cut in, in
cut_out         last frame (int, >= cut_in)                     cut out, out
fps             frame rate (> 0; empty: the project's)          frame rate
description     free text                                       desc
asset           asset code (a row with it is an asset row)      asset code
asset_type      the asset's Type name (created when missing)    type
task_template   TaskTemplate name, applied to new shots/assets  template
assignees       ``Task:login,login;Task:login`` or ``login ...``  artists
==============  ==============================================  =============

Plain assignees (no ``Task:``) go to every task of the template, or to the
shot or asset itself when the row names no template.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from stalker.exceptions import StalkerError
from stalker.interchange.task_template import TaskTemplate, find_users

#: ``progress(done, total)``, called after every row.
Progress = Callable[[int, int], None]

COLUMNS = (
    "sequence",
    "shot",
    "cut_in",
    "cut_out",
    "fps",
    "description",
    "asset",
    "asset_type",
    "task_template",
    "assignees",
)

_ALIASES = {
    "seq": "sequence",
    "sequence code": "sequence",
    "shot code": "shot",
    "shot name": "shot",
    "cut in": "cut_in",
    "in": "cut_in",
    "frame in": "cut_in",
    "cut out": "cut_out",
    "out": "cut_out",
    "frame out": "cut_out",
    "frame rate": "fps",
    "framerate": "fps",
    "desc": "description",
    "asset code": "asset",
    "asset name": "asset",
    "asset type": "asset_type",
    "type": "asset_type",
    "task template": "task_template",
    "template": "task_template",
    "assignee": "assignees",
    "artists": "assignees",
}

#: Which column an error about a model attribute belongs to.
_ATTRIBUTE_COLUMNS = {
    "code": "shot",
    "cut_in": "cut_in",
    "cut_out": "cut_out",
    "fps": "fps",
    "_fps": "fps",
    "description": "description",
    "type": "asset_type",
    "resources": "assignees",
}


@dataclass(frozen=True)
class Refusal:
    """A row that was not imported: its number (the header is row 1), why."""

    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class Change:
    """An attribute of an existing shot or asset that the import changed."""

    entity: str
    attribute: str
    old: Any
    new: Any


@dataclass
class ImportReport:
    """What an import created, changed and refused (the same for a dry run)."""

    dry_run: bool = False
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


class RowError(StalkerError, ValueError):
    """A cell that cannot be read; ``column`` names it."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


@dataclass
class ShotRecord:
    """One shot (or, with ``asset`` set, one asset) as plain values."""

    row: int
    code: str
    sequence: str | None = None
    cut_in: int | None = None
    cut_out: int | None = None
    fps: float | None = None
    description: str | None = None
    record_in: int | None = None
    asset: bool = False
    asset_type: str | None = None
    task_template: str | None = None
    assignees: dict[str | None, list[str]] = field(default_factory=dict)


# --- reading --------------------------------------------------------------


def _normal(header: str) -> str:
    return " ".join(re.split(r"[\s_\-]+", header.strip().lower())).strip()


def map_headers(
    headers: Iterable[str], columns: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """``{header: column}`` and the headers that map to nothing.

    A file that names no ``shot`` and no ``asset`` column, or two headers
    for one column, is refused as a whole (ValueError).
    """
    explicit = {_normal(k): v for k, v in (columns or {}).items()}
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        key = _normal(header)
        column = explicit.get(key) or _ALIASES.get(key) or key.replace(" ", "_")
        if column not in COLUMNS:
            ignored.append(header)
            continue
        if column in mapping.values():
            raise ValueError(
                f"shot list: headers should name each column once, not {column!r} "
                f"twice (header {header!r})"
            )
        mapping[header] = column
    if not {"shot", "asset"} & set(mapping.values()):
        raise ValueError(
            "shot list: headers should include a 'shot' or an 'asset' column, "
            f"not {list(headers)!r}"
        )
    return mapping, ignored


def _int(column: str, text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise RowError(column, f"should be an int frame number, not {text!r}") from None


def _fps(text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError("fps", f"should be a number, not {text!r}") from None
    if not value > 0:
        raise RowError("fps", f"should be a number > 0, not {text!r}")
    return value


def parse_assignees(text: str) -> dict[str | None, list[str]]:
    """``"Anim:a,b; Comp:c"`` -> ``{"Anim": ["a", "b"], "Comp": ["c"]}``.

    Logins without a task name are keyed by None.
    """
    result: dict[str | None, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        task, _, logins = part.rpartition(":")
        names = [x for x in re.split(r"[\s,]+", logins) if x]
        if not names:
            raise RowError("assignees", f"should name logins, not {part!r}")
        result.setdefault(task.strip() or None, []).extend(names)
    return result


def record_from(row: int, cells: Mapping[str, str]) -> ShotRecord:
    """A typed record from one row's ``{column: text}``; RowError names the cell."""
    shot, asset = cells.get("shot", ""), cells.get("asset", "")
    if shot and asset:
        raise RowError("asset", "a row should name a shot or an asset, not both")
    if not shot and not asset:
        raise RowError("shot", "should be a shot code (or fill the asset column)")
    if asset and not cells.get("asset_type"):
        raise RowError("asset_type", "should name the asset's type")
    record = ShotRecord(
        row=row,
        code=shot or asset,
        asset=bool(asset),
        sequence=cells.get("sequence") or None,
        cut_in=_int("cut_in", cells.get("cut_in", "")),
        cut_out=_int("cut_out", cells.get("cut_out", "")),
        fps=_fps(cells.get("fps", "")),
        description=cells.get("description") or None,
        asset_type=cells.get("asset_type") or None,
        task_template=cells.get("task_template") or None,
        assignees=parse_assignees(cells.get("assignees", "")),
    )
    if (
        record.cut_in is not None
        and record.cut_out is not None
        and record.cut_out < record.cut_in
    ):
        raise RowError("cut_out", f"should be >= cut_in ({record.cut_in})")
    return record


def _open(source: str | Path | IO[str]) -> tuple[str, str | None]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        return path.read_text(encoding="utf-8-sig"), path.suffix.lower()
    return source.read(), None


def read_rows(
    source: str | Path | IO[str],
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """``[(row number, {column: text})]`` and the ignored headers."""
    text, suffix = _open(source)
    if delimiter is None:
        if suffix in (".tsv", ".tab"):
            delimiter = "\t"
        else:
            first = text.split("\n", 1)[0]
            delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    headers = next(reader, None)
    if headers is None:
        raise ValueError("shot list: the file should start with a header row")
    mapping, ignored = map_headers(headers, columns)
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {
            mapping[h]: cell.strip()
            for h, cell in zip(headers, cells, strict=False)
            if h in mapping
        }
        rows.append((number, values))
    return rows, ignored


# --- writing --------------------------------------------------------------


def _column_of(error: Exception) -> str:
    match = re.match(r"\w+\.(\w+)", str(error))
    return _ATTRIBUTE_COLUMNS.get(match.group(1), "") if match else ""


class ShotWriter:
    """Creates or updates the shots and assets of one project, row by row."""

    def __init__(self, session: Any, project: Any, report: ImportReport) -> None:
        from stalker.models.asset import Asset
        from stalker.models.sequence import Sequence
        from stalker.models.shot import Shot
        from stalker.models.type import Type

        self.session = session
        self.project = project
        self.report = report
        # what the row being written adds to the report once it is kept
        self._pending_created: list[str] = []
        self._pending_updated: list[Change] = []
        with session.no_autoflush:
            tasks = session.scalars(
                select(Shot).where(Shot.project_id == project.id)
            ).all()
            self.shots = {shot.code: shot for shot in tasks}
            self.assets = {
                a.code: a
                for a in session.scalars(
                    select(Asset).where(Asset.project_id == project.id)
                )
            }
            self.sequences = {
                s.code: s
                for s in session.scalars(
                    select(Sequence).where(Sequence.project_id == project.id)
                )
            }
            self.templates = {t.name: t for t in session.scalars(select(TaskTemplate))}
            self.asset_types = {
                t.name: t
                for t in session.scalars(
                    select(Type).where(Type.target_entity_type == "Asset")
                )
            }

    def write(self, record: ShotRecord) -> None:
        """Write one record in its own SAVEPOINT; a refusal lands in the report."""
        savepoint = self.session.begin_nested()
        caches: list[tuple[dict[str, Any], str, Any]] = []
        try:
            with self.session.no_autoflush:
                self._write(record, caches)
            self.session.flush()
        except RowError as error:
            savepoint.rollback()
            self._refuse(record.row, error.column, str(error))
        except (TypeError, ValueError, sa_exc.SQLAlchemyError) as error:
            savepoint.rollback()
            self._refuse(record.row, _column_of(error), str(error).split("\n")[0])
        else:
            savepoint.commit()
            for cache, key, value in caches:
                cache[key] = value
            self.report.created.extend(self._pending_created)
            self.report.updated.extend(self._pending_updated)
            if not self._pending_created and not self._pending_updated:
                self.report.unchanged.append(self._label(record))
        finally:
            self._pending_created = []
            self._pending_updated = []

    def _refuse(self, row: int, column: str, reason: str) -> None:
        self.report.refused.append(Refusal(row, column, reason))

    @staticmethod
    def _label(record: ShotRecord) -> str:
        return f"{'Asset' if record.asset else 'Shot'} {record.code}"

    def _write(self, record: ShotRecord, caches: list[Any]) -> None:
        self._pending_created, self._pending_updated = [], []
        template = self._template(record)
        existing = (self.assets if record.asset else self.shots).get(record.code)
        if existing is not None:
            self._update(existing, record)
            return
        entity = self._asset(record) if record.asset else self._shot(record, caches)
        self._pending_created.append(self._label(record))
        caches.append(
            (self.assets if record.asset else self.shots, record.code, entity)
        )
        self._assign(entity, template, record)

    def _template(self, record: ShotRecord) -> TaskTemplate | None:
        if record.task_template is None:
            return None
        template = self.templates.get(record.task_template)
        if template is None:
            raise RowError(
                "task_template",
                f"should name a stored TaskTemplate {sorted(self.templates)}, "
                f"not {record.task_template!r}",
            )
        return template

    def _sequence(self, record: ShotRecord, caches: list[Any]) -> list[Any]:
        from stalker.models.sequence import Sequence

        if record.sequence is None:
            return []
        sequence = self.sequences.get(record.sequence)
        if sequence is None:
            sequence = Sequence(
                name=record.sequence, code=record.sequence, project=self.project
            )
            caches.append((self.sequences, record.sequence, sequence))
            self._pending_created.append(f"Sequence {record.sequence}")
        return [sequence]

    def _shot(self, record: ShotRecord, caches: list[Any]) -> Any:
        from stalker.models.shot import Shot

        return Shot(
            code=record.code,
            name=record.code,
            project=self.project,
            sequences=self._sequence(record, caches),
            cut_in=record.cut_in,
            cut_out=record.cut_out,
            fps=record.fps,
            record_in=record.record_in,
            description=record.description or "",
        )

    def _asset(self, record: ShotRecord) -> Any:
        from stalker.models.asset import Asset
        from stalker.models.type import Type

        assert record.asset_type is not None
        kind = self.asset_types.get(record.asset_type)
        if kind is None:
            kind = Type(
                name=record.asset_type,
                code=record.asset_type,
                target_entity_type="Asset",
            )
            self.session.add(kind)
            self.asset_types[record.asset_type] = kind
            self._pending_created.append(f"Type {record.asset_type}")
        return Asset(
            code=record.code,
            name=record.code,
            type=kind,
            project=self.project,
            description=record.description or "",
        )

    def _assign(
        self, entity: Any, template: TaskTemplate | None, record: ShotRecord
    ) -> None:
        everyone = record.assignees.get(None, [])
        if template is None:
            if set(record.assignees) - {None}:
                raise RowError("assignees", "names tasks but the row has no template")
            entity.resources = find_users(self.session, everyone, entity, "resources")
            return
        names = [spec.name for spec in template.tasks]
        resources: dict[str, list[Any]] = {}
        for task, logins in record.assignees.items():
            if task is not None and task not in names:
                raise RowError(
                    "assignees", f"should name tasks of {template.name!r}: {task!r}"
                )
            for name in names if task is None else [task]:
                resources.setdefault(name, []).extend(logins)
        try:
            tasks = template.apply(entity, resources=resources)
        except ValueError as error:
            raise RowError("assignees", str(error)) from None
        self._pending_created.extend(f"Task {record.code}/{t.name}" for t in tasks)

    def _update(self, entity: Any, record: ShotRecord) -> None:
        wanted: dict[str, Any] = {"description": record.description or ""}
        if not record.asset:
            wanted.update(cut_in=record.cut_in, cut_out=record.cut_out)
            wanted.update(fps=record.fps, record_in=record.record_in)
        label = self._label(record)
        for attribute, new in wanted.items():
            stored = "_fps" if attribute == "fps" else attribute
            old = getattr(entity, stored)
            if new is None or new == old:
                continue
            self._pending_updated.append(Change(label, attribute, old, new))
        changes = {c.attribute: c.new for c in self._pending_updated}
        if "cut_in" in changes or "cut_out" in changes:
            # both bounds at once: widen first so neither validator couples
            cut_in = changes.get("cut_in", entity.cut_in)
            cut_out = changes.get("cut_out", entity.cut_out)
            _move_cut(entity, cut_in, cut_out)
        for attribute in ("description", "fps", "record_in"):
            if attribute in changes:
                setattr(entity, attribute, changes[attribute])


def _move_cut(shot: Any, cut_in: int, cut_out: int) -> None:
    """Set both cut bounds without the validators coupling them; the source
    range follows the new cut (an edit's source handles are not kept)."""
    shot.cut_out = max(cut_out, shot.cut_out)
    shot.cut_in = cut_in
    shot.cut_out = cut_out
    if shot.source_out is not None and cut_in > shot.source_out:
        shot.source_out, shot.source_in = cut_out, cut_in
    else:
        shot.source_in, shot.source_out = cut_in, cut_out


def write_records(
    session: Any,
    project: Any,
    records: Iterable[ShotRecord | Refusal],
    *,
    dry_run: bool = False,
    commit: bool = True,
    progress: Progress | None = None,
    report: ImportReport | None = None,
    bulk: bool = False,
) -> ImportReport:
    """Write parsed records (Refusals pass straight into the report).

    ``bulk`` writes the new shots through :mod:`stalker.interchange.bulk`
    (a few INSERTs per table; the report lists its rows first).
    """
    items = list(records)
    report = report or ImportReport()
    report.dry_run = dry_run
    report.rows = len(items)
    session.flush()
    outer = session.begin_nested()
    try:
        writer = ShotWriter(session, project, report)
        done = 0
        if bulk:
            from stalker.interchange.bulk import BulkShots

            shots = [item for item in items if isinstance(item, ShotRecord)]
            report.refused.extend(i for i in items if isinstance(i, Refusal))
            left = BulkShots(writer).write(shots)
            done = len(items) - len(left)
            items = list(left)
            if progress is not None:
                progress(done, report.rows)
        for item in items:
            if isinstance(item, Refusal):
                report.refused.append(item)
            else:
                writer.write(item)
            done += 1
            if progress is not None:
                progress(done, report.rows)
        report.refused.sort(key=lambda refusal: refusal.row)
    except BaseException:
        outer.rollback()
        raise
    if dry_run:
        outer.rollback()
    else:
        outer.commit()
        if commit:
            session.commit()
    return report


def import_shot_list(
    source: str | Path | IO[str],
    project: Any,
    *,
    dry_run: bool = False,
    columns: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    progress: Progress | None = None,
    commit: bool = True,
    session: Any = None,
    bulk: bool = True,
) -> ImportReport:
    """Import a CSV/TSV shot and asset list into ``project``.

    Re-importing the same file creates nothing; a changed cut, frame rate or
    description updates the shot and is listed in ``report.updated``.
    ``dry_run`` reports the same without writing anything.  New shots go
    through the bulk path (rows equal to the constructors', a few INSERTs
    per table); ``bulk=False`` builds every one with the constructors.
    """
    if session is None:
        from stalker.db.session import DBSession

        session = DBSession()
    rows, ignored = read_rows(source, columns, delimiter)
    records: list[ShotRecord | Refusal] = []
    for number, cells in rows:
        try:
            records.append(record_from(number, cells))
        except RowError as error:
            records.append(Refusal(number, error.column, str(error)))
    report = ImportReport(ignored_columns=ignored)
    return write_records(
        session,
        project,
        records,
        dry_run=dry_run,
        commit=commit,
        progress=progress,
        report=report,
        bulk=bulk,
    )
