"""What a re-plan moved: the new plan against the one the tasks held before.

The previous plan is what the database holds before the write-back: each
task's ``computed_start``/``computed_end`` and computed resources, read with
three set-based queries (:func:`gather_previous`).  :func:`plan_changes` then
compares it with what an engine computed, on plain rows, and words why each
moved task starts when it does now (the native engine's ``reason``).

Only tasks that moved are listed: a task never planned before (no computed
dates) did not move, so a first run lists nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
    #: The stored computed resources of every gathered task that has some
    #: (user ids ascending), planned or not: the write-back leaves these
    #: rows alone where the new plan chose the same users.
    links: dict[int, tuple[int, ...]] = field(default_factory=dict)


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
        return self.new_start - self.old_start

    @property
    def end_shift(self) -> datetime.timedelta:
        """How far the end moved (negative: earlier)."""
        return self.new_end - self.old_end

    @property
    def resources_changed(self) -> bool:
        return self.new_resource_ids is not None and set(self.new_resource_ids) != set(
            self.old_resource_ids
        )

    def as_json(self) -> dict[str, Any]:
        """A JSON-safe row: ISO dates (UTC as planned), shifts in hours, ids, path."""
        return {
            "task_id": self.task_id,
            "path": self.path,
            "old_start": self.old_start.isoformat(),  # UTC when planned here
            "old_end": self.old_end.isoformat(),
            "new_start": self.new_start.isoformat(),
            "new_end": self.new_end.isoformat(),
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
    if moment.tzinfo is UTC:
        return moment
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
    previous.links = {task_id: tuple(users) for task_id, users in resources.items()}
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


#: A task's new plan, whichever engine computed it: start, end, resource ids
#: (None: not computed), reason and reason task (None from tj3).
_New = tuple[
    datetime.datetime,
    datetime.datetime,
    tuple[int, ...] | None,
    str | None,
    int | None,
]


def _new_rows(plan: Any) -> Iterable[tuple[int, _New]]:
    """A native ``Plan`` or ``ComputedSchedule`` rows (tj3), as plain tuples."""
    tasks = getattr(plan, "tasks", None)
    if tasks is not None:
        for task_id, p in tasks.items():
            yield task_id, (p.start, p.end, p.resource_ids, p.reason, p.reason_task_id)
    else:
        for row in plan:
            yield row.entity_id, (row.start, row.end, row.resource_ids, None, None)


def _allowed(data: ScheduleData, task_id: int, chosen: Iterable[int]) -> tuple:
    """What the write-back keeps: chosen users that are resources or alternatives."""
    allowed = set(data.resources.get(task_id, ())) | set(
        data.alternatives.get(task_id, ())
    )
    return tuple(sorted(user for user in dict.fromkeys(chosen) if user in allowed))


def _same_moment(old: datetime.datetime, new: datetime.datetime) -> bool:
    """Aware datetimes compare as instants; a naive one is taken as UTC."""
    return old == new or as_utc(old) == as_utc(new)


def _new_resources(
    data: ScheduleData, task_id: int, old: PreviousTask, chosen: Any
) -> tuple[tuple[int, ...], bool]:
    """The resources the write-back stores for the task, and whether they changed."""
    if tuple(chosen) == old.resource_ids:  # the usual case, ids in order
        return old.resource_ids, False
    kept = _allowed(data, task_id, chosen)
    return kept, set(kept) != set(old.resource_ids)


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
    Unmoved tasks cost two comparisons: a re-plan of a big studio that moves
    little adds next to nothing to the run.
    """
    scheduled = set(data.project_ids)
    tasks, stored = data.tasks, previous.tasks
    changes = []
    for task_id, new in _new_rows(plan):
        old = stored.get(task_id)
        row = tasks.get(task_id)
        if old is None or row is None or row.project_id not in scheduled:
            continue
        resources, swapped = None, False
        if compare_resources and new[2] is not None:
            resources, swapped = _new_resources(data, task_id, old, new[2])
        if (
            not swapped
            and _same_moment(old.start, new[0])
            and _same_moment(old.end, new[1])
        ):
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
    old_start, old_end = as_utc(old.start), as_utc(old.end)
    new_start, new_end = as_utc(new[0]), as_utc(new[1])
    why = _why(
        data,
        old_start,
        new_start - old_start,
        new_end - old_end,
        (old.resource_ids, resources),
        (new[3], new[4]),
    )
    return TaskChange(
        task_id,
        data.path_name(task_id),
        old_start,
        old_end,
        new_start,
        new_end,
        old.resource_ids,
        resources,
        new[3],
        new[4],
        why,
    )


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
    return _why(
        data,
        as_utc(change.old_start),
        change.start_shift,
        change.end_shift,
        (change.old_resource_ids, change.new_resource_ids),
        (change.reason, change.reason_task_id),
    )


def _why(
    data: ScheduleData,
    old_start: datetime.datetime,
    start_shift: datetime.timedelta,
    end_shift: datetime.timedelta,
    resources: tuple[tuple[int, ...], tuple[int, ...] | None],
    reason: tuple[str | None, int | None],
) -> str:
    if start_shift:
        text = f"starts {shift_text(start_shift)} (was {_minute(old_start)})"
    elif end_shift:
        text = f"ends {shift_text(end_shift)}, same start"
    else:
        text = "same dates"
    old, new = resources
    if new is not None and set(new) != set(old):
        text += f"; resources {_ids(old)} -> {_ids(new)}"
    cause = reason_text(data, *reason)
    return f"{text}: {cause}" if cause else text


def _minute(moment: datetime.datetime) -> str:
    """``2030-01-07 09:00 UTC`` (cheaper than strftime, called per moved task)."""
    return f"{moment.isoformat(' ', 'minutes')[:16]} UTC"


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
