"""Gather what a scheduler needs, as plain rows, with a fixed number of queries.

Walking ORM relationships costs one lazy load per task and per collection;
for a 15 000-task studio that alone takes longer than the scheduling file is
allowed to.  Here every table is read once with a Core ``select`` (joined to
``Tasks`` to keep only the projects being scheduled), on any backend.
Nothing here imports a model module, so models may use these helpers.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Enum, String, Table, case, select, type_coerce
from sqlalchemy.types import NullType

from stalker.db.declarative import Base
from stalker.utils import cycle_collector_paused


def table(name: str) -> Table:
    """A table of the Stalker schema, by name."""
    return Base.metadata.tables[name]


def _column(source: Table, name: str) -> Any:
    """A column to read; an ``Enum`` one as its stored text.

    The stored names are already Stalker's values, and checking every value
    against the enum is a third of the reading time of a 100k-task studio.
    """
    column = source.c[name]
    if isinstance(column.type, Enum):
        return type_coerce(column, String()).label(name)
    return column


@dataclass(slots=True)
class TaskRow:
    """One task (of any task-like class) as the scheduler sees it."""

    id: int
    project_id: int
    parent_id: int | None
    priority: int = 500
    schedule_model: str = "effort"
    schedule_timing: float = 0.0
    schedule_unit: str = "h"
    allocation_strategy: str = "minallocated"
    persistent_allocation: bool = True
    children: list[int] = field(default_factory=list)
    #: ``schedule_constraint`` bits (1 start, 2 end) and the pinned dates
    #: (gathered only when a bit pins them, None otherwise).
    constraint: int = 0
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None

    @property
    def pinned_start(self) -> datetime.datetime | None:
        """The start the task may not begin before (constraint 1 or 3)."""
        return self.start if self.constraint & 1 else None

    @property
    def pinned_end(self) -> datetime.datetime | None:
        """The end the task may not pass (constraint 2 or 3)."""
        return self.end if self.constraint & 2 else None


@dataclass(slots=True)
class DependencyRow:
    """``task_id`` depends on ``depends_on_id`` (a TaskDependency row)."""

    task_id: int
    depends_on_id: int
    target: str
    gap_timing: float
    gap_unit: str
    gap_model: str


@dataclass(slots=True)
class BookingRow:
    """A time log: work already done on a task by a resource."""

    task_id: int
    resource_id: int
    start: datetime.datetime
    end: datetime.datetime
    #: The TimeLog's id (0 when the row was not read from a database).
    log_id: int = 0


@dataclass
class ScheduleData:
    """The studio's schedulable data, keyed by ids.

    ``tasks`` holds the tasks of ``project_ids`` plus, when a dependency points
    into another project, the depended task and its ancestors (so its full
    path can be written); ``roots`` lists each scheduled project's root tasks.
    """

    project_ids: list[int] = field(default_factory=list)
    tasks: dict[int, TaskRow] = field(default_factory=dict)
    roots: dict[int, list[int]] = field(default_factory=dict)
    resources: dict[int, list[int]] = field(default_factory=dict)
    alternatives: dict[int, list[int]] = field(default_factory=dict)
    dependencies: dict[int, list[DependencyRow]] = field(default_factory=dict)
    bookings: dict[int, list[BookingRow]] = field(default_factory=dict)
    users: list[tuple[int, float]] = field(default_factory=list)
    vacations: dict[int | None, list[tuple[datetime.datetime, datetime.datetime]]] = (
        field(default_factory=dict)
    )
    #: Users with their own time zone (``User.timezone``): id -> IANA name.
    timezones: dict[int, str] = field(default_factory=dict)
    #: Project codes and task names by id, for messages (may be empty).
    names: dict[int, str] = field(default_factory=dict, repr=False)
    #: Task classes by id (``Shot``, ``Asset``...), for ``to_tjp``'s ids.
    kinds: dict[int, str] = field(default_factory=dict, repr=False)
    _paths: dict[int, str] = field(default_factory=dict, repr=False)
    #: Set by :func:`validate_schedule_data`: the gathered rows are checked
    #: once, not again by the engine that plans them.
    validated: bool = field(default=False, repr=False)

    def scheduled_task_ids(self) -> set[int]:
        """Ids of the tasks of the scheduled projects (not outside ancestors)."""
        projects = set(self.project_ids)
        return {i for i, row in self.tasks.items() if row.project_id in projects}

    def is_leaf(self, task_id: int) -> bool:
        return not self.tasks[task_id].children

    def path_name(self, task_id: int) -> str:
        """``FC / SH010 / Comp``: the project code and task names down to a task."""
        parts = []
        row: TaskRow | None = self.tasks.get(task_id)
        current: int | None = task_id
        while row is not None and current is not None:
            parts.append(self.names.get(current) or f"Task_{current}")
            current = row.parent_id
            if current is None:
                project = row.project_id
                parts.append(self.names.get(project) or f"Project_{project}")
            row = self.tasks.get(current) if current is not None else None
        if not parts:
            return f"Task_{task_id}"
        return " / ".join(reversed(parts))

    def abs_path(self, task_id: int) -> str:
        """``Project_<pid>.Task_<a>...Task_<id>``: the task's TaskJuggler path."""
        path = self._paths.get(task_id)
        if path is None:
            row = self.tasks[task_id]
            prefix = (
                f"Project_{row.project_id}"
                if row.parent_id is None
                else self.abs_path(row.parent_id)
            )
            path = self._paths[task_id] = f"{prefix}.Task_{task_id}"
        return path


_TASK_COLUMNS = (
    "id",
    "project_id",
    "parent_id",
    "priority",
    "schedule_model",
    "schedule_timing",
    "schedule_unit",
    "allocation_strategy",
    "persistent_allocation",
    "schedule_constraint",
)


_RAW = NullType()


def _task_query(condition: Any) -> Any:
    """The task rows, their names, and the dates their constraint pins.

    A date that no constraint bit pins is read as NULL: converting every
    task's start and end to an aware datetime was two thirds of reading the
    tasks, for dates that only constrained tasks use.
    """
    tasks, entities = table("Tasks"), table("SimpleEntities")
    constraint = tasks.c.schedule_constraint
    return (
        select(
            *(_column(tasks, name) for name in _TASK_COLUMNS),
            # raw: the few pinned dates are converted in _task_rows
            type_coerce(case((constraint.bitwise_and(1) != 0, tasks.c.start)), _RAW),
            type_coerce(case((constraint.bitwise_and(2) != 0, tasks.c.end)), _RAW),
            entities.c.name,
            entities.c.entity_type,
        )
        .join(entities, entities.c.id == tasks.c.id)
        .where(condition)
        .order_by(tasks.c.id)
    )


def _task_rows(
    session: Any,
    condition: Any,
    names: dict[int, str] | None = None,
    kinds: dict[int, str] | None = None,
) -> list[TaskRow]:
    """The tasks matching ``condition`` by id; names and classes to the dicts."""
    rows = session.execute(_task_query(condition)).all()
    date = _date_reader(session)
    if names is not None:
        names.update((row[0], row[12]) for row in rows)
    if kinds is not None:
        kinds.update((row[0], row[13]) for row in rows)
    return [
        TaskRow(
            id=row[0],
            project_id=row[1],
            parent_id=row[2],
            priority=row[3] if row[3] is not None else 500,
            schedule_model=row[4] or "effort",
            schedule_timing=float(row[5] or 0.0),
            schedule_unit=row[6] or "h",
            allocation_strategy=row[7] or "minallocated",
            persistent_allocation=bool(row[8]),
            constraint=int(row[9] or 0),
            start=row[10] if row[10] is None else date(row[10]),
            end=row[11] if row[11] is None else date(row[11]),
        )
        for row in rows
    ]


def _date_reader(session: Any) -> Callable[[Any], Any]:
    """The Tasks.start column's result conversion for the session's database."""
    dialect = session.get_bind().dialect
    column_type = table("Tasks").c.start.type.dialect_impl(dialect)
    processor = column_type.result_processor(dialect, None)
    return processor or (lambda value: value)


def _users_by_task(session: Any, link_table: str, in_projects: Any) -> dict:
    """``task id -> [user ids ascending]`` of one Task <-> User link table."""
    link, tasks = table(link_table), table("Tasks")
    query = (
        select(link.c.task_id, link.c.resource_id)
        .join(tasks, tasks.c.id == link.c.task_id)
        .where(in_projects)
        .order_by(link.c.task_id, link.c.resource_id)
    )
    users: dict[int, list[int]] = defaultdict(list)
    for task_id, user_id in session.execute(query).all():
        users[task_id].append(user_id)
    return dict(users)


def _dependencies(session: Any, in_projects: Any) -> dict[int, list[DependencyRow]]:
    deps, tasks = table("Task_Dependencies"), table("Tasks")
    query = (
        select(
            deps.c.task_id,
            deps.c.depends_on_id,
            *(
                _column(deps, name)
                for name in ("dependency_target", "gap_timing", "gap_unit", "gap_model")
            ),
        )
        .join(tasks, tasks.c.id == deps.c.task_id)
        .where(in_projects)
        .order_by(deps.c.task_id, deps.c.depends_on_id)
    )
    by_task: dict[int, list[DependencyRow]] = defaultdict(list)
    for task_id, depends_on_id, target, timing, unit, model in session.execute(
        query
    ).all():
        by_task[task_id].append(
            DependencyRow(
                task_id,
                depends_on_id,
                target or "onend",
                float(timing or 0.0),
                unit or "h",
                model or "length",
            )
        )
    return dict(by_task)


def _bookings(session: Any, in_projects: Any) -> dict[int, list[BookingRow]]:
    logs, tasks = table("TimeLogs"), table("Tasks")
    query = (
        select(logs.c.task_id, logs.c.resource_id, logs.c.start, logs.c.end, logs.c.id)
        .join(tasks, tasks.c.id == logs.c.task_id)
        .where(in_projects)
        .order_by(logs.c.start, logs.c.id)
    )
    by_task: dict[int, list[BookingRow]] = defaultdict(list)
    for task_id, resource_id, start, end, log_id in session.execute(query).all():
        by_task[task_id].append(BookingRow(task_id, resource_id, start, end, log_id))
    return dict(by_task)


def _resources_and_vacations(session: Any, data: ScheduleData) -> None:
    users, vacations = table("Users"), table("Vacations")
    rows = session.execute(
        select(users.c.id, users.c.efficiency, users.c.timezone).order_by(users.c.id)
    ).all()
    data.users = [
        (user_id, float(efficiency if efficiency is not None else 1.0))
        for user_id, efficiency, _ in rows
    ]
    data.timezones = {user_id: zone for user_id, _, zone in rows if zone}
    by_user: dict[int | None, list[Any]] = defaultdict(list)
    query = select(vacations.c.user_id, vacations.c.start, vacations.c.end).order_by(
        vacations.c.id
    )
    for user_id, start, end in session.execute(query):
        by_user[user_id].append((start, end))
    data.vacations = dict(by_user)


def _add_outside_ancestors(session: Any, data: ScheduleData) -> None:
    """Load the tasks (and their parents) that dependencies reach outside the run."""
    tasks = table("Tasks")
    missing = {
        dep.depends_on_id
        for deps in data.dependencies.values()
        for dep in deps
        if dep.depends_on_id not in data.tasks
    }
    while missing:  # one query per level of the outside hierarchy
        rows = _task_rows(
            session, tasks.c.id.in_(sorted(missing)), data.names, data.kinds
        )
        for row in rows:
            data.tasks[row.id] = row
        missing = {
            row.parent_id
            for row in rows
            if row.parent_id is not None and row.parent_id not in data.tasks
        }


def all_project_ids(session: Any) -> list[int]:
    """Every project id in the database, ascending."""
    projects = table("Projects")
    return list(session.scalars(select(projects.c.id).order_by(projects.c.id)))


def gather_schedule_data(
    session: Any, project_ids: Sequence[int] | None = None, validate: bool = True
) -> ScheduleData:
    """Read everything needed to schedule ``project_ids`` (default: all projects).

    Flush the session first: rows not yet in the database are not seen.
    ``validate=False`` reads rows no engine could plan too (to print them).
    """
    with cycle_collector_paused():
        return _gather(session, project_ids, validate)


def _gather(
    session: Any, project_ids: Sequence[int] | None, validate: bool
) -> ScheduleData:
    tasks = table("Tasks")
    if not project_ids:
        project_ids = all_project_ids(session)
    data = ScheduleData(project_ids=list(project_ids))
    _resources_and_vacations(session, data)
    if not data.project_ids:
        return data
    in_projects = tasks.c.project_id.in_(data.project_ids)
    for row in _task_rows(session, in_projects, data.names, data.kinds):
        data.tasks[row.id] = row
    _link_children(data, data.tasks.values())
    data.resources = _users_by_task(session, "Task_Resources", in_projects)
    data.alternatives = _users_by_task(
        session, "Task_Alternative_Resources", in_projects
    )
    data.dependencies = _dependencies(session, in_projects)
    data.bookings = _bookings(session, in_projects)
    _add_outside_ancestors(session, data)
    _project_names(session, data)
    if validate:
        validate_schedule_data(data)
    return data


def _project_names(session: Any, data: ScheduleData) -> None:
    """Project codes (or names) for messages; the task names came with the rows."""
    entities, projects = table("SimpleEntities"), table("Projects")
    project_ids = sorted({row.project_id for row in data.tasks.values()})
    query = (
        select(projects.c.id, projects.c.code, entities.c.name)
        .join(entities, entities.c.id == projects.c.id)
        .where(projects.c.id.in_(project_ids))
    )
    for project_id, code, name in session.execute(query).all():
        data.names[project_id] = code or name


def _link_children(data: ScheduleData, rows: Iterable[TaskRow]) -> None:
    """Fill ``children`` and ``roots`` in id order (rows come sorted by id)."""
    data.roots = {project_id: [] for project_id in data.project_ids}
    for row in rows:
        if row.parent_id is None:
            data.roots.setdefault(row.project_id, []).append(row.id)
        else:
            parent = data.tasks.get(row.parent_id)
            if parent is not None:
                parent.children.append(row.id)


# -- the rows every engine may rely on -------------------------------------------------

_UNITS = frozenset({"min", "h", "d", "w", "m", "y"})
_MODELS = frozenset({"effort", "length", "duration"})
_GAP_MODELS = frozenset({"length", "duration"})
_TARGETS = frozenset({"onend", "onstart"})
_STRATEGIES = frozenset({"minallocated", "maxloaded", "minloaded", "order", "random"})


def _given(value: Any) -> str:
    return f"{type(value).__name__}: {value!r}"


class _Named:
    """A row's name in an error, worked out only if an error is raised.

    Naming a task walks its parents: done for every row of a big studio, it
    took a fifth of the validation that almost always passes.
    """

    def __init__(self, make: Callable[..., str], *arguments: Any) -> None:
        self._make = make
        self._arguments = arguments

    def __str__(self) -> str:
        return self._make(*self._arguments)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _task_name(data: ScheduleData, task_id: int) -> str:
    return f"Task {data.path_name(task_id)!r} (id {task_id})"


def _dependency_name(data: ScheduleData, dep: DependencyRow) -> str:
    return (
        f"TaskDependency of {data.path_name(dep.task_id)!r} "
        f"on {data.path_name(dep.depends_on_id)!r}"
    )


def _log_name(data: ScheduleData, log: BookingRow) -> str:
    return f"TimeLog of {data.path_name(log.task_id)!r}"


def _amount(owner: object, attr: str, value: Any) -> None:
    """A finite number that is not negative (effort, gaps, efficiency)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{owner} {attr} should be a number, not {_given(value)}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            f"{owner} {attr} should be a finite number >= 0, not {_given(value)}"
        )


def _one_of(owner: object, attr: str, value: Any, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise ValueError(
            f"{owner} {attr} should be one of {', '.join(sorted(allowed))}, "
            f"not {_given(value)}"
        )


def _span(owner: object, start: Any, end: Any) -> None:
    for value in (start, end):
        if not isinstance(value, datetime.datetime):
            raise TypeError(
                f"{owner} start and end should be datetimes, not {_given(value)}"
            )
    if _aware(end) <= _aware(start):
        raise ValueError(
            f"{owner} should end after it starts, not {start.isoformat()} - "
            f"{end.isoformat()}"
        )


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def validate_schedule_data(data: ScheduleData) -> None:
    """Refuse rows no engine can schedule, with the same error for every engine.

    TypeError for a wrong type, ValueError for a wrong value (negative or
    non-finite effort, gaps and efficiencies, unknown units and models, time
    logs or vacations that end before they start, overlapping time logs of
    one resource), naming the task by its path.  tj3 would refuse most of
    these and the native engine would plan nonsense, so both are given the
    same refusal before they run.
    """
    for row in data.tasks.values():
        if not (  # the common case, inline; the checks below name the fault
            type(row.schedule_timing) is float
            and 0.0 <= row.schedule_timing < math.inf
            and row.schedule_unit in _UNITS
            and row.schedule_model in _MODELS
            and row.allocation_strategy in _STRATEGIES
            and not row.constraint
        ):
            _check_task(data, row)
    for dependencies in data.dependencies.values():
        for dep in dependencies:
            if not (
                type(dep.gap_timing) is float
                and 0.0 <= dep.gap_timing < math.inf
                and dep.gap_unit in _UNITS
                and dep.gap_model in _GAP_MODELS
                and dep.target in _TARGETS
            ):
                _check_dependency(data, dep)
    for user_id, efficiency in data.users:
        _amount(f"User (id {user_id})", "efficiency", efficiency)
    for vacation_user_id, spans in data.vacations.items():  # None: studio-wide
        for start, end in spans:
            _span(f"Vacation of user {vacation_user_id}", start, end)
    _check_bookings(data)
    data.validated = True


def _check_task(data: ScheduleData, row: TaskRow) -> None:
    owner = _Named(_task_name, data, row.id)
    _amount(owner, "schedule_timing", row.schedule_timing)
    _one_of(owner, "schedule_unit", row.schedule_unit, _UNITS)
    _one_of(owner, "schedule_model", row.schedule_model, _MODELS)
    _one_of(owner, "allocation_strategy", row.allocation_strategy, _STRATEGIES)
    for bit, attr, pinned in ((1, "start", row.start), (2, "end", row.end)):
        if row.constraint & bit and not isinstance(pinned, datetime.datetime):
            raise TypeError(
                f"{owner} {attr} should be a datetime (it is pinned by "
                f"schedule_constraint {row.constraint}), not {_given(pinned)}"
            )


def _check_dependency(data: ScheduleData, dep: DependencyRow) -> None:
    owner = _Named(_dependency_name, data, dep)
    _amount(owner, "gap_timing", dep.gap_timing)
    _one_of(owner, "gap_unit", dep.gap_unit, _UNITS)
    _one_of(owner, "gap_model", dep.gap_model, _GAP_MODELS)
    _one_of(owner, "dependency_target", dep.target, _TARGETS)


def _check_bookings(data: ScheduleData) -> None:
    """Time logs end after they start and one resource's logs never overlap."""
    by_resource: dict[int, list[BookingRow]] = defaultdict(list)
    for logs in data.bookings.values():
        for log in logs:
            owner = _Named(_log_name, data, log)
            _span(owner, log.start, log.end)
            by_resource[log.resource_id].append(log)
    for resource_id, logs in by_resource.items():
        logs.sort(key=lambda log: _aware(log.start))
        for earlier, later in itertools.pairwise(logs):
            if _aware(later.start) < _aware(earlier.end):
                raise ValueError(
                    f"TimeLogs of user {resource_id} overlap: "
                    f"{data.path_name(earlier.task_id)!r} "
                    f"{earlier.start.isoformat()} - {earlier.end.isoformat()} and "
                    f"{data.path_name(later.task_id)!r} "
                    f"{later.start.isoformat()} - {later.end.isoformat()}"
                )
