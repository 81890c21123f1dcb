"""Projects out (JSON, CSV per entity type) and back in (JSON).

The export is plain data: every entity with its id, references by id,
statuses by code, dates as ISO-8601 UTC strings, tasks parents first.  It
is read back by :func:`import_project`, which rebuilds the project through
the constructors in another database (new ids; users are matched by login,
types by name and target, repositories by code).  Users created by an
import get a random password: exports never carry secrets.
"""

from __future__ import annotations

import csv
import datetime
import json
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from stalker.interchange.shot_list import Progress
from stalker.interchange.task_template import TaskTemplate

FORMAT = "stalker-export"
FORMAT_VERSION = 1
_UTC = datetime.timezone.utc

#: The shot/asset/sequence columns besides the Task ones.
_SHOT_FIELDS = ("cut_in", "cut_out", "source_in", "source_out", "record_in")


def _iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC).isoformat().replace("+00:00", "Z")


def _date(text: str | None) -> datetime.datetime | None:
    if text is None:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _session(session: Any) -> Any:
    if session is None:
        from stalker.db.session import DBSession

        return DBSession()
    return session


# --- out ------------------------------------------------------------------


def _task_row(task: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": task.id,
        "entity_type": task.entity_type,
        "project": task.project_id,
        "parent": task.parent_id,
        "name": task.name,
        "code": getattr(task, "code", None),
        "description": task.description,
        "type": task.type_id,
        "status": task.status.code if task.status is not None else None,
        "priority": task.priority,
        "schedule_timing": task.schedule_timing,
        "schedule_unit": plain(task.schedule_unit),
        "schedule_model": plain(task.schedule_model),
        "start": _iso(task.start),
        "end": _iso(task.end),
        "resources": sorted(user.id for user in task.resources),
        "depends_on": [
            {
                "task": link.depends_on_id,
                "target": plain(link.dependency_target),
                "gap_timing": link.gap_timing,
                "gap_unit": plain(link.gap_unit),
                "gap_model": plain(link.gap_model),
            }
            for link in sorted(task.task_depends_on, key=lambda x: x.depends_on_id)
        ],
        "date_created": _iso(task.date_created),
    }
    if task.entity_type == "Shot":
        row.update({name: getattr(task, name) for name in _SHOT_FIELDS})
        row["fps"] = task._fps
        row["sequences"] = sorted(s.id for s in task.sequences)
    return row


def plain(value: Any) -> Any:
    """An enum member's plain value (the rest unchanged)."""
    return getattr(value, "value", value)


def _hierarchy_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents and depended-on tasks before the tasks that need them."""
    by_id = {row["id"]: row for row in rows}
    done: set[int] = set()
    ordered: list[dict[str, Any]] = []

    def visit(row: dict[str, Any], trail: frozenset[int]) -> None:
        if row["id"] in done or row["id"] in trail:
            return
        needs = [row["parent"], *(d["task"] for d in row["depends_on"])]
        needs += row.get("sequences", [])
        for other in needs:
            if other in by_id:
                visit(by_id[other], trail | {row["id"]})
        done.add(row["id"])
        ordered.append(row)

    for row in sorted(rows, key=lambda r: r["id"]):
        visit(row, frozenset())
    return ordered


def export_project(
    projects: Any | Iterable[Any] | None = None,
    *,
    session: Any = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The projects (default: the whole studio) as plain JSON-ready data."""
    from stalker.models.auth import User
    from stalker.models.project import Project
    from stalker.models.task import Task
    from stalker.models.type import Type
    from stalker.models.version import Version

    session = _session(session)
    if projects is None:
        projects = session.scalars(select(Project).order_by(Project.id)).all()
    elif isinstance(projects, Project):
        projects = [projects]
    projects = list(projects)
    ids = [p.id for p in projects]
    tasks = session.scalars(
        select(Task)
        .where(Task.project_id.in_(ids))
        .options(
            selectinload(Task.resources),
            selectinload(Task.task_depends_on),
            selectinload(Task.status),
        )
        .order_by(Task.id)
    ).all()
    versions = session.scalars(
        select(Version)
        .where(Version.task_id.in_([t.id for t in tasks]))
        .order_by(Version.id)
    ).all()
    total = len(tasks) + len(versions)
    rows = []
    for done, task in enumerate(tasks, start=1):
        rows.append(_task_row(task))
        if progress is not None:
            progress(done, total)
    task_rows = _hierarchy_order(rows)
    user_ids = {u for row in task_rows for u in row["resources"]}
    users = session.scalars(
        select(User).where(User.id.in_(user_ids)).order_by(User.id)
    ).all()
    type_ids = {row["type"] for row in task_rows} - {None}
    types = session.scalars(
        select(Type).where(Type.id.in_(type_ids)).order_by(Type.id)
    ).all()
    templates = session.scalars(select(TaskTemplate).order_by(TaskTemplate.id)).all()
    version_rows: list[dict[str, Any]] = []
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(datetime.datetime.now(_UTC)),
        "projects": [_project_row(p) for p in projects],
        "users": [
            {"id": u.id, "login": u.login, "name": u.name, "email": u.email}
            for u in users
        ],
        "types": [
            {
                "id": t.id,
                "name": t.name,
                "code": t.code,
                "target_entity_type": t.target_entity_type,
            }
            for t in types
        ],
        "task_templates": [
            {
                "name": t.name,
                "target_entity_type": t.target_entity_type,
                "description": t.description,
                "tasks": [spec.as_dict() for spec in t.tasks],
            }
            for t in templates
        ],
        "tasks": task_rows,
        "versions": version_rows,
    }
    for done, version in enumerate(versions, start=len(tasks) + 1):
        version_rows.append(_version_row(version))
        if progress is not None:
            progress(done, total)
    return data


def _project_row(project: Any) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "code": project.code,
        "description": project.description,
        "status": project.status.code if project.status is not None else None,
        "fps": project.fps,
        "start": _iso(project.start),
        "end": _iso(project.end),
        "repositories": [
            {
                "name": r.name,
                "code": r.code,
                "linux_path": r.linux_path,
                "windows_path": r.windows_path,
                "macos_path": r.macos_path,
            }
            for r in project.repositories
        ],
    }


def _version_row(version: Any) -> dict[str, Any]:
    return {
        "id": version.id,
        "task": version.task_id,
        "version_number": version.version_number,
        "take_name": version.take_name,
        "full_path": version.full_path,
        "is_published": version.is_published,
        "created_with": version.created_with,
        "parent": version.parent_id,
        "date_created": _iso(version.date_created),
    }


def write_json(data: Mapping[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    return path


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(
            str(v["task"]) if isinstance(v, dict) else str(v) for v in value
        )
    return "" if value is None else value


def write_csv(
    data: Mapping[str, Any], folder: str | Path, progress: Progress | None = None
) -> list[Path]:
    """One CSV per entity type (projects, users, types, sequences, shots, assets,
    tasks, versions); list cells join ids with ``;``.

    ``shots.csv`` names its columns like a shot list (``shot``, ``sequence``,
    ``cut_in``...), so it can be imported again with ``import_shot_list``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    codes = {row["id"]: row["code"] for row in data["tasks"]}
    tables: dict[str, list[dict[str, Any]]] = {
        "projects": [
            {k: v for k, v in p.items() if k != "repositories"}
            for p in data["projects"]
        ],
        "users": list(data["users"]),
        "types": list(data["types"]),
        "versions": list(data["versions"]),
    }
    for row in data["tasks"]:
        kind = {"Shot": "shots", "Asset": "assets", "Sequence": "sequences"}.get(
            row["entity_type"], "tasks"
        )
        if kind == "shots":
            row = {
                "id": row["id"],
                "shot": row["code"],
                "sequence": ";".join(codes[s] for s in row["sequences"]),
                **{k: v for k, v in row.items() if k not in ("id", "code")},
            }
        tables.setdefault(kind, []).append(row)
    written = []
    for done, (name, rows) in enumerate(sorted(tables.items()), start=1):
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as stream:
            headers = list(rows[0]) if rows else ["id"]
            writer = csv.DictWriter(stream, headers)
            writer.writeheader()
            writer.writerows({k: _cell(row.get(k)) for k in headers} for row in rows)
        written.append(path)
        if progress is not None:
            progress(done, len(tables))
    return written


# --- back in --------------------------------------------------------------


def _repository(cls: Any, row: Mapping[str, Any]) -> Any:
    """A Repository like the exported one; paths equal to the defaults are
    left to the constructor (a stored default need not pass the validator)."""
    repository = cls(name=row["name"], code=row["code"])
    for key in ("linux_path", "windows_path", "macos_path"):
        if row.get(key) != getattr(repository, key):
            setattr(repository, key, row[key])
    return repository


class _Rebuild:
    """Rebuilds exported projects; ``ids`` maps exported ids to new objects."""

    def __init__(self, session: Any, data: Mapping[str, Any]) -> None:
        self.session = session
        self.data = data
        self.users: dict[int, Any] = {}
        self.types: dict[int, Any] = {}
        self.projects: dict[int, Any] = {}
        self.tasks: dict[int, Any] = {}

    def run(self, progress: Progress | None) -> list[Any]:
        self._users()
        self._types()
        self._templates()
        self._projects()
        rows = self.data["tasks"]
        total = len(rows) + len(self.data["versions"])
        with self.session.no_autoflush:
            for done, row in enumerate(rows, start=1):
                self.tasks[row["id"]] = self._task(row)
                if progress is not None:
                    progress(done, total)
        self.session.flush()
        self._dependencies_and_statuses(rows)
        for done, row in enumerate(self.data["versions"], start=len(rows) + 1):
            self._version(row)
            if progress is not None:
                progress(done, total)
        self.session.flush()
        return list(self.projects.values())

    def _users(self) -> None:
        from stalker.models.auth import User

        for row in self.data["users"]:
            user = self.session.scalars(
                select(User).where(User.login == row["login"])
            ).first()
            if user is None:
                user = User(
                    name=row["name"],
                    login=row["login"],
                    email=row["email"],
                    password=secrets.token_urlsafe(24),
                )
                self.session.add(user)
            self.users[row["id"]] = user

    def _types(self) -> None:
        from stalker.models.type import Type

        for row in self.data["types"]:
            found = self.session.scalars(
                select(Type).where(
                    Type.name == row["name"],
                    Type.target_entity_type == row["target_entity_type"],
                )
            ).first()
            self.types[row["id"]] = found or Type(
                name=row["name"],
                code=row["code"],
                target_entity_type=row["target_entity_type"],
            )

    def _templates(self) -> None:
        names = set(self.session.scalars(select(TaskTemplate.name)))
        for row in self.data.get("task_templates", []):
            if row["name"] not in names:
                self.session.add(TaskTemplate(**row))

    def _projects(self) -> None:
        from stalker.models.project import Project
        from stalker.models.repository import Repository

        for row in self.data["projects"]:
            if self.session.scalars(
                select(Project).where(Project.code == row["code"])
            ).first():
                raise ValueError(
                    "import_project: the database should not hold a project coded "
                    f"{row['code']!r} already"
                )
            repositories = []
            for repo in row["repositories"]:
                found = self.session.scalars(
                    select(Repository).where(Repository.code == repo["code"])
                ).first()
                repositories.append(found or _repository(Repository, repo))
            project = Project(
                name=row["name"],
                code=row["code"],
                description=row["description"],
                fps=row["fps"],
                repositories=repositories,
                start=_date(row["start"]),
                end=_date(row["end"]),
            )
            self.session.add(project)
            self.projects[row["id"]] = project

    def _task(self, row: Mapping[str, Any]) -> Any:
        from stalker.models.asset import Asset
        from stalker.models.sequence import Sequence
        from stalker.models.shot import Shot
        from stalker.models.task import Task

        kwargs: dict[str, Any] = {
            "name": row["name"],
            "description": row["description"],
            "type": self.types.get(row["type"]),
            "priority": row["priority"],
            "schedule_timing": row["schedule_timing"],
            "schedule_unit": row["schedule_unit"],
            "schedule_model": row["schedule_model"],
            "resources": [self.users[u] for u in row["resources"]],
            "start": _date(row["start"]),
            "end": _date(row["end"]),
        }
        if row["parent"] is None:
            kwargs["project"] = self.projects[row["project"]]
        else:
            kwargs["parent"] = self.tasks[row["parent"]]
        kind = row["entity_type"]
        if kind == "Shot":
            shot_kwargs = {name: row[name] for name in _SHOT_FIELDS}
            sequences = [self.tasks[s] for s in row["sequences"]]
            if "project" not in kwargs:  # Shot takes its project explicitly
                kwargs["project"] = self.projects[row["project"]]
            return Shot(
                code=row["code"],
                sequences=sequences,
                fps=row["fps"],
                **shot_kwargs,
                **kwargs,
            )
        if kind in ("Asset", "Sequence"):
            cls = Asset if kind == "Asset" else Sequence
            return cls(code=row["code"], **kwargs)
        return Task(**kwargs)

    def _dependencies_and_statuses(self, rows: Iterable[Mapping[str, Any]]) -> None:
        from stalker.models.task import TaskDependency

        for row in rows:
            task = self.tasks[row["id"]]
            for link in row["depends_on"]:
                TaskDependency(
                    task=task,
                    depends_on=self.tasks[link["task"]],
                    dependency_target=link["target"],
                    gap_timing=link["gap_timing"],
                    gap_unit=link["gap_unit"],
                    gap_model=link["gap_model"],
                )
        self.session.flush()
        for row in rows:
            task = self.tasks[row["id"]]
            if row["status"] is not None and task.status.code != row["status"]:
                task.status = task.status_list[row["status"]]

    def _version(self, row: Mapping[str, Any]) -> Any:
        from stalker.models.version import Version

        version = Version(
            task=self.tasks[row["task"]],
            take_name=row["take_name"],
            version_number=row["version_number"],
            full_path=row["full_path"],
            created_with=row["created_with"],
        )
        version.is_published = row["is_published"]
        return version


def import_project(
    data: Mapping[str, Any] | str | Path,
    *,
    session: Any = None,
    progress: Progress | None = None,
    commit: bool = True,
) -> list[Any]:
    """Rebuild exported projects (data or a JSON file); return the new projects.

    Everything is built before the commit; an error rolls the session back,
    so a refused import leaves the database as it was.
    """
    content: Mapping[str, Any] = (
        data
        if isinstance(data, Mapping)
        else json.loads(Path(data).read_text(encoding="utf-8"))
    )
    if content.get("format") != FORMAT:
        raise ValueError(
            f"import_project: data should be a {FORMAT!r} export, "
            f"not format {content.get('format')!r}"
        )
    session = _session(session)
    try:
        projects = _Rebuild(session, content).run(progress)
        if commit:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    return projects
