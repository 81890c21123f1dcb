"""Check a computed plan against the rules, independently of any engine.

The checker reads the same plain input as the engines (ScheduleData, the
calendar and the constraints) and a plan's per-task dates and resource
allocations, and lists every rule the plan breaks.  It works on datetimes
and minute ranges, not on the engine's slots, so an engine bug cannot hide
behind a shared helper.
"""

from __future__ import annotations

import datetime
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from stalker.scheduling.data import DependencyRow, ScheduleData
from stalker.scheduling.engine import Calendar, Plan, TaskPlan, as_utc

Interval = tuple[datetime.datetime, datetime.datetime]
Constraints = Mapping[int, tuple[datetime.datetime | None, datetime.datetime | None]]
_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: its kind, the task (and resource) and what is wrong.

    Kinds: ``dependency``, ``double_booking``, ``outside_working_hours``,
    ``vacation``, ``before_now``, ``effort``, ``constraint``, ``container``.
    """

    kind: str
    task_id: int
    message: str
    resource_id: int | None = None


class _Rules:
    """Working time of the studio calendar, read in local time.

    As in tj3, a timing slot is working when its local start (in the studio's
    zone, or the resource's own) lies in one of that weekday's ranges.
    """

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.step = calendar.resolution
        self._zones: dict[str, zoneinfo.ZoneInfo] = {}

    def zone(self, user_id: int | None = None) -> zoneinfo.ZoneInfo:
        name = self.calendar.zone_of(user_id)
        found = self._zones.get(name)
        if found is None:
            found = self._zones[name] = zoneinfo.ZoneInfo(name)
        return found

    def working_at(self, moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> bool:
        local = moment.astimezone(zone)
        minute = local.hour * 60 + local.minute
        ranges = self.calendar.working_hours[local.weekday()]
        return any(first <= minute < last for first, last in ranges)

    def is_working(
        self,
        start: datetime.datetime,
        end: datetime.datetime,
        user_id: int | None = None,
    ) -> bool:
        """Whether every slot of ``[start, end)`` is a working one."""
        zone, cursor = self.zone(user_id), start
        while cursor < end:
            if not self.working_at(cursor, zone):
                return False
            cursor += self.step
        return True

    def add_working(
        self, moment: datetime.datetime, minutes: float
    ) -> datetime.datetime:
        """``moment`` plus ``minutes`` of the studio's working time (a gaplength)."""
        zone, cursor = self.zone(), moment
        left = datetime.timedelta(minutes=minutes)
        limit = as_utc(self.calendar.end) + datetime.timedelta(days=366)
        while left > datetime.timedelta(0) and cursor < limit:
            if self.working_at(cursor, zone):
                if left <= self.step:
                    return cursor + left
                left -= self.step
            cursor += self.step
        return cursor


def _overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _booked(data: ScheduleData) -> dict[tuple[int, int], list[Interval]]:
    """Time logs per (task, resource): they may break the calendar rules."""
    logs: dict[tuple[int, int], list[Interval]] = defaultdict(list)
    for task_id, rows in data.bookings.items():
        for row in rows:
            logs[(task_id, row.resource_id)].append(
                (as_utc(row.start), as_utc(row.end))
            )
    return logs


def _outside(interval: Interval, logs: list[Interval]) -> Iterator[Interval]:
    """The parts of ``interval`` no time log covers (``logs`` sorted)."""
    start, end = interval
    for lo, hi in logs:
        if hi <= start or lo >= end:
            continue
        if lo > start:
            yield start, lo
        start = max(start, hi)
    if start < end:
        yield start, end


def _planned(data: ScheduleData, plan: Plan) -> Iterator[tuple[int, int, Interval]]:
    """Every planned allocation minus the time logs.

    A plan may report adjacent logs, or a log and the work that goes on
    right after it, as one run (tj3's export does): only the rest of the
    run is planned work, bound by the calendar rules.
    """
    logs = {key: sorted(spans) for key, spans in _booked(data).items()}
    for task_id, task in plan.tasks.items():
        for user_id, intervals in task.allocations.items():
            known = logs.get((task_id, user_id), [])
            for interval in intervals:
                for part in _outside(interval, known):
                    yield task_id, user_id, part


def _dependency_time(
    rules: _Rules, dep: DependencyRow, depended: TaskPlan
) -> datetime.datetime:
    base = depended.end if dep.target == "onend" else depended.start
    if not dep.gap_timing:
        return base
    if dep.gap_model == "duration":
        minutes = Calendar.calendar_minutes(dep.gap_timing, dep.gap_unit)
        return base + datetime.timedelta(minutes=minutes)
    minutes = rules.calendar.work_minutes(dep.gap_timing, dep.gap_unit)
    return rules.add_working(base, minutes)


def _check_dependencies(
    data: ScheduleData, plan: Plan, rules: _Rules
) -> Iterator[Violation]:
    for task_id, deps in data.dependencies.items():
        task = plan.tasks.get(task_id)
        for dep in deps:
            depended = plan.tasks.get(dep.depends_on_id)
            if task is None or depended is None:
                continue
            earliest = _dependency_time(rules, dep, depended)
            if task.start < earliest:
                yield Violation(
                    "dependency",
                    task_id,
                    f"starts {task.start:%Y-%m-%d %H:%M} before "
                    f"{earliest:%Y-%m-%d %H:%M} required by {dep.target} "
                    f"of {data.path_name(dep.depends_on_id)}",
                )


def _check_double_booking(data: ScheduleData, plan: Plan) -> Iterator[Violation]:
    by_user: dict[int, list[tuple[Interval, int]]] = defaultdict(list)
    for task_id, task in plan.tasks.items():
        for user_id, intervals in task.allocations.items():
            by_user[user_id].extend((interval, task_id) for interval in intervals)
    for user_id, items in by_user.items():
        items.sort()
        reach: tuple[datetime.datetime, int] | None = None
        for (start, end), task_id in items:
            if reach is not None and start < reach[0]:
                yield Violation(
                    "double_booking",
                    task_id,
                    f"resource {user_id} is also booked by "
                    f"{data.path_name(reach[1])} at "
                    f"{start:%Y-%m-%d %H:%M}",
                    user_id,
                )
            if reach is None or end > reach[0]:
                reach = (end, task_id)


def _check_calendar(
    data: ScheduleData, plan: Plan, rules: _Rules
) -> Iterator[Violation]:
    now = as_utc(rules.calendar.now)
    vacations = {
        user_id: [(as_utc(a), as_utc(b)) for a, b in spans]
        for user_id, spans in data.vacations.items()
    }
    for task_id, user_id, interval in _planned(data, plan):
        when = f"{interval[0]:%Y-%m-%d %H:%M}-{interval[1]:%H:%M}"
        if not rules.is_working(*interval, user_id):
            yield Violation("outside_working_hours", task_id, f"works {when}", user_id)
        if interval[0] < now:
            yield Violation("before_now", task_id, f"works {when} before now", user_id)
        for span in (*vacations.get(None, ()), *vacations.get(user_id, ())):
            if _overlaps(interval, span):
                yield Violation(
                    "vacation", task_id, f"works {when} in a vacation", user_id
                )
                break


def _whole_slots(calendar: Calendar, minutes: float) -> float:
    """An effort as TaskJuggler reads it: rounded to whole timing slots."""
    slot = calendar.resolution.total_seconds() / 60.0
    return math.floor(minutes / slot + 0.5) * slot


def _check_effort(
    data: ScheduleData, plan: Plan, calendar: Calendar
) -> Iterator[Violation]:
    efficiency = dict(data.users)
    for task_id, task in plan.tasks.items():
        row = data.tasks[task_id]
        if row.children or row.schedule_model not in ("effort", None):
            continue
        if not data.resources.get(task_id) or row.schedule_timing <= 0:
            continue
        needed = _whole_slots(
            calendar, calendar.work_minutes(row.schedule_timing, row.schedule_unit)
        )
        done = sum(
            (end - start).total_seconds() / 60.0 * efficiency.get(user_id, 1.0)
            for user_id, intervals in task.allocations.items()
            for start, end in intervals
        )
        if done + _TOLERANCE < needed:
            yield Violation(
                "effort",
                task_id,
                f"{done / 60:.2f} h of {needed / 60:.2f} h of effort allocated",
            )


def _check_constraints(plan: Plan, constraints: Constraints) -> Iterator[Violation]:
    for task_id, (start, end) in constraints.items():
        task = plan.tasks.get(task_id)
        if task is None:
            continue
        if start is not None and task.start < as_utc(start):
            yield Violation("constraint", task_id, f"starts before {start}")
        if end is not None and task.end > as_utc(end):
            yield Violation("constraint", task_id, f"ends after {end}")


def _check_containers(data: ScheduleData, plan: Plan) -> Iterator[Violation]:
    for task_id, task in plan.tasks.items():
        children = [
            plan.tasks[c] for c in data.tasks[task_id].children if c in plan.tasks
        ]
        if not children:
            continue
        start = min(child.start for child in children)
        end = max(child.end for child in children)
        if (task.start, task.end) != (start, end):
            yield Violation(
                "container", task_id, f"does not span its children ({start} - {end})"
            )


def check_plan(
    data: ScheduleData,
    plan: Plan,
    calendar: Calendar,
    constraints: Constraints | None = None,
) -> list[Violation]:
    """Every rule ``plan`` breaks (an empty list for a valid plan)."""
    rules = _Rules(calendar)
    return [
        *_check_dependencies(data, plan, rules),
        *_check_double_booking(data, plan),
        *_check_calendar(data, plan, rules),
        *_check_effort(data, plan, calendar),
        *_check_constraints(plan, constraints or {}),
        *_check_containers(data, plan),
    ]
