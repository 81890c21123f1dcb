"""What a re-plan moved: the new plan against the one the tasks held before.

The previous plan is what the database holds before the write-back: each
task's ``computed_start``/``computed_end`` and computed resources, read with
two set-based queries (:func:`gather_previous`).  :func:`plan_changes` then
compares it with what an engine computed, on plain rows, and words why each
moved task starts when it does now (the native engine's ``reason``).

Only tasks that moved are listed: a task never planned before (no computed
dates) did not move, so a first run lists nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from stalker.scheduling.data import ScheduleData, table

UTC = datetime.timezone.utc
#: What a task's start was fixed by (``TaskPlan.reason``), worded.
_REASONS = {
    "now": "nothing is planned in the past (now)",
    "constraint": "its start or end is pinned (schedule constraint)",
    "booking": "work is already logged on it (time logs)",
    "calendar": "it waits for working hours (studio calendar)",
    "project_start": "nothing holds it back (project start)",
}


@dataclass(frozen=True, slots=True)
class PreviousTask:
    """The plan a task held before the run (computed dates and resources)."""

    start: datetime.datetime
    end: datetime.datetime
    resource_ids: tuple[int, ...] = ()


@dataclass
class PreviousPlan:
    """The stored plan of the gathered tasks and projects, before a run."""

    tasks: dict[int, PreviousTask] = field(default_factory=dict)
    projects: dict[int, tuple[datetime.datetime, datetime.datetime]] = field(
        default_factory=dict
    )


@dataclass(frozen=True, slots=True)
class TaskChange:
    """One task the new plan moved: old and new dates and resources, and why.

    ``new_resource_ids`` is None when the run did not compute resources (then
    they are not compared).  ``reason``/``reason_task_id`` are the engine's
    (None from tj3, which does not say); ``why`` words them with task paths.
    """

    task_id: int
    path: str
    old_start: datetime.datetime
    old_end: datetime.datetime
    new_start: datetime.datetime
    new_end: datetime.datetime
    old_resource_ids: tuple[int, ...] = ()
    new_resource_ids: tuple[int, ...] | None = None
    reason: str | None = None
    reason_task_id: int | None = None
    why: str = ""

    @property
    def start_shift(self) -> datetime.timedelta:
        """How far the start moved (negative: earlier)."""
        return as_utc(self.new_start) - as_utc(self.old_start)

    @property
    def end_shift(self) -> datetime.timedelta:
        """How far the end moved (negative: earlier)."""
        return as_utc(self.new_end) - as_utc(self.old_end)

    @property
    def resources_changed(self) -> bool:
        return self.new_resource_ids is not None and set(self.new_resource_ids) != set(
            self.old_resource_ids
        )

    def as_json(self) -> dict[str, Any]:
        """A JSON-safe row: ISO UTC dates, shifts in hours, ids and the path."""
        return {
            "task_id": self.task_id,
            "path": self.path,
            "old_start": iso(self.old_start),
            "old_end": iso(self.old_end),
            "new_start": iso(self.new_start),
            "new_end": iso(self.new_end),
            "start_shift_h": hours(self.start_shift),
            "end_shift_h": hours(self.end_shift),
            "old_resource_ids": list(self.old_resource_ids),
            "new_resource_ids": None
            if self.new_resource_ids is None
            else list(self.new_resource_ids),
            "reason": self.reason,
            "reason_task_id": self.reason_task_id,
            "why": self.why,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> TaskChange:
        """The change of a row written by :meth:`as_json`."""
        new = row.get("new_resource_ids")
        return cls(
            task_id=int(row["task_id"]),
            path=str(row["path"]),
            old_start=datetime.datetime.fromisoformat(row["old_start"]),
            old_end=datetime.datetime.fromisoformat(row["old_end"]),
            new_start=datetime.datetime.fromisoformat(row["new_start"]),
            new_end=datetime.datetime.fromisoformat(row["new_end"]),
            old_resource_ids=tuple(row.get("old_resource_ids") or ()),
            new_resource_ids=None if new is None else tuple(new),
            reason=row.get("reason"),
            reason_task_id=row.get("reason_task_id"),
            why=str(row.get("why") or ""),
        )


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` in UTC; a naive one is taken as UTC (as the engines do)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso(moment: datetime.datetime) -> str:
    return as_utc(moment).isoformat()


def hours(span: datetime.timedelta) -> float:
    return round(span.total_seconds() / 3600.0, 2)


# -- the stored plan ---------------------------------------------------------------


def gather_previous(session: Any, data: ScheduleData) -> PreviousPlan:
    """The computed dates and resources stored for ``data``'s projects.

    Three set-based queries (task dates, computed resources, project dates),
    whatever the number of tasks; call it before the write-back.
    """
    previous = PreviousPlan()
    if not data.project_ids:
        return previous
    tasks, projects = table("Tasks"), table("Projects")
    link = table("Task_Computed_Resources")
    in_projects = tasks.c.project_id.in_(data.project_ids)
    resources: dict[int, list[int]] = defaultdict(list)
    query = (
        select(link.c.task_id, link.c.resource_id)
        .join(tasks, tasks.c.id == link.c.task_id)
        .where(in_projects)
        .order_by(link.c.task_id, link.c.resource_id)
    )
    for task_id, user_id in session.execute(query):
        resources[task_id].append(user_id)
    query = select(tasks.c.id, tasks.c.computed_start, tasks.c.computed_end).where(
        in_projects,
        tasks.c.computed_start.is_not(None),
        tasks.c.computed_end.is_not(None),
    )
    for task_id, start, end in session.execute(query):
        previous.tasks[task_id] = PreviousTask(
            start, end, tuple(resources.get(task_id, ()))
        )
    query = select(
        projects.c.id, projects.c.computed_start, projects.c.computed_end
    ).where(
        projects.c.id.in_(data.project_ids),
        projects.c.computed_start.is_not(None),
        projects.c.computed_end.is_not(None),
    )
    for project_id, start, end in session.execute(query):
        previous.projects[project_id] = (start, end)
    return previous


# -- the difference ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _New:
    """A task's new plan, whichever engine computed it."""

    start: datetime.datetime
    end: datetime.datetime
    resource_ids: tuple[int, ...] | None
    reason: str | None = None
    reason_task_id: int | None = None


def _new_rows(plan: Any) -> dict[int, _New]:
    """A native ``Plan`` or ``ComputedSchedule`` rows (tj3), by task id."""
    tasks = getattr(plan, "tasks", None)
    if tasks is not None:
        return {
            task_id: _New(p.start, p.end, p.resource_ids, p.reason, p.reason_task_id)
            for task_id, p in tasks.items()
        }
    return {row.entity_id: _New(row.start, row.end, row.resource_ids) for row in plan}


def _allowed(data: ScheduleData, task_id: int, chosen: Iterable[int]) -> tuple:
    """What the write-back keeps: chosen users that are resources or alternatives."""
    allowed = set(data.resources.get(task_id, ())) | set(
        data.alternatives.get(task_id, ())
    )
    return tuple(sorted(user for user in dict.fromkeys(chosen) if user in allowed))


def plan_changes(
    data: ScheduleData,
    previous: PreviousPlan,
    plan: Any,
    compare_resources: bool = True,
) -> list[TaskChange]:
    """The tasks of ``data``'s projects that ``plan`` moves against ``previous``.

    ``plan`` is a native :class:`~stalker.scheduling.Plan` or the
    ``ComputedSchedule`` rows of tj3.  A task moved when its start or end
    differs, or (``compare_resources``, and the run computed them) its set
    of resources does.  The largest end shift comes first, then the path.
    """
    scheduled = set(data.project_ids)
    changes = []
    for task_id, new in _new_rows(plan).items():
        row = data.tasks.get(task_id)
        old = previous.tasks.get(task_id)
        if row is None or old is None or row.project_id not in scheduled:
            continue
        resources = None
        if compare_resources and new.resource_ids is not None:
            resources = _allowed(data, task_id, new.resource_ids)
        moved = as_utc(new.start) != as_utc(old.start) or as_utc(new.end) != as_utc(
            old.end
        )
        if not moved and (resources is None or set(resources) == set(old.resource_ids)):
            continue
        changes.append(_change(data, task_id, old, new, resources))
    changes.sort(key=lambda change: (-abs(change.end_shift), change.path))
    return changes


def _change(
    data: ScheduleData,
    task_id: int,
    old: PreviousTask,
    new: _New,
    resources: tuple[int, ...] | None,
) -> TaskChange:
    change = TaskChange(
        task_id=task_id,
        path=data.path_name(task_id),
        old_start=as_utc(old.start),
        old_end=as_utc(old.end),
        new_start=as_utc(new.start),
        new_end=as_utc(new.end),
        old_resource_ids=old.resource_ids,
        new_resource_ids=resources,
        reason=new.reason,
        reason_task_id=new.reason_task_id,
    )
    return replace(change, why=why_moved(data, change))


def shift_text(span: datetime.timedelta) -> str:
    """``2 d 3 h later`` / ``30 min earlier`` (calendar time)."""
    if not span:
        return "unchanged"
    minutes = round(abs(span).total_seconds() / 60)
    days, rest = divmod(minutes, 1440)
    parts = [f"{days} d"] if days else []
    if rest // 60:
        parts.append(f"{rest // 60} h")
    if rest % 60:
        parts.append(f"{rest % 60} min")
    return f"{' '.join(parts)} {'later' if span > datetime.timedelta(0) else 'earlier'}"


def reason_text(data: ScheduleData, reason: str | None, task_id: int | None) -> str:
    """The engine's reason for a start, worded with the task paths."""
    if reason is None:
        return ""
    if reason == "dependency" and task_id is not None:
        return f"it waits for its dependency {data.path_name(task_id)}"
    if reason == "resource":
        return "it waits for a busy or absent resource"
    return _REASONS.get(reason, reason)


def why_moved(data: ScheduleData, change: TaskChange) -> str:
    """``starts 2 d later (was 2030-01-07 09:00 UTC): it waits for ...``."""
    was = as_utc(change.old_start).strftime("%Y-%m-%d %H:%M UTC")
    if change.start_shift:
        text = f"starts {shift_text(change.start_shift)} (was {was})"
    elif change.end_shift:
        text = f"ends {shift_text(change.end_shift)}, same start"
    else:
        text = "same dates"
    if change.resources_changed:
        text += (
            f"; resources {_ids(change.old_resource_ids)} -> "
            f"{_ids(change.new_resource_ids or ())}"
        )
    cause = reason_text(data, change.reason, change.reason_task_id)
    return f"{text}: {cause}" if cause else text


def _ids(ids: Iterable[int]) -> str:
    return "[" + ", ".join(str(i) for i in ids) + "]"


def changes_as_json(changes: Iterable[TaskChange]) -> list[dict[str, Any]]:
    """The rows ``Studio.last_schedule_changes`` keeps (see :meth:`as_json`)."""
    return [change.as_json() for change in changes]


class ScheduleText(str):
    """What ``Studio.schedule()`` returns: the scheduler's text, with ``changes``.

    A ``str`` equal to the scheduler's text (tj3's warnings, ``''`` for the
    native engine), so code that compares, prints or tests it keeps working;
    ``changes`` adds the run's moved tasks (:class:`TaskChange` rows).
    """

    changes: list[TaskChange]

    def __new__(cls, text: str, changes: Iterable[TaskChange] = ()) -> ScheduleText:
        made = super().__new__(cls, text)
        made.changes = list(changes)
        return made
