"""A native list scheduler with TaskJuggler's semantics, on plain data.

Time is cut into timing-resolution slots from the horizon start.  Every
resource has a ``bytearray`` of free slots (working hours minus vacations,
slots before ``now`` and booked slots), so looking for work is a C-speed
``bytearray.find`` over runs of free slots, never a Python loop per slot.

The rules follow what tj3 3.7.1 does with Stalker's ``.tjp`` file (read in
its source and checked on hand cases, see tests/scheduling/test_engine.py):

* leaves are scheduled one at a time, as soon as every dependency is known,
  the ready leaf with the highest (inherited) priority first, then the one
  with the highest path criticalness, then file order.  A leaf's
  criticalness is its effort (in slots) times the mean scarcity of its
  candidate resources (effort allocated to a resource over its free slots
  in the project); length and duration leaves weigh nothing, milestones
  priority / 500; the path criticalness adds the heaviest path through the
  dependent tasks, computed with tj3's caching order;
* ``effort`` is worked slot by slot by every allocated resource that is
  free, each adding its efficiency; the start is the first booked slot, the
  last slot takes only the resources still needed;
* an alternative is chosen, per primary resource, at the first slot where a
  candidate is free, in the strategy's order (``minallocated``: least booked
  then least scarce when persistent, least scarce otherwise; ``minloaded``,
  ``maxloaded``: booked effort; ``order``); a persistent choice is kept,
  otherwise every slot chooses again;
* ``length`` counts working slots of the studio calendar and ``duration``
  calendar slots; both book their resources where free but never wait;
  working time is rounded to whole slots, calendar time truncated;
* an end constraint without a start schedules the leaf back from the end;
* resources are never booked before ``now``; time logs are bookings that
  count as done effort, and a leaf they complete is settled first;
* a leaf without resources is a milestone at its earliest start; a container
  spans its children; dependencies of a container hold for its children;
  onstart of a leaf without effort is due at its (known) start, onstart of
  an effort leaf at its first booked slot (tj3 may take its earliest start
  there, and fails when the two differ).
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq
import itertools
import math
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from stalker.exceptions import StalkerError
from stalker.scheduling.data import (
    DependencyRow,
    ScheduleData,
    validate_schedule_data,
)
from stalker.scheduling.writeback import ComputedSchedule
from stalker.utils import cycle_collector_paused

UTC = datetime.timezone.utc
EPSILON = 1e-9
#: TaskJuggler's default working days a year (Stalker's file does not set it).
TJ_YEARLY_WORKING_DAYS = 260.714
_CALENDAR_MINUTES = {
    "min": 1.0,
    "h": 60.0,
    "d": 1440.0,
    "w": 10080.0,
    "m": 43800.0,
    "y": 525600.0,
}


class SchedulingError(StalkerError, RuntimeError):
    """The input cannot be scheduled (a cycle, or work beyond the horizon)."""


class HorizonError(SchedulingError):
    """Work runs past the horizon; ``schedule()`` grows it and tries again.

    ``task_id`` names the task that did not fit (None when unknown).
    """

    def __init__(self, message: str, task_id: int | None = None) -> None:
        super().__init__(message)
        self.task_id = task_id


class ConstraintError(SchedulingError):
    """A task cannot meet its pinned start or end; the plan is not stored.

    ``task_id`` and ``path`` (``"FC / SH010 / Comp"``) name the task.  The
    TaskJuggler scheduler raises a subclass of it too, so one ``except``
    catches the refusal whichever engine ran.
    """

    def __init__(self, message: str, task_id: int | None = None, path: str = ""):
        super().__init__(message)
        self.task_id = task_id
        self.path = path


def constraint_error(
    data: ScheduleData, task_id: int, what: str, cls: type = ConstraintError
) -> Any:
    """A :class:`ConstraintError` (or ``cls``) naming the task by its path."""
    path = data.path_name(task_id)
    return cls(f"{path} (Task, id {task_id}) {what}", task_id=task_id, path=path)


@dataclass(slots=True)
class Calendar:
    """The studio figures that the engine needs.

    ``working_hours`` holds, Monday first, each day's ``[start, end]`` minute
    ranges in the local time of ``timezone`` (an IANA name), as tj3's
    ``timezone`` reads them: a slot works when its local start lies in a
    range, so daylight-saving days are right.  ``resource_timezones`` gives
    remote users their own zone for the same weekly hours.
    """

    start: datetime.datetime
    end: datetime.datetime
    now: datetime.datetime
    working_hours: Sequence[Sequence[Sequence[int]]]
    resolution: datetime.timedelta = datetime.timedelta(hours=1)
    daily_working_hours: float = 9.0
    yearly_working_days: float = TJ_YEARLY_WORKING_DAYS
    timezone: str = "UTC"
    resource_timezones: Mapping[int, str] = field(default_factory=dict)

    def zone_of(self, user_id: int | None) -> str:
        """The zone a user's working hours are meant in (the studio's default)."""
        if user_id is None:
            return self.timezone
        return self.resource_timezones.get(user_id) or self.timezone

    def work_minutes(self, timing: float, unit: str) -> float:
        """Working-time minutes of an effort, length or gaplength.

        As in tj3, a week is the weekly working time of ``working_hours``, a
        month and a year come from ``yearly_working_days``.
        """
        day = self.daily_working_hours * 60.0
        scale = {
            "min": 1.0,
            "h": 60.0,
            "d": day,
            "w": float(sum(b - a for ranges in self.working_hours for a, b in ranges)),
            "m": day * self.yearly_working_days / 12.0,
            "y": day * self.yearly_working_days,
        }
        return float(timing) * scale.get(unit, 60.0)

    @staticmethod
    def calendar_minutes(timing: float, unit: str) -> float:
        """Calendar minutes of a duration or gapduration."""
        return float(timing) * _CALENDAR_MINUTES.get(unit, 60.0)


class RowSink(Protocol):
    """Takes the engine's rows as tasks finish (see :func:`schedule`)."""

    def add(self, row: ComputedSchedule) -> None: ...

    def discard(self) -> None: ...


@dataclass(slots=True)
class TaskPlan:
    """The computed schedule of one task and why it starts when it does.

    ``reason`` is what fixed the start: ``project_start``, ``now``,
    ``dependency`` (``reason_task_id`` names it), ``constraint``,
    ``booking``, ``calendar`` (waited for working hours) or ``resource``
    (waited for a busy or absent resource); containers take their earliest
    child's reason.  ``slack`` is the working time (studio calendar) by which
    the end may slip without moving a dependent task or the project end: a
    task ending in the evening before its dependent starts the next morning
    has none, and is ``critical``.
    """

    task_id: int
    start: datetime.datetime
    end: datetime.datetime
    resource_ids: tuple[int, ...] = ()
    allocations: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = field(
        default_factory=dict
    )
    reason: str = "project_start"
    reason_task_id: int | None = None
    slack: datetime.timedelta = datetime.timedelta(0)
    critical: bool = False


@dataclass
class Plan:
    """The engine's output: tasks and projects with their dates."""

    tasks: dict[int, TaskPlan] = field(default_factory=dict)
    projects: dict[int, tuple[datetime.datetime, datetime.datetime]] = field(
        default_factory=dict
    )
    #: The horizon end the plan fitted in (later than the studio's end when
    #: the horizon had to grow); tj3 gets the same end.
    horizon_end: datetime.datetime | None = None

    def computed(self) -> list[ComputedSchedule]:
        """Rows for :func:`stalker.scheduling.writeback.write_back`."""
        with cycle_collector_paused():  # a row per task, on the engine's big heap
            rows = [
                ComputedSchedule(plan.task_id, plan.start, plan.end, plan.resource_ids)
                for plan in self.tasks.values()
            ]
        rows.extend(
            ComputedSchedule(project_id, start, end)
            for project_id, (start, end) in self.projects.items()
        )
        return rows


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` in UTC; naive values are taken as UTC (as the .tjp does)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class _Slots:
    """Slot arithmetic over the horizon: datetimes <-> indices, calendars.

    Slots are counted in UTC from the horizon start's UTC midnight; the
    working mask of a zone is the weekly pattern read in that zone's local
    time, one stretch of constant UTC offset at a time.
    """

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        start = as_utc(calendar.start)
        self.origin = start.replace(hour=0, minute=0, second=0, microsecond=0)
        end = as_utc(calendar.end).replace(hour=0, minute=0, second=0, microsecond=0)
        self.step = calendar.resolution
        self.minutes = calendar.resolution.total_seconds() / 60.0
        self.count = max(1, math.ceil((end - self.origin) / self.step))
        self._week = _week_pattern(calendar.working_hours)
        self._masks: dict[str, bytearray] = {}
        self.work = self.mask(calendar.timezone)
        self.working_count = self.work.count(1)

    def mask(self, zone_name: str) -> bytearray:
        """The working slots of the weekly hours in ``zone_name`` (cached)."""
        found = self._masks.get(zone_name)
        if found is None:
            found = self._masks[zone_name] = self._working_slots(zone_name)
        return found

    def _working_slots(self, zone_name: str) -> bytearray:
        zone = zoneinfo.ZoneInfo(zone_name)
        work = bytearray()
        for first, last, offset in self._stretches(zone):
            work += self._tile(first, last, offset)
        return work

    def _tile(self, first: int, last: int, offset: int) -> bytes:
        """Slots ``[first, last)`` read in the weekly pattern at ``offset`` min."""
        step = round(self.minutes)
        minute = (self.origin.weekday() * 1440 + first * step + offset) % _WEEK
        span = minute + (last - first) * step
        return (self._week * (span // _WEEK + 1))[minute:span:step]

    def _offset(self, zone: zoneinfo.ZoneInfo, slot: int) -> int:
        """The zone's UTC offset in minutes at the start of ``slot``."""
        offset = self.moment(slot).astimezone(zone).utcoffset()
        return int(offset.total_seconds() // 60) if offset else 0

    def _stretches(self, zone: zoneinfo.ZoneInfo) -> list[tuple[int, int, int]]:
        """``(first, last, offset)`` runs of slots with one UTC offset.

        The offset is probed once a day and a change is bisected to its slot
        (zones change at most once a day).
        """
        per_day = max(1, round(1440 / self.minutes))
        runs, first, current = [], 0, self._offset(zone, 0)
        probe = 0
        while probe < self.count - 1:
            ahead = min(probe + per_day, self.count - 1)
            if self._offset(zone, ahead) == current:
                probe = ahead
                continue
            low, high = probe, ahead  # offset(low) is current, offset(high) not
            while high - low > 1:
                middle = (low + high) // 2
                if self._offset(zone, middle) == current:
                    low = middle
                else:
                    high = middle
            runs.append((first, high, current))
            first, current, probe = high, self._offset(zone, high), high
        runs.append((first, self.count, current))
        return runs

    def index(self, moment: datetime.datetime, up: bool = False) -> int:
        """The slot holding ``moment`` (``up``: the first slot not before it)."""
        slots = (as_utc(moment) - self.origin) / self.step
        return math.ceil(slots - EPSILON) if up else math.floor(slots + EPSILON)

    def moment(self, index: int) -> datetime.datetime:
        return self.origin + self.step * index

    def clamp(self, index: int) -> int:
        return min(max(index, 0), self.count)

    def before_working(self, last: int, count: int) -> int:
        """The start of the ``count``-th working slot back from ``last``."""
        position = last
        while count > 0:
            stop = self.work.rfind(1, 0, position)
            if stop < 0:
                return -1
            start = self.work.rfind(0, 0, stop) + 1
            if stop + 1 - start >= count:
                return stop + 1 - count
            count -= stop + 1 - start
            position = start
        return position

    def after_working(self, first: int, count: int, task_id: int | None = None) -> int:
        """The end of the ``count``-th working slot from ``first`` (0: ``first``).

        Past the horizon it raises :class:`HorizonError` naming ``task_id``.
        """
        position = first
        while count > 0:
            start = self.work.find(1, position)
            if start < 0:
                raise HorizonError(
                    "the work does not fit into the project horizon", task_id
                )
            stop = self.work.find(0, start)
            stop = self.count if stop < 0 else stop
            if stop - start >= count:
                return start + count
            count -= stop - start
            position = stop
        return position


_WEEK = 7 * 1440


def _week_pattern(working_hours: Sequence[Sequence[Sequence[int]]]) -> bytes:
    """One flag per local minute of the week (Monday 00:00 first): working."""
    week = bytearray(_WEEK)
    for day, ranges in enumerate(working_hours):
        for first, last in ranges:
            lo, hi = day * 1440 + int(first), day * 1440 + int(last)
            week[lo:hi] = b"\x01" * max(0, hi - lo)
    return bytes(week)


@dataclass(slots=True)
class _Leaf:
    """A leaf's scheduling input, resolved from its TaskRow."""

    task_id: int
    model: str
    amount: float  # effort in resource-slots, length/duration in slots
    resources: list[int]
    alternatives: list[int]
    strategy: str
    persistent: bool = True


class Engine:
    """Schedules a :class:`ScheduleData` over a :class:`Calendar`.

    ``constraints`` maps a task id to the start it may not begin before and
    the end it should not pass (either may be None); ``progress`` is called
    with ``(scheduled leaves, all leaves)`` now and then; ``finished`` gets
    each task's row once its dates are final (a leaf when placed, a
    container when its last child ends).
    """

    def __init__(
        self,
        data: ScheduleData,
        calendar: Calendar,
        constraints: dict[
            int, tuple[datetime.datetime | None, datetime.datetime | None]
        ]
        | None = None,
        progress: Callable[[int, int], None] | None = None,
        finished: Callable[[ComputedSchedule], None] | None = None,
    ) -> None:
        self.data = data
        self.slots = _Slots(calendar)
        self.constraints = constraints or {}
        self.progress = progress
        self.finished = finished
        self.ids = [i for i in _preorder(data) if i in data.tasks]
        self.scheduled = set(self.ids)
        self.efficiency = dict(data.users)
        self.free: dict[int, bytearray] = {}
        self.load: dict[int, float] = {}  # booked effort, as tj3 counts it
        self.start: dict[int, int] = {}
        self.end: dict[int, int] = {}
        self.reason: dict[int, tuple[str, int | None]] = {}
        self.allocations: dict[int, dict[int, list[tuple[int, int]]]] = {}
        self.gaps: dict[tuple[int, int], int] = {}
        self.scarcity: dict[int, float] = {}
        self.early: dict[tuple[str, int], list] = {}

    # -- resources ------------------------------------------------------------

    def _resource(self, user_id: int) -> bytearray:
        free = self.free.get(user_id)
        if free is None:
            slots = self.slots
            free = bytearray(slots.mask(slots.calendar.zone_of(user_id)))
            now = slots.clamp(slots.index(self.slots.calendar.now, up=True))
            free[:now] = bytes(now)
            vacations = self.data.vacations
            for start, end in (*vacations.get(None, ()), *vacations.get(user_id, ())):
                self._block(free, start, end)
            self.free[user_id] = free
            self.load[user_id] = 0.0
        return free

    def _block(
        self, free: bytearray, start: datetime.datetime, end: datetime.datetime
    ) -> tuple[int, int]:
        first = self.slots.clamp(self.slots.index(start))
        last = self.slots.clamp(self.slots.index(end, up=True))
        if last > first:
            free[first:last] = bytes(last - first)
        return first, last

    def _book(self, task_id: int, user_id: int, first: int, last: int) -> None:
        if last <= first:
            return
        self.free[user_id][first:last] = bytes(last - first)
        self.load[user_id] += (last - first) * self.efficiency.get(user_id, 1.0)
        runs = self.allocations.setdefault(task_id, {}).setdefault(user_id, [])
        if runs and runs[-1][1] == first:
            runs[-1] = (runs[-1][0], last)
        elif runs and runs[-1][0] == last:  # booked backwards
            runs[-1] = (first, runs[-1][1])
        else:
            runs.append((first, last))

    def _prefill_bookings(self) -> dict[int, tuple[float, int]]:
        """Block every time log; per task the effort it already did and its start."""
        done: dict[int, tuple[float, int]] = {}
        for task_id, logs in self.data.bookings.items():
            if task_id not in self.scheduled or not self.data.resources.get(task_id):
                continue  # tj3 gets no booking for a leaf without resources
            for log in logs:
                first, last = self._block(
                    self._resource(log.resource_id), log.start, log.end
                )
                if last <= first:
                    continue
                runs = self.allocations.setdefault(task_id, {})
                runs.setdefault(log.resource_id, []).append((first, last))
                self.load[log.resource_id] += (last - first) * self.efficiency.get(
                    log.resource_id, 1.0
                )
                effort, start = done.get(task_id, (0.0, first))
                effort += (last - first) * self.efficiency.get(log.resource_id, 1.0)
                done[task_id] = (effort, min(start, first))
        return done

    # -- the task graph -------------------------------------------------------

    def _leaf(self, task_id: int) -> _Leaf | None:
        """The leaf's work, or None for a milestone."""
        row = self.data.tasks[task_id]
        resources = list(self.data.resources.get(task_id, ()))
        if not resources or row.schedule_timing <= 0:
            return None
        calendar, minutes = self.slots.calendar, self.slots.minutes
        model = row.schedule_model
        if model == "duration":
            amount = calendar.calendar_minutes(row.schedule_timing, row.schedule_unit)
        else:
            amount = calendar.work_minutes(row.schedule_timing, row.schedule_unit)
        # tj3 rounds working time to whole slots and truncates calendar time
        slots = int(amount / minutes + EPSILON) if model == "duration" else None
        return _Leaf(
            task_id,
            model if model in ("length", "duration") else "effort",
            float(slots if slots is not None else math.floor(amount / minutes + 0.5)),
            resources,
            list(self.data.alternatives.get(task_id, ())),
            row.allocation_strategy,
            row.persistent_allocation,
        )

    def _priorities(self) -> dict[int, int]:
        """Each task's priority; 500 (written as nothing) inherits the parent's."""
        priority: dict[int, int] = {}
        for task_id in self.ids:
            row = self.data.tasks[task_id]
            inherited = priority.get(row.parent_id, 500) if row.parent_id else 500
            priority[task_id] = row.priority if row.priority != 500 else inherited
        return priority

    def _graph(self) -> tuple[dict[tuple[str, int], list], dict[tuple[str, int], int]]:
        """Entry/exit nodes per task: ``("E", id)`` and ``("X", id)``.

        A child's entry waits for its parent's entry, a container's exit for
        its children's exits, a leaf's exit for its own entry, and a
        dependent task's entry for the exit of the task it depends on, or,
        onstart of a leaf whose start is known before it is scheduled (no
        effort: tj3 propagates that start at once), for its entry; those
        edges go to ``self.early``.  Onstart of an effort leaf waits for the
        slot it books first; tj3 may take its earliest start instead, and
        then fails when the two differ: the native plan keeps the rule.
        """
        successors: dict[tuple[str, int], list] = {}
        pending: dict[tuple[str, int], int] = {}
        for task_id in self.ids:
            pending[("E", task_id)] = 0
            pending[("X", task_id)] = 0
        for task_id in self.ids:
            row = self.data.tasks[task_id]
            entry, exit_ = ("E", task_id), ("X", task_id)
            if row.parent_id in self.scheduled:
                _edge(successors, pending, ("E", row.parent_id), entry)
                _edge(successors, pending, exit_, ("X", row.parent_id))
            if not row.children:
                _edge(successors, pending, entry, exit_)
            for dep in self.data.dependencies.get(task_id, ()):
                if dep.depends_on_id not in self.scheduled:
                    continue
                if dep.target == "onstart" and self._start_known(dep.depends_on_id):
                    _edge(self.early, pending, ("E", dep.depends_on_id), entry)
                    continue
                _edge(successors, pending, ("X", dep.depends_on_id), entry)
        return successors, pending

    def _start_known(self, task_id: int) -> bool:
        """Whether a leaf's start is its earliest start (it books no effort)."""
        row = self.data.tasks[task_id]
        if row.children:
            return False
        leaf = self._leaf(task_id)
        return leaf is None or leaf.model != "effort"

    def _criticalness(
        self, leaves: dict[int, _Leaf | None], priority: dict[int, int]
    ) -> dict[int, float]:
        """tj3's path criticalness of every leaf, quirks included.

        A leaf's path criticalness is its own criticalness plus the heaviest
        path of the tasks depending on it or on one of its containers; a
        container's is its heaviest child's.  tj3 computes it depth-first
        from the project in file order and caches it, and a cached task
        reached again counts *without* its own criticalness, so the value
        depends on that order: it is reproduced here, not idealised.
        """
        weight = self._task_criticalness(leaves, priority)
        followers = self._followers()
        cache: dict[int, float] = {}
        for project_id in self.data.project_ids:
            roots = self.data.roots.get(project_id, ())
            roots = [r for r in roots if r in self.scheduled]
            stack: list[list] = [[None, iter(roots), 0.0]]
            open_: set[int | None] = set()
            while stack:
                frame = stack[-1]
                task_id = next(frame[1], None)
                if task_id in open_:
                    continue  # a cycle: run() reports it
                if task_id is not None and task_id not in cache:
                    open_.add(task_id)
                    stack.append([task_id, iter(followers(task_id)), 0.0])
                    continue
                if task_id is not None:  # reached again: without its own weight
                    own = weight.get(task_id, 0.0)
                    frame[2] = max(frame[2], cache[task_id] - own)
                    continue
                stack.pop()
                if frame[0] is None:
                    continue
                open_.discard(frame[0])
                value = frame[2] + weight.get(frame[0], 0.0)
                cache[frame[0]] = value
                stack[-1][2] = max(stack[-1][2], value)
        return {task_id: cache.get(task_id, 0.0) for task_id in leaves}

    def _followers(self) -> Callable[[int], Sequence[int]]:
        """Where tj3's path of a task goes on: children, or dependent tasks.

        A leaf continues through the tasks depending on its start, then
        through those depending on its end or on a container's end; a task
        inherits its container's dependencies, so they are dependents too.
        """
        on_start: dict[int, list[int]] = {}
        on_end: dict[int, list[int]] = {}
        inherited: dict[int, list[DependencyRow]] = {}
        for task_id in self.ids:
            row = self.data.tasks[task_id]
            own = self.data.dependencies.get(task_id, [])
            deps = [*inherited.get(row.parent_id, []), *own]  # type: ignore[arg-type]
            if row.children:
                inherited[task_id] = deps
            for dep in deps:
                if dep.depends_on_id in self.scheduled:
                    target = on_end if dep.target == "onend" else on_start
                    users = target.setdefault(dep.depends_on_id, [])
                    if task_id not in users:
                        users.append(task_id)
        tasks = self.data.tasks

        def followers(task_id: int) -> Sequence[int]:
            row = tasks[task_id]
            if row.children:
                return row.children
            lists = [on_start.get(task_id, ()), on_end.get(task_id, ())]
            ancestor = row.parent_id
            while ancestor is not None:
                lists.append(on_end.get(ancestor, ()))
                ancestor = tasks[ancestor].parent_id
            # tj3 drops repeated followers; a repeat could not raise the maximum
            return [follower for found in lists for follower in found]

        return followers

    def _task_criticalness(
        self, leaves: dict[int, _Leaf | None], priority: dict[int, int]
    ) -> dict[int, float]:
        """tj3's task criticalness: effort times its resources' scarcity.

        A resource's scarcity is the effort allocated to it (each effort task
        spreading its effort evenly over all its candidates, alternatives
        included) divided by its free slots in the project; length and
        duration tasks weigh nothing and a milestone weighs priority / 500.
        """
        candidates = {
            task_id: list(dict.fromkeys((*leaf.resources, *leaf.alternatives)))
            for task_id, leaf in leaves.items()
            if leaf is not None and leaf.model == "effort"
        }
        allocated: dict[int, float] = {}
        for task_id, users in candidates.items():
            effort = leaves[task_id].amount  # type: ignore[union-attr]
            share = float(int(effort) // len(users))  # tj3 divides integers
            for user_id in users:
                allocated[user_id] = allocated.get(user_id, 0.0) + share
        free = self._free_slot_counts(allocated)
        scarcity = {
            user_id: effort / free[user_id] if free[user_id] else 1.0
            for user_id, effort in allocated.items()
        }
        self.scarcity = scarcity
        weight = {
            task_id: priority[task_id] / 500.0
            for task_id, leaf in leaves.items()
            if leaf is None
        }
        for task_id, users in candidates.items():
            mean = sum(scarcity[u] for u in users) / len(users)
            weight[task_id] = leaves[task_id].amount * mean  # type: ignore[union-attr]
        return weight

    def _free_slot_counts(self, users: Iterable[int]) -> dict[int, int]:
        """Working slots of each user in the horizon, without vacations and logs."""
        logs: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
        for task_id, rows in self.data.bookings.items():
            if task_id in self.scheduled and self.data.resources.get(task_id):
                for log in rows:
                    logs.setdefault(log.resource_id, []).append((log.start, log.end))
        vacations = self.data.vacations
        counts: dict[int, int] = {}
        for user_id in users:
            spans = (*vacations.get(None, ()), *vacations.get(user_id, ()))
            work = self.slots.mask(self.slots.calendar.zone_of(user_id))
            if not spans and user_id not in logs:
                counts[user_id] = work.count(1)
                continue
            free = bytearray(work)
            for start, end in (*spans, *logs.get(user_id, ())):
                self._block(free, start, end)
            counts[user_id] = free.count(1)
        return counts

    # -- scheduling -----------------------------------------------------------

    def run(self) -> Plan:
        leaves = {i: self._leaf(i) for i in self.ids if not self.data.tasks[i].children}
        successors, pending = self._graph()
        priority = self._priorities()
        critical = self._criticalness(leaves, priority)
        sequence = {task_id: n for n, task_id in enumerate(self.ids)}
        done = self._prefill_bookings()
        earliest: dict[int, int] = {}
        ready: list[tuple[int, float, int, int]] = []
        stack = [node for node, count in pending.items() if count == 0]
        scheduled = 0
        while stack or ready:
            while stack:
                node = stack.pop()
                kind, task_id = node
                if kind == "E":
                    earliest[task_id] = self._entry(task_id, earliest)
                    if task_id in leaves:
                        self.start[task_id] = earliest[task_id]
                        for successor in self.early.get(node, ()):
                            pending[successor] -= 1
                            if pending[successor] == 0:
                                stack.append(successor)
                        if not self._settled(leaves[task_id], done.get(task_id)):
                            key = (-priority[task_id], -critical[task_id])
                            heapq.heappush(ready, (*key, sequence[task_id], task_id))
                            continue
                        # tj3 settles these before it picks any other task
                        self._schedule_leaf(task_id, leaves[task_id], earliest, done)
                        scheduled += 1
                else:
                    self._exit(task_id, earliest)
                for successor in successors.get(node, ()):
                    pending[successor] -= 1
                    if pending[successor] == 0:
                        stack.append(successor)
            if ready:
                task_id = heapq.heappop(ready)[3]
                self._schedule_leaf(task_id, leaves[task_id], earliest, done)
                scheduled += 1
                if self.progress and scheduled % 500 == 0:
                    self.progress(scheduled, len(leaves))
                stack.append(("X", task_id))
        if len(self.end) != len(self.ids):
            raise self._cycle_error(successors, pending)
        if self.progress:
            self.progress(scheduled, len(leaves))
        return self._plan()

    def _beyond(self, task_id: int) -> HorizonError:
        path = self.data.path_name(task_id)
        return HorizonError(
            f"{path} (Task, id {task_id}) does not fit into the project horizon",
            task_id,
        )

    def _cycle_error(
        self, successors: dict[tuple[str, int], list], pending: dict
    ) -> SchedulingError:
        """The tasks of one dependency cycle, named by their paths."""
        before: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for edges in (successors, self.early):
            for source, targets in edges.items():
                for target in targets:
                    if pending.get(target) and pending.get(source):
                        before.setdefault(target, []).append(source)
        node = next((n for n, count in pending.items() if count and n in before), None)
        seen: list[tuple[str, int]] = []
        while node is not None and node not in seen:
            seen.append(node)
            node = before[node][0] if before.get(node) else None
        loop = seen[seen.index(node) :] if node in seen else seen
        names = list(dict.fromkeys(self.data.path_name(n[1]) for n in reversed(loop)))
        text = " -> ".join([*names, names[0]]) if names else "unknown tasks"
        return SchedulingError(f"the task dependencies form a cycle: {text}")

    @staticmethod
    def _settled(leaf: _Leaf | None, done: tuple[float, int] | None) -> bool:
        """A milestone, or effort its time logs cover: known before scheduling."""
        if leaf is None:
            return True
        return leaf.model == "effort" and done is not None and done[0] >= leaf.amount

    def _entry(self, task_id: int, earliest: dict[int, int]) -> int:
        """The earliest start of a task from its parent, dependencies, constraint."""
        row = self.data.tasks[task_id]
        best = 0
        reason: tuple[str, int | None] = ("project_start", None)
        if row.parent_id in earliest:
            best = earliest[row.parent_id]
            reason = self.reason.get(row.parent_id, reason)
        for dep in self.data.dependencies.get(task_id, ()):
            base = self.end if dep.target == "onend" else self.start
            if dep.depends_on_id not in base:
                continue
            moment = self._after_dependency(dep)
            self.gaps[(task_id, dep.depends_on_id)] = moment - base[dep.depends_on_id]
            if moment > best:
                best, reason = moment, ("dependency", dep.depends_on_id)
        pinned = self.constraints.get(task_id, (None, None))[0]
        if pinned is not None:
            moment = self.slots.clamp(self.slots.index(pinned, up=True))
            if moment > best:
                best, reason = moment, ("constraint", None)
            elif best > moment and self._pins_its_start(task_id):
                raise self._missed_start(task_id, pinned, best, reason)
        self.reason[task_id] = reason
        return best

    def _pins_its_start(self, task_id: int) -> bool:
        """A leaf with resources: its file has a ``start`` line tj3 must keep."""
        return not self.data.tasks[task_id].children and bool(
            self.data.resources.get(task_id)
        )

    def _missed_start(
        self, task_id: int, pinned: Any, earliest: int, reason: tuple[str, Any]
    ) -> ConstraintError:
        """tj3 refuses a pinned start that a dependency or container pushes back."""
        cause = ""
        if reason[0] == "dependency" and reason[1] is not None:
            cause = f" after {self.data.path_name(reason[1])}"
        when = self.slots.moment(earliest).strftime("%Y-%m-%d %H:%M UTC")
        pinned_text = as_utc(pinned).strftime("%Y-%m-%d %H:%M UTC")
        what = f"cannot start at its pinned start {pinned_text}: it may start{cause}"
        return constraint_error(self.data, task_id, f"{what} at {when}")  # type: ignore[no-any-return]

    def _after_dependency(self, dep: object) -> int:
        base = self.end if dep.target == "onend" else self.start  # type: ignore[attr-defined]
        moment = base[dep.depends_on_id]  # type: ignore[attr-defined]
        timing, unit = dep.gap_timing, dep.gap_unit  # type: ignore[attr-defined]
        if not timing:
            return moment
        calendar, minutes = self.slots.calendar, self.slots.minutes
        if dep.gap_model == "duration":  # type: ignore[attr-defined]
            return moment + math.ceil(
                calendar.calendar_minutes(timing, unit) / minutes - EPSILON
            )
        count = math.ceil(calendar.work_minutes(timing, unit) / minutes - EPSILON)
        return self.slots.after_working(moment, count, dep.task_id)  # type: ignore[attr-defined]

    def _exit(self, task_id: int, earliest: dict[int, int]) -> None:
        """A container spans its children (an empty one is a milestone)."""
        children = self.data.tasks[task_id].children
        if not children or task_id in self.end:
            return
        first = min(children, key=lambda child: self.start[child])
        self.start[task_id] = self.start[first]
        self.end[task_id] = max(self.end[child] for child in children)
        self.reason[task_id] = self.reason[first]
        self._finish(task_id)

    def _finish(self, task_id: int) -> None:
        """Hand a task whose dates are final to ``finished`` (its plan row)."""
        if self.finished is None:
            return
        resources: tuple[int, ...] = ()
        if not self.data.tasks[task_id].children:
            resources = tuple(sorted(self.allocations.get(task_id, ())))
        moment = self.slots.moment
        self.finished(
            ComputedSchedule(
                task_id,
                moment(self.start[task_id]),
                moment(self.end[task_id]),
                resources,
            )
        )

    def _schedule_leaf(
        self,
        task_id: int,
        leaf: _Leaf | None,
        earliest: dict[int, int],
        done: dict[int, tuple[float, int]],
    ) -> None:
        self._place_leaf(task_id, leaf, earliest, done)
        self._finish(task_id)

    def _place_leaf(
        self,
        task_id: int,
        leaf: _Leaf | None,
        earliest: dict[int, int],
        done: dict[int, tuple[float, int]],
    ) -> None:
        first = earliest[task_id]
        if leaf is None:
            self.start[task_id] = self.end[task_id] = first
            return
        for user_id in (*leaf.resources, *leaf.alternatives):
            self._resource(user_id)
        now = self.slots.clamp(self.slots.index(self.slots.calendar.now, up=True))
        pinned_start, pinned_end = self.constraints.get(task_id, (None, None))
        if pinned_end is not None and pinned_start is None:
            self._schedule_backward(task_id, leaf, pinned_end)
            return
        if leaf.model == "effort":
            already, booked_from = done.get(task_id, (0.0, None))
            if leaf.alternatives and not leaf.persistent:
                start, end = self._work_switching(
                    task_id, leaf, first, max(first, now), leaf.amount - already
                )
            else:
                chosen = self._choose(leaf, max(first, now))
                start, end = self._work(task_id, chosen, first, leaf.amount - already)
            if booked_from is not None:
                start = booked_from
                self.reason[task_id] = ("booking", None)
                end = max(end, self._booked_end(task_id))
            elif start > first:
                self._explain_wait(task_id, first, start, now)
        else:
            counting = max(first, now)
            count = math.ceil(leaf.amount - EPSILON)
            if leaf.model == "length":
                end = self.slots.after_working(counting, count, task_id)
            else:
                end = counting + count
            if end > self.slots.count:
                raise self._beyond(task_id)
            start = first
            if leaf.alternatives and not leaf.persistent:
                self._book_switching(task_id, leaf, counting, end)
            else:
                for user_id in self._choose(leaf, counting):
                    self._book_free(task_id, user_id, counting, end)
        self.start[task_id], self.end[task_id] = start, end
        if pinned_end is not None and end > self.slots.index(pinned_end, up=True):
            raise self._missed_end(task_id, pinned_end, self.slots.moment(end))

    def _missed_end(
        self,
        task_id: int,
        pinned_end: Any,
        planned: datetime.datetime | None = None,
    ) -> ConstraintError:
        pinned = as_utc(pinned_end).strftime("%Y-%m-%d %H:%M UTC")
        what = f"cannot end by its pinned end {pinned}"
        if planned is not None:
            what += f": its work ends {planned.strftime('%Y-%m-%d %H:%M UTC')}"
        return constraint_error(self.data, task_id, what)  # type: ignore[no-any-return]

    def _schedule_backward(
        self, task_id: int, leaf: _Leaf, pinned_end: datetime.datetime
    ) -> None:
        """An end without a start: tj3 schedules the task back from its end.

        Effort is booked from the last free slot before the end backwards
        and the task ends at its last booked slot; a length or duration
        keeps the given end and counts its start back.
        """
        last = self.slots.clamp(self.slots.index(pinned_end))
        if leaf.model == "effort":
            start, end = self._work_backward(task_id, leaf.resources, last, leaf.amount)
        else:
            count = int(leaf.amount)
            if leaf.model == "length":
                start = self.slots.before_working(last, count)
            else:
                start = last - count
            if start < 0:
                raise self._missed_end(task_id, pinned_end)
            end = last
            for user_id in leaf.resources:
                self._book_free(task_id, user_id, start, end)
        self.start[task_id], self.end[task_id] = start, end
        self.reason[task_id] = ("constraint", None)

    def _work_backward(
        self, task_id: int, resources: list[int], last: int, amount: float
    ) -> tuple[int, int]:
        """Book ``amount`` of effort backwards from ``last``; (start, end)."""
        slot, end = last, -1
        while amount > EPSILON:
            slot = max(self.free[u].rfind(1, 0, slot) for u in resources)
            if slot < 0:
                raise self._missed_end(task_id, self.constraints[task_id][1])
            for user_id in resources:
                if amount <= EPSILON:
                    break
                if self.free[user_id][slot]:
                    self._book(task_id, user_id, slot, slot + 1)
                    amount -= self.efficiency.get(user_id, 1.0)
            end = max(end, slot + 1)
        return slot, end

    def _booked_end(self, task_id: int) -> int:
        return max(
            run[1] for runs in self.allocations[task_id].values() for run in runs
        )

    def _explain_wait(self, task_id: int, first: int, start: int, now: int) -> None:
        if start == now and first < now:
            self.reason[task_id] = ("now", None)
        elif self._waited_for_hours(task_id, first, start):
            self.reason[task_id] = ("calendar", None)
        else:
            self.reason[task_id] = ("resource", None)

    def _waited_for_hours(self, task_id: int, first: int, start: int) -> bool:
        """Whether ``start`` is the first working slot of the studio or of a
        candidate working in a zone of its own."""
        if self.slots.work.find(1, first) == start:
            return True
        calendar, data = self.slots.calendar, self.data
        users = (*data.resources.get(task_id, ()), *data.alternatives.get(task_id, ()))
        zones = {calendar.zone_of(user_id) for user_id in users} - {calendar.timezone}
        return any(self.slots.mask(zone).find(1, first) == start for zone in zones)

    def _choose(self, leaf: _Leaf, first: int) -> list[int]:
        """One resource per primary: itself or the alternative free first."""
        if not leaf.alternatives:
            return leaf.resources
        chosen: list[int] = []
        for primary in leaf.resources:
            candidates = [
                user_id
                for user_id in dict.fromkeys((primary, *leaf.alternatives))
                if user_id not in chosen
            ]
            if candidates:
                chosen.append(min(candidates, key=self._ranking(leaf, first)))
        return chosen

    def _ranking(self, leaf: _Leaf, first: int) -> Callable[[int], tuple]:
        order = {
            user_id: n
            for n, user_id in enumerate((*leaf.resources, *leaf.alternatives))
        }
        order_of = self._strategy_key(leaf)

        def rank(user_id: int) -> tuple:
            free_at = self.free[user_id].find(1, first)
            free_at = self.slots.count if free_at < 0 else free_at
            return (free_at, *order_of(user_id), order[user_id])

        return rank

    def _strategy_key(self, leaf: _Leaf) -> Callable[[int], tuple]:
        """How tj3 sorts a task's candidates among those free in a slot.

        ``order`` keeps the written order; ``minallocated`` takes the least
        scarce resource (when persistent, the least booked one first);
        ``minloaded``/``maxloaded`` the least/most booked one.
        """
        load, scarcity = self.load, self.scarcity
        if leaf.strategy == "minallocated" and leaf.persistent:
            return lambda user_id: (load[user_id], scarcity.get(user_id, 0.0))
        if leaf.strategy == "minallocated":
            return lambda user_id: (scarcity.get(user_id, 0.0),)
        if leaf.strategy == "minloaded":
            return lambda user_id: (load[user_id],)
        if leaf.strategy == "maxloaded":
            return lambda user_id: (-load[user_id],)
        if leaf.strategy == "random":
            return lambda user_id: (hash((leaf.task_id, user_id)) & 0xFFFF,)
        return lambda user_id: ()

    def _allocations(self, leaf: _Leaf) -> list[list[int]]:
        """Each primary with the alternatives: tj3 writes one allocation each."""
        return [
            list(dict.fromkeys((primary, *leaf.alternatives)))
            for primary in leaf.resources
        ]

    def _switch(
        self,
        task_id: int,
        leaf: _Leaf,
        groups: list[list[int]],
        slot: int,
        left: float = math.inf,
    ) -> float:
        """Book one slot the way tj3 does without persistence; the effort done.

        Every allocation takes, in this slot, the first free candidate in
        its strategy's order (re-sorted each slot, as loads change), until
        ``left`` effort is reached.
        """
        key = self._strategy_key(leaf)
        done = 0.0
        for group in groups:
            if done >= left - EPSILON:
                break
            for user_id in sorted(group, key=key):
                if self.free[user_id][slot]:
                    self._book(task_id, user_id, slot, slot + 1)
                    done += self.efficiency.get(user_id, 1.0)
                    break
        return done

    def _next_free(self, users: list[int], slot: int) -> int:
        found = [f for f in (self.free[u].find(1, slot) for u in users) if f >= 0]
        return min(found, default=_NEVER)

    def _work_switching(
        self, task_id: int, leaf: _Leaf, first: int, position: int, amount: float
    ) -> tuple[int, int]:
        """Effort of a non-persistent allocation, slot by slot; (start, end)."""
        groups = self._allocations(leaf)
        users = list(dict.fromkeys((*leaf.resources, *leaf.alternatives)))
        start, slot = -1, position
        while amount > EPSILON:
            slot = self._next_free(users, slot)
            if slot >= self.slots.count:
                raise self._beyond(task_id)
            booked = self._switch(task_id, leaf, groups, slot, amount)
            if booked and start < 0:
                start = slot
            amount -= booked
            slot += 1
        return (start, slot) if start >= 0 else (first, first)

    def _book_switching(self, task_id: int, leaf: _Leaf, first: int, last: int) -> None:
        """A length or duration with a non-persistent allocation: every slot."""
        groups = self._allocations(leaf)
        users = list(dict.fromkeys((*leaf.resources, *leaf.alternatives)))
        slot = self._next_free(users, first)
        while slot < last:
            self._switch(task_id, leaf, groups, slot)
            slot = self._next_free(users, slot + 1)

    def _book_free(self, task_id: int, user_id: int, first: int, last: int) -> None:
        """Book every free slot of a resource in ``[first, last)``."""
        free, position = self.free[user_id], first
        while position < last:
            start = free.find(1, position, last)
            if start < 0:
                return
            stop = free.find(0, start, last)
            stop = last if stop < 0 else stop
            self._book(task_id, user_id, start, stop)
            position = stop

    def _work(
        self, task_id: int, resources: list[int], first: int, amount: float
    ) -> tuple[int, int]:
        """Book ``amount`` resource-slots of effort from ``first``; (start, end)."""
        now = self.slots.clamp(self.slots.index(self.slots.calendar.now, up=True))
        position = max(first, now)
        if amount <= EPSILON:
            return first, first
        start = -1
        runs = {user_id: self._run(user_id, position) for user_id in resources}
        while amount > EPSILON:
            begin = min(run[0] for run in runs.values())
            if begin >= _NEVER:
                raise self._beyond(task_id)
            active = [u for u in resources if runs[u][0] == begin]
            stop = min(
                [runs[u][1] for u in active]
                + [runs[u][0] for u in resources if runs[u][0] > begin]
            )
            if start < 0:
                start = begin
            rate = sum(self.efficiency.get(u, 1.0) for u in active)
            if rate * (stop - begin) >= amount - EPSILON:
                full = math.ceil(amount / rate - EPSILON) - 1
                for user_id in active:
                    self._book(task_id, user_id, begin, begin + full)
                amount -= rate * full
                last = begin + full
                for user_id in active:  # the last slot takes only what it needs
                    if amount <= EPSILON:
                        break
                    self._book(task_id, user_id, last, last + 1)
                    amount -= self.efficiency.get(user_id, 1.0)
                return start, last + 1
            for user_id in active:
                self._book(task_id, user_id, begin, stop)
            amount -= rate * (stop - begin)
            for user_id in resources:
                if runs[user_id][0] < stop:
                    runs[user_id] = self._run(user_id, stop)
        return start, start  # pragma: no cover - the loop always returns

    def _run(self, user_id: int, position: int) -> tuple[int, int]:
        """The next run of free slots of a resource at or after ``position``."""
        free = self.free[user_id]
        start = free.find(1, position)
        if start < 0:
            return (_NEVER, _NEVER)
        stop = free.find(0, start)
        return (start, self.slots.count if stop < 0 else stop)

    # -- output ---------------------------------------------------------------

    def _plan(self) -> Plan:
        slack = self._slack()
        moment = self.slots.moment
        plan = Plan()
        for task_id in self.ids:
            allocations = self.allocations.get(task_id, {})
            reason, cause = self.reason.get(task_id, ("project_start", None))
            plan.tasks[task_id] = TaskPlan(
                task_id,
                moment(self.start[task_id]),
                moment(self.end[task_id]),
                tuple(sorted(allocations))
                if not self.data.tasks[task_id].children
                else (),
                {
                    user_id: [(moment(a), moment(b)) for a, b in runs]
                    for user_id, runs in allocations.items()
                },
                reason,
                cause,
                self.slots.step * slack[task_id],
                slack[task_id] == 0,
            )
        for project_id in self.data.project_ids:
            roots = [r for r in self.data.roots.get(project_id, ()) if r in self.start]
            if roots:
                start = min(self.start[r] for r in roots)
                end = max(self.end[r] for r in roots)
            else:
                start = end = 0
            plan.projects[project_id] = (moment(start), moment(end))
        return plan

    def _slack(self) -> dict[int, int]:
        """Working slots each task's end may slip (dependencies, project end)."""
        horizon = max(self.end.values(), default=0)
        late = {task_id: horizon for task_id in self.ids}
        dependents: dict[int, list[tuple[int, str]]] = {}
        for task_id in self.ids:
            for dep in self.data.dependencies.get(task_id, ()):
                if dep.depends_on_id in self.scheduled:
                    dependents.setdefault(dep.depends_on_id, []).append(
                        (task_id, dep.target)
                    )
        for task_id in sorted(self.ids, key=lambda i: -self.end[i]):
            for dependent, target in dependents.get(task_id, ()):
                late_start = late[dependent] - (
                    self.end[dependent] - self.start[dependent]
                )
                gap = self.gaps.get((dependent, task_id), 0)
                if target == "onend":
                    bound = late_start - gap
                else:
                    bound = late_start - gap + (self.end[task_id] - self.start[task_id])
                late[task_id] = min(late[task_id], bound)
        for task_id in self.ids:  # a child may not end after its container may
            parent = self.data.tasks[task_id].parent_id
            if parent in late:
                late[task_id] = min(late[task_id], late[parent])
        # working slots before each slot: one pass, not a count per task
        before = [0, *itertools.accumulate(self.slots.work)]
        last = len(before) - 1
        return {
            i: before[min(late[i], last)] - before[self.end[i]]
            if late[i] > self.end[i]
            else 0
            for i in self.ids
        }


_NEVER = 1 << 62


def _edge(successors: dict, pending: dict, source: tuple, target: tuple) -> None:
    successors.setdefault(source, []).append(target)
    pending[target] += 1


def _preorder(data: ScheduleData) -> Iterable[int]:
    """Task ids in the .tjp file's order: projects, then depth-first by id."""
    for project_id in data.project_ids:
        stack = list(reversed(data.roots.get(project_id, ())))
        while stack:
            task_id = stack.pop()
            yield task_id
            stack.extend(reversed(data.tasks[task_id].children))


#: The horizon never grows beyond this many days after ``now``: work that
#: needs more means hours or resources that never work, not a long project.
MAX_HORIZON_DAYS = 3660
#: A horizon that is too short grows to at least this many days.
MIN_GROWN_DAYS = 90


def schedule(
    data: ScheduleData,
    calendar: Calendar,
    constraints: dict[int, tuple[datetime.datetime | None, datetime.datetime | None]]
    | None = None,
    progress: Callable[[int, int], None] | None = None,
    sink: RowSink | None = None,
) -> Plan:
    """Schedule ``data`` over ``calendar``; see :class:`Engine`.

    The rows are checked first (:func:`validate_schedule_data`), as for tj3,
    unless they were when gathered.  Work that runs past ``calendar.end``
    makes the horizon grow (doubling, at least :data:`MIN_GROWN_DAYS`) and
    the plan start again, so a studio's end is a hint, not a wall; the
    plan's ``horizon_end`` tells the end that fitted.  ``sink`` gets each
    task's row as soon as its dates are final (the projects' are not sent),
    and is told to discard them when the plan starts again.
    """
    if not data.validated:
        validate_schedule_data(data)
    finished = sink.add if sink is not None else None
    while True:
        try:
            with cycle_collector_paused():
                plan = Engine(data, calendar, constraints, progress, finished).run()
        except HorizonError as error:
            grown = grown_calendar(calendar)
            if grown is None:
                raise _beyond_reach(data, calendar, error) from None
            calendar = grown
            if sink is not None:
                sink.discard()
            continue
        plan.horizon_end = _Slots(calendar).moment(0) + _day_span(calendar)
        return plan


def _day_span(calendar: Calendar) -> datetime.timedelta:
    """The horizon as the engine counts it: whole UTC days from the start's."""
    start = as_utc(calendar.start).replace(hour=0, minute=0, second=0, microsecond=0)
    end = as_utc(calendar.end).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(end - start, datetime.timedelta(0))


def grown_calendar(calendar: Calendar) -> Calendar | None:
    """``calendar`` with a longer horizon, or None past :data:`MAX_HORIZON_DAYS`."""
    start = as_utc(calendar.start).replace(hour=0, minute=0, second=0, microsecond=0)
    limit = max(as_utc(calendar.now), start) + datetime.timedelta(days=MAX_HORIZON_DAYS)
    current = start + _day_span(calendar)
    if current >= limit:
        return None
    span = max(2 * (current - start), datetime.timedelta(days=MIN_GROWN_DAYS))
    end = min(start + span, limit)
    end = end.replace(hour=0, minute=0, second=0, microsecond=0)
    if end <= current:
        end = current + datetime.timedelta(days=1)
    return dataclasses.replace(calendar, end=end)


def _beyond_reach(
    data: ScheduleData, calendar: Calendar, error: HorizonError
) -> HorizonError:
    """The final refusal: which task, how far the horizon grew, what to check."""
    who = "the work"
    if error.task_id is not None and error.task_id in data.tasks:
        who = f"{data.path_name(error.task_id)} (Task, id {error.task_id})"
    end = as_utc(calendar.end).strftime("%Y-%m-%d")
    return HorizonError(
        f"{who} does not fit into the project horizon even grown to {end} "
        f"({MAX_HORIZON_DAYS} days after now): check the studio's working hours "
        "and the vacations and efficiency of its resources",
        error.task_id,
    )
