"""What-if scenarios: plan the studio with overrides, without writing anything.

A :class:`Scenario` gathers the studio's rows once (no flush, no write),
applies its overrides to copies of the plain rows (never to ORM objects),
plans them with the native engine and compares the result with the stored
plan.  :func:`compare` puts scenarios side by side; only
:meth:`Scenario.apply` writes, through the normal write-back (no commit).

Overrides, all keyed by ids (plain rows in, plain rows out):

``add_resources`` / ``remove_resources``
    ``{task id: [user ids]}``: users who work on a leaf task, or no longer
    do (removed from its resources and alternatives);
``priorities``
    ``{task id: 0..1000}``;
``efforts``
    ``{task id: timing}`` in the task's own unit, or ``(timing, unit)``;
``deadlines``
    ``{task id: aware datetime}``: the end a task should meet.  As a
    deadline in most planning tools it does not move the plan (a pinned end
    would plan the task back from it, dependencies aside): the scenario
    lists the tasks that miss theirs (:attr:`Scenario.missed_deadlines`);
``vacations``
    ``[(user id or None for everyone, start, end)]``: extra time off.

Every override is checked before anything is computed; a wrong one raises
TypeError or ValueError naming the scenario, the override, the task or user
and what was given.  Applying stores the plan's dates (and, with
``compute_resources``, the computed resources the database allows), not
the overrides themselves: change the tasks for those to last.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from stalker.scheduling.changes import (
    PreviousPlan,
    TaskChange,
    as_utc,
    gather_previous,
    hours,
    iso,
    plan_changes,
)
from stalker.scheduling.data import (
    ScheduleData,
    TaskRow,
    gather_schedule_data,
    validate_schedule_data,
)
from stalker.scheduling.engine import Calendar, Plan, SchedulingError
from stalker.scheduling.engine import schedule as run_engine

Constraints = dict[int, tuple[datetime.datetime | None, datetime.datetime | None]]
_UNITS = ("min", "h", "d", "w", "m", "y")


@dataclass(frozen=True, slots=True)
class MissedDeadline:
    """A task whose planned end passes the deadline a scenario gave it."""

    task_id: int
    path: str
    deadline: datetime.datetime
    end: datetime.datetime

    @property
    def late(self) -> datetime.timedelta:
        return as_utc(self.end) - as_utc(self.deadline)

    def as_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "path": self.path,
            "deadline": iso(self.deadline),
            "end": iso(self.end),
            "late_h": hours(self.late),
        }


@dataclass
class Snapshot:
    """The studio's rows, read once and shared by the scenarios made from it."""

    session: Any
    studio: Any
    data: ScheduleData
    calendar: Calendar
    constraints: Constraints
    previous: PreviousPlan


def take_snapshot(studio: Any, projects: Sequence[Any] | None = None) -> Snapshot:
    """Read ``projects`` (default: all) of ``studio``'s database; nothing flushed."""
    from stalker.db.session import DBSession, session_of
    from stalker.scheduling.native import gather_constraints, studio_calendar

    session = session_of(studio) or DBSession
    ids = [_project_id(project) for project in projects or ()]
    with session.no_autoflush:
        data = gather_schedule_data(session, ids)
        return Snapshot(
            session,
            studio,
            data,
            studio_calendar(studio, data),
            gather_constraints(session, data),
            gather_previous(session, data),
        )


def _project_id(project: Any) -> int:
    project_id = getattr(project, "id", None)
    if not isinstance(project_id, int) or isinstance(project_id, bool):
        raise ValueError(
            f"Scenario projects should be saved Project instances (flush them), "
            f"not {type(project).__name__}: {project!r}"
        )
    return project_id


# -- overrides -----------------------------------------------------------------------


@dataclass
class Overrides:
    """A scenario's overrides, checked and normalised (see the module doc)."""

    add_resources: dict[int, list[int]] = field(default_factory=dict)
    remove_resources: dict[int, list[int]] = field(default_factory=dict)
    priorities: dict[int, int] = field(default_factory=dict)
    efforts: dict[int, tuple[float, str]] = field(default_factory=dict)
    deadlines: dict[int, datetime.datetime] = field(default_factory=dict)
    vacations: list[tuple[int | None, datetime.datetime, datetime.datetime]] = field(
        default_factory=list
    )


def _given(value: Any) -> str:
    return f"{type(value).__name__}: {value!r}"


class _Checker:
    """Checks overrides against the gathered rows; errors name the scenario."""

    def __init__(self, name: str, snapshot: Snapshot) -> None:
        self.owner = f"Scenario {name!r}"
        self.data = snapshot.data
        self.calendar = snapshot.calendar
        self.constraints = snapshot.constraints
        self.scheduled = snapshot.data.scheduled_task_ids()
        self.users = {user_id for user_id, _ in snapshot.data.users}

    def fail(self, cls: type[Exception], attr: str, expected: str, value: Any) -> Any:
        return cls(f"{self.owner} {attr} should be {expected}, not {_given(value)}")

    def mapping(self, attr: str, value: Any) -> Mapping[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(TypeError, attr, "a mapping of task ids", value)
        return value

    def task(self, attr: str, task_id: Any, leaf: bool = False) -> int:
        if not _is_int(task_id):
            raise self.fail(TypeError, attr, "keyed by task ids (int)", task_id)
        if task_id not in self.scheduled:
            raise self.fail(
                ValueError, attr, "keyed by ids of the planned tasks", task_id
            )
        if leaf and not self.data.is_leaf(task_id):
            raise self.fail(
                ValueError,
                f"{attr}[{task_id}]",
                f"set on a leaf task ({self.data.path_name(task_id)} has children)",
                task_id,
            )
        return int(task_id)

    def user(self, attr: str, user_id: Any, allow_none: bool = False) -> int | None:
        if user_id is None and allow_none:
            return None
        if not _is_int(user_id):
            raise self.fail(TypeError, attr, "a user id (int)", user_id)
        if user_id not in self.users:
            raise self.fail(ValueError, attr, "the id of a user", user_id)
        return int(user_id)

    def user_list(self, attr: str, value: Any) -> list[int]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise self.fail(TypeError, attr, "a list of user ids", value)
        users = [self.user(attr, user_id) for user_id in value]
        return [user for user in dict.fromkeys(users) if user is not None]

    def moment(self, attr: str, value: Any) -> datetime.datetime:
        if not isinstance(value, datetime.datetime) or value.utcoffset() is None:
            raise self.fail(TypeError, attr, "a timezone-aware datetime", value)
        return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_overrides(name: str, snapshot: Snapshot, **given: Any) -> Overrides:
    """Normalised overrides, or TypeError/ValueError before anything is planned."""
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"Scenario name should be a non-empty str, not {_given(name)}")
    check = _Checker(name, snapshot)
    overrides = Overrides()
    _check_resources(check, overrides, given)
    _check_priorities(check, overrides, given.get("priorities"))
    _check_efforts(check, overrides, given.get("efforts"))
    _check_deadlines(check, overrides, given.get("deadlines"))
    _check_vacations(check, overrides, given.get("vacations"))
    return overrides


def _check_resources(check: _Checker, overrides: Overrides, given: dict) -> None:
    data = check.data
    for attr in ("add_resources", "remove_resources"):
        for task_id, users in check.mapping(attr, given.get(attr)).items():
            task = check.task(attr, task_id, leaf=True)
            where = f"{attr}[{task}]"
            chosen = check.user_list(where, users)
            current = set(data.resources.get(task, ()))
            if attr == "remove_resources":
                current |= set(data.alternatives.get(task, ()))
            for user in chosen:
                if (user in current) == (attr == "add_resources"):
                    state = "not yet" if attr == "add_resources" else "already"
                    raise check.fail(
                        ValueError,
                        where,
                        f"users {state} working on {data.path_name(task)}",
                        user,
                    )
            getattr(overrides, attr)[task] = chosen


def _check_priorities(check: _Checker, overrides: Overrides, given: Any) -> None:
    for task_id, priority in check.mapping("priorities", given).items():
        task = check.task("priorities", task_id)
        where = f"priorities[{task}]"
        if not _is_int(priority):
            raise check.fail(TypeError, where, "an int from 0 to 1000", priority)
        if not 0 <= priority <= 1000:
            raise check.fail(ValueError, where, "an int from 0 to 1000", priority)
        overrides.priorities[task] = priority


def _check_efforts(check: _Checker, overrides: Overrides, given: Any) -> None:
    for task_id, effort in check.mapping("efforts", given).items():
        task = check.task("efforts", task_id, leaf=True)
        where = f"efforts[{task}]"
        timing, unit = effort, check.data.tasks[task].schedule_unit
        if isinstance(effort, tuple) and len(effort) == 2:
            timing, unit = effort
            if unit not in _UNITS:
                raise check.fail(ValueError, where, f"a unit of {_UNITS}", unit)
        if isinstance(timing, bool) or not isinstance(timing, (int, float)):
            raise check.fail(TypeError, where, "a number or (number, unit)", effort)
        if not math.isfinite(timing) or timing < 0:
            raise check.fail(ValueError, where, "a finite number >= 0", timing)
        overrides.efforts[task] = (float(timing), unit)


def _check_deadlines(check: _Checker, overrides: Overrides, given: Any) -> None:
    for task_id, deadline in check.mapping("deadlines", given).items():
        task = check.task("deadlines", task_id)
        where = f"deadlines[{task}]"
        moment = check.moment(where, deadline)
        pinned = check.constraints.get(task, (None, None))[0]
        start = pinned if pinned is not None else check.calendar.now
        what = "its pinned start" if pinned is not None else "the studio's now"
        if as_utc(moment) <= as_utc(start):
            raise check.fail(ValueError, where, f"after {what} {iso(start)}", deadline)
        if as_utc(moment) > as_utc(check.calendar.end):
            raise check.fail(
                ValueError,
                where,
                f"within the studio's end {iso(check.calendar.end)}",
                deadline,
            )
        overrides.deadlines[task] = moment


def _check_vacations(check: _Checker, overrides: Overrides, given: Any) -> None:
    if given is None:
        return
    if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
        raise check.fail(TypeError, "vacations", "a list of (user, start, end)", given)
    for index, vacation in enumerate(given):
        where = f"vacations[{index}]"
        if not isinstance(vacation, (tuple, list)) or len(vacation) != 3:
            raise check.fail(TypeError, where, "a (user id, start, end)", vacation)
        user = check.user(where, vacation[0], allow_none=True)
        start = check.moment(where, vacation[1])
        end = check.moment(where, vacation[2])
        if as_utc(end) <= as_utc(start):
            raise check.fail(ValueError, where, "ending after it starts", vacation)
        overrides.vacations.append((user, start, end))


# -- applying overrides to copies ----------------------------------------------------


def overridden(
    data: ScheduleData, constraints: Constraints, overrides: Overrides
) -> tuple[ScheduleData, Constraints]:
    """Copies of the rows with ``overrides`` applied; the originals stay as they are.

    Only what an override touches is copied (the task dicts, the changed
    rows and lists), so a scenario of a big studio costs little memory.
    """
    copy = replace(
        data,
        tasks=dict(data.tasks),
        resources=dict(data.resources),
        alternatives=dict(data.alternatives),
        vacations={user: list(spans) for user, spans in data.vacations.items()},
        validated=False,
    )
    constraints = dict(constraints)
    for task_id, users in overrides.add_resources.items():
        copy.resources[task_id] = [*copy.resources.get(task_id, ()), *users]
    for task_id, users in overrides.remove_resources.items():
        for links in (copy.resources, copy.alternatives):
            links[task_id] = [u for u in links.get(task_id, ()) if u not in users]
    for task_id, priority in overrides.priorities.items():
        _row(copy, task_id).priority = priority
    for task_id, (timing, unit) in overrides.efforts.items():
        row = _row(copy, task_id)
        row.schedule_timing, row.schedule_unit = timing, unit
    for user_id, start, end in overrides.vacations:
        copy.vacations.setdefault(user_id, []).append((start, end))
    validate_schedule_data(copy)
    return copy, constraints


def _row(data: ScheduleData, task_id: int) -> TaskRow:
    """A copy of the task's row, put in ``data``: the shared one stays untouched."""
    copied = replace(data.tasks[task_id])
    data.tasks[task_id] = copied
    return copied


# -- scenarios -----------------------------------------------------------------------


def critical_path(plan: Plan, data: ScheduleData) -> list[int]:
    """The driving chain: from the last-ending leaf back through the dependencies
    that fixed each start (the engine's reasons), first task first.

    A task held by a busy resource ends the walk: what fixed it is the
    resource, not a task of the chain.
    """
    leaves = [
        task
        for task in plan.tasks.values()
        if task.task_id in data.tasks and data.is_leaf(task.task_id)
    ]
    if not leaves:
        return []
    current = max(leaves, key=lambda task: (task.end, task.critical))
    chain, seen = [current.task_id], {current.task_id}
    while current.reason == "dependency" and current.reason_task_id in plan.tasks:
        current = plan.tasks[current.reason_task_id]
        if current.task_id in seen:  # pragma: no cover - the engine has no cycles
            break
        chain.append(current.task_id)
        seen.add(current.task_id)
    return list(reversed(chain))


class Scenario:
    """A what-if plan of ``studio``: its rows with overrides, never written.

    The rows are read when the scenario is made (``snapshot`` shares the
    reading of another scenario, see :meth:`variant`); the overrides are
    checked then too.  :attr:`plan` runs the native engine once, on first
    use, and raises its SchedulingError (e.g. work beyond the horizon).
    """

    def __init__(
        self,
        studio: Any,
        name: str,
        *,
        projects: Sequence[Any] | None = None,
        add_resources: Mapping[int, Iterable[int]] | None = None,
        remove_resources: Mapping[int, Iterable[int]] | None = None,
        priorities: Mapping[int, int] | None = None,
        efforts: Mapping[int, float | tuple[float, str]] | None = None,
        deadlines: Mapping[int, datetime.datetime] | None = None,
        vacations: Iterable[tuple[int | None, datetime.datetime, datetime.datetime]]
        | None = None,
        compute_resources: bool = False,
        snapshot: Snapshot | None = None,
    ) -> None:
        if snapshot is None:
            snapshot = take_snapshot(_checked_studio(studio), projects)
        self.snapshot = snapshot
        self.name = name
        self.compute_resources = bool(compute_resources)
        self._given = {
            "add_resources": add_resources,
            "remove_resources": remove_resources,
            "priorities": priorities,
            "efforts": efforts,
            "deadlines": deadlines,
            "vacations": vacations,
        }
        self.overrides = check_overrides(name, snapshot, **self._given)
        self.data, self.constraints = overridden(
            snapshot.data, snapshot.constraints, self.overrides
        )
        self._plan: Plan | None = None

    def __repr__(self) -> str:
        return f"<Scenario {self.name!r}>"

    def variant(self, name: str, **overrides: Any) -> Scenario:
        """This scenario plus ``overrides``, on the same rows (read once).

        A task's new value replaces this scenario's; vacations add up.
        """
        merged: dict[str, Any] = {"compute_resources": self.compute_resources}
        for key, value in self._given.items():
            more = overrides.pop(key, None)
            merged[key] = _merged(value, more) if more is not None else value
        merged.update(overrides)
        return Scenario(self.snapshot.studio, name, snapshot=self.snapshot, **merged)

    @property
    def plan(self) -> Plan:
        """The native engine's plan of the overridden rows (computed once)."""
        if self._plan is None:
            snapshot = self.snapshot
            self._plan = run_engine(self.data, snapshot.calendar, self.constraints)
        return self._plan

    @property
    def moved(self) -> list[TaskChange]:
        """The tasks this plan moves against the stored plan."""
        previous = self.snapshot.previous
        return plan_changes(self.data, previous, self.plan, self.compute_resources)

    @property
    def project_ends(self) -> dict[str, datetime.datetime]:
        """Each planned project's end, by project code."""
        names = self.data.names
        return {
            names.get(project_id) or f"Project_{project_id}": end
            for project_id, (_start, end) in self.plan.projects.items()
        }

    @property
    def critical_path(self) -> list[str]:
        """The paths of the driving chain (see :func:`critical_path`)."""
        return [self.data.path_name(i) for i in critical_path(self.plan, self.data)]

    @property
    def missed_deadlines(self) -> list[MissedDeadline]:
        """The tasks whose planned end passes their ``deadlines`` override."""
        plan = self.plan
        return [
            MissedDeadline(task_id, self.data.path_name(task_id), deadline, end)
            for task_id, deadline in sorted(self.overrides.deadlines.items())
            if as_utc(end := plan.tasks[task_id].end) > as_utc(deadline)
        ]

    def apply(self) -> list[TaskChange]:
        """Write this plan through the normal write-back; no commit.

        The dates (and, with ``compute_resources``, the computed resources
        the database allows) are stored, not the overrides.  The studio keeps
        the tasks moved, as after ``Studio.schedule()``; they are returned.
        The scenarios sharing this one's rows then compare with this plan.
        A plan that cannot be made or misses a pinned date is refused and
        nothing is written.
        """
        from stalker.scheduling.writeback import write_back

        plan, snapshot = self.plan, self.snapshot
        session, data = snapshot.session, snapshot.data
        with session.no_autoflush:
            previous = gather_previous(session, data)
        write_back(
            session, data, plan.computed(), self.compute_resources, previous.links
        )
        changes = plan_changes(data, previous, plan, self.compute_resources)
        with session.no_autoflush:  # the variants now compare with this plan
            snapshot.previous = gather_previous(session, data)
        snapshot.studio._record_schedule(
            f"Scenario {self.name!r} applied", None, changes
        )
        return changes


def _merged(old: Any, new: Any) -> Any:
    """``new`` over ``old``: mappings merged key by key, other iterables chained."""
    if old is None:
        return new
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return {**old, **new}
    if isinstance(new, Mapping):
        return new  # the check refuses the mix with its own message
    return [*old, *new]


def _checked_studio(studio: Any) -> Any:
    from stalker.models.studio import Studio

    if not isinstance(studio, Studio):
        raise TypeError(
            f"Scenario studio should be a Studio instance, not {_given(studio)}"
        )
    return studio


# -- side by side --------------------------------------------------------------------


@dataclass
class ScenarioResult:
    """One scenario's figures, or the error that made it impossible."""

    name: str
    project_ends: dict[str, datetime.datetime] = field(default_factory=dict)
    critical_path: list[str] = field(default_factory=list)
    moved: list[TaskChange] = field(default_factory=list)
    missed_deadlines: list[MissedDeadline] = field(default_factory=list)
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "project_ends": {code: iso(end) for code, end in self.project_ends.items()},
            "critical_path": self.critical_path,
            "moved": [change.as_json() for change in self.moved],
            "missed_deadlines": [miss.as_json() for miss in self.missed_deadlines],
            "error": self.error or None,
        }


@dataclass
class Comparison:
    """Scenarios side by side against the stored plan (see :meth:`rows`)."""

    stored_ends: dict[str, datetime.datetime]
    results: list[ScenarioResult]

    def rows(self) -> list[list[str]]:
        """A table: a header, then project ends, critical path, moved tasks.

        The first column names the row, the second is the stored plan, then
        one column per scenario; a moved task's cell is its end shift.
        """
        header = ["", "stored plan", *(result.name for result in self.results)]
        table = [header]
        codes = list(dict.fromkeys([*self.stored_ends, *self._codes()]))
        for code in codes:
            stored = self.stored_ends.get(code)
            table.append(
                [
                    f"end of {code}",
                    _cell(stored),
                    *(self._end(result, code) for result in self.results),
                ]
            )
        table.append(
            ["critical path", "", *(" > ".join(r.critical_path) for r in self.results)]
        )
        table.append(["missed deadlines", "", *(self._missed(r) for r in self.results)])
        table.append(
            ["moved tasks", "", *(self._count(result) for result in self.results)]
        )
        for path in self._moved_paths():
            table.append([path, "", *(self._shift(r, path) for r in self.results)])
        return table

    def as_json(self) -> dict[str, Any]:
        return {
            "stored_ends": {code: iso(end) for code, end in self.stored_ends.items()},
            "scenarios": [result.as_json() for result in self.results],
        }

    def _codes(self) -> list[str]:
        return [code for result in self.results for code in result.project_ends]

    def _moved_paths(self) -> list[str]:
        return sorted({c.path for result in self.results for c in result.moved})

    @staticmethod
    def _end(result: ScenarioResult, code: str) -> str:
        if result.error:
            return f"impossible: {result.error}"
        return _cell(result.project_ends.get(code))

    @staticmethod
    def _missed(result: ScenarioResult) -> str:
        return ", ".join(
            f"{miss.path} ({hours(miss.late):g} h late)"
            for miss in result.missed_deadlines
        )

    @staticmethod
    def _count(result: ScenarioResult) -> str:
        return "" if result.error else str(len(result.moved))

    @staticmethod
    def _shift(result: ScenarioResult, path: str) -> str:
        for change in result.moved:
            if change.path == path:
                return f"end {hours(change.end_shift):+g} h"
        return ""


def _cell(moment: datetime.datetime | None) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def result_of(scenario: Scenario) -> ScenarioResult:
    """A scenario's figures; an impossible plan gives its error instead."""
    try:
        return ScenarioResult(
            scenario.name,
            scenario.project_ends,
            scenario.critical_path,
            scenario.moved,
            scenario.missed_deadlines,
        )
    except SchedulingError as error:
        return ScenarioResult(scenario.name, error=str(error))


def compare(*scenarios: Scenario) -> Comparison:
    """Plan ``scenarios`` (nothing written) and put them side by side."""
    if not scenarios:
        raise TypeError("compare() should be given at least one Scenario, not none")
    for scenario in scenarios:
        if not isinstance(scenario, Scenario):
            raise TypeError(f"compare() takes Scenarios, not {_given(scenario)}")
    data = scenarios[0].snapshot.data
    stored = {
        data.names.get(project_id) or f"Project_{project_id}": end
        for project_id, (_start, end) in scenarios[0].snapshot.previous.projects.items()
    }
    return Comparison(stored, [result_of(scenario) for scenario in scenarios])
