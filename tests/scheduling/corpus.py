"""Seeded random studios as plain ScheduleData, and the same studio for tj3.

Every case uses every scheduling feature: effort, length and duration
leaves; onend and onstart dependencies with gaps in working and calendar
time, between leaves and between groups; priorities on groups and leaves;
resource efficiency; alternatives with every deterministic strategy,
persistent or not; user and studio vacations; time logs before ``now``;
start and end constraints; milestones.  ``random`` selection is left out:
tj3 draws it from Ruby's random numbers, so no other engine can match it.

An onstart dependency points at a length, duration or milestone leaf,
never at an effort leaf: tj3 hands an effort leaf's dependents the earliest
start it knows when their other dependencies are met (the project start,
or the end of its own dependencies), not the first slot it books, and then
fails with "This condition could not be met" when the two differ.

Constraints follow what tj3 accepts and means by them: a start (an earliest
start) only on a leaf without dependencies or onstart dependents, an end
(the task is scheduled back from it) only on a leaf without dependencies,
dependents or alternatives, never both on one task (tj3 refuses a start, an
end and an effort together).  Time logs go to leaves without dependencies.
"""

from __future__ import annotations

import datetime
import itertools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from stalker.scheduling.data import BookingRow, DependencyRow, ScheduleData, TaskRow
from stalker.scheduling.engine import Calendar, Plan, TaskPlan
from stalker.scheduling.tj3 import parse_csv, run_tj3
from stalker.scheduling.tjp import MINUTE, tj3_time_zone, tjp_file, utc_text

from .helpers import WORKING_HOURS, at

PROJECT = 1  # task ids start above the resource and project ids
NOW = "2014-04-09-10:00"  # a week of history leaves room for time logs
STRATEGIES = ("minallocated", "order", "minloaded", "maxloaded")
FEATURES = {
    "effort",
    "length",
    "duration",
    "milestone",
    "onend",
    "onstart",
    "gaplength",
    "gapduration",
    "group dependency",
    "priority",
    "efficiency",
    *(f"{strategy} {kind}" for strategy in STRATEGIES for kind in ("", "persistent")),
    "vacation",
    "studio vacation",
    "time log",
    "start constraint",
    "end constraint",
}
Interval = tuple[datetime.datetime, datetime.datetime]
Constraints = dict[int, tuple[datetime.datetime | None, datetime.datetime | None]]


@dataclass
class Case:
    """One random studio: its data, calendar and start/end constraints."""

    data: ScheduleData
    calendar: Calendar
    constraints: Constraints = field(default_factory=dict)


class _Builder:
    """Draws one studio; keeps what the tj3-compatibility rules need."""

    def __init__(self, seed: int, resources: int, minutes: int) -> None:
        self.rng = random.Random(seed)
        self.minutes = minutes
        self.data = ScheduleData(project_ids=[PROJECT], roots={PROJECT: []})
        self.users = list(range(2, 2 + resources))
        self.constraints: Constraints = {}
        self.leaves: list[int] = []
        self.groups: list[int] = []
        self.pinned: set[int] = set()  # effort leaves: no onstart dependents
        self.deadlines: set[int] = set()  # end-constrained: no dependents
        self.todo = ["start", "end", "log"]  # every case gets one of each
        self.alternations = itertools.cycle(
            itertools.product(STRATEGIES, (True, False))
        )
        self.logged: dict[int, set[tuple[int, int]]] = {}  # user -> (day, half)
        self.next_id = 1000

    def people(self) -> None:
        rng = self.rng
        efficiencies = (0.5, 1.0, 1.0, 1.0, 1.5)
        self.data.users = [(user, rng.choice(efficiencies)) for user in self.users]
        self.data.users[:2] = [(self.users[0], 0.5), (self.users[1], 1.5)]
        for user in rng.sample(self.users, max(1, len(self.users) // 5)):
            first = at("2014-04-14-00:00") + datetime.timedelta(days=rng.randrange(60))
            self.data.vacations[user] = [
                (first, first + datetime.timedelta(days=rng.randint(1, 7)))
            ]
        holiday = at("2014-05-01-00:00") + datetime.timedelta(days=rng.randrange(14))
        self.data.vacations[None] = [(holiday, holiday + datetime.timedelta(days=1))]

    def group(self) -> int:
        group = self.next_id
        self.next_id += 1
        priority = self.rng.choice((500,) * 4 + (700,))
        self.data.tasks[group] = TaskRow(group, PROJECT, None, priority=priority)
        self.data.roots[PROJECT].append(group)
        if len(self.groups) == 1 or (self.groups and self.rng.random() < 0.15):
            depended = self.rng.choice(self.groups[-5:])
            self.data.dependencies[group] = [self._dependency(group, depended)]
        self.groups.append(group)
        return group

    def leaf(self, group: int) -> None:
        rng, data = self.rng, self.data
        leaf = self.next_id
        self.next_id += 1
        model = rng.choice(("effort",) * 8 + ("length", "duration"))
        if model == "effort":
            timing, unit = float(rng.randint(1, 24)), "h"
            if self.minutes < 60 and rng.random() < 0.5:
                timing -= 0.5
        else:
            timing, unit = float(rng.randint(1, 3)), "d"
        data.tasks[leaf] = TaskRow(
            leaf,
            PROJECT,
            group,
            priority=rng.choice((500,) * 9 + (300, 800)),
            schedule_model=model,
            schedule_timing=timing,
            schedule_unit=unit,
            allocation_strategy=rng.choice(STRATEGIES),
            persistent_allocation=rng.random() < 0.7,
        )
        data.tasks[group].children.append(leaf)
        if rng.random() < 0.03 or len(self.leaves) == 4:  # a milestone
            self.leaves.append(leaf)
            return
        data.resources[leaf] = sorted(rng.sample(self.users, rng.choice((1, 1, 1, 2))))
        if rng.random() < 0.25:
            spare = [u for u in self.users if u not in data.resources[leaf]]
            data.alternatives[leaf] = sorted(rng.sample(spare, min(2, len(spare))))
            row = data.tasks[leaf]
            row.allocation_strategy, row.persistent_allocation = next(self.alternations)
        free = not data.dependencies.get(group)
        recent = [d for d in self.leaves[-30:] if d not in self.deadlines]
        for depended in rng.sample(recent, min(len(recent), rng.choice((0, 1, 1, 2)))):
            onstart = depended not in self.pinned and rng.random() < 0.25
            dep = self._dependency(leaf, depended, "onstart" if onstart else "onend")
            data.dependencies.setdefault(leaf, []).append(dep)
            free = False
        if free:
            self._constrain_or_log(leaf, model)
        if model == "effort":
            self.pinned.add(leaf)
        self.leaves.append(leaf)

    def _dependency(
        self, task_id: int, depended: int, target: str = "onend"
    ) -> DependencyRow:
        rng = self.rng
        gap, unit = rng.choice(((0.0, "h"),) * 3 + ((2.0, "h"), (4.0, "h"), (1.0, "d")))
        model = rng.choice(("length", "duration"))
        return DependencyRow(task_id, depended, target, gap, unit, model)

    def _constrain_or_log(self, leaf: int, model: str) -> None:
        """Maybe a start or end constraint, or time logs, on a free leaf."""
        rng = self.rng
        allowed = {"start", "end", "log"}
        if self.data.alternatives.get(leaf):
            allowed.discard("end")
        if model != "effort":
            allowed.discard("log")
        wanted = next((item for item in self.todo if item in allowed), None)
        if wanted is None:
            draw = rng.random()
            wanted = "start" if draw < 0.06 else "end" if draw < 0.09 else "log"
            if wanted not in allowed or draw >= 0.2:
                return
        else:
            self.todo.remove(wanted)
        if wanted == "start":
            day = at(NOW) + datetime.timedelta(days=rng.randrange(20))
            self.constraints[leaf] = (day.replace(hour=rng.randrange(9, 18)), None)
        elif wanted == "end":
            day = at("2014-05-19-00:00") + datetime.timedelta(days=rng.randrange(40))
            self.constraints[leaf] = (None, day.replace(hour=rng.randrange(10, 18)))
            self.deadlines.add(leaf)
        else:
            self._log(leaf)

    def _log(self, leaf: int) -> None:
        """Time logs on free half-days of the week before ``now``."""
        user = self.data.resources[leaf][0]
        taken = self.logged.setdefault(user, set())
        row = self.data.tasks[leaf]
        efficiency = dict(self.data.users)[user]
        hours = 0.0
        for day in self.rng.sample(range(6), 3):
            for half, (start, end) in enumerate(((9, 13), (13, 18))):
                date = at("2014-04-01-00:00") + datetime.timedelta(days=day)
                if (day, half) in taken or date.weekday() >= 5:
                    continue
                if (hours + end - start) * efficiency > row.schedule_timing:
                    return
                taken.add((day, half))
                hours += end - start
                self.data.bookings.setdefault(leaf, []).append(
                    BookingRow(
                        leaf,
                        user,
                        date.replace(hour=start),
                        date.replace(hour=end),
                    )
                )


def random_case(
    seed: int, tasks: int, resources: int, minutes: int = 60, timezone: str = "UTC"
) -> Case:
    """``tasks`` tasks in groups, ``resources`` users, ``minutes``-long slots.

    ``timezone`` is the studio's: the working hours are its local hours (the
    dates of vacations, logs and constraints stay the same instants).
    """
    builder = _Builder(seed, resources, minutes)
    builder.people()
    while builder.next_id - 1000 < tasks:
        group = builder.group()
        for _ in range(builder.rng.randint(3, 9)):
            builder.leaf(group)
    calendar = corpus_calendar(minutes, timezone)
    return Case(builder.data, calendar, builder.constraints)


def features_of(case: Case) -> set[str]:
    """The scheduling features a case uses (see :data:`FEATURES`)."""
    data = case.data
    found: set[str] = set()
    for task_id, row in data.tasks.items():
        if row.priority != 500:
            found.add("priority")
        if row.children:
            continue
        if not data.resources.get(task_id):
            found.add("milestone")
            continue
        found.add(row.schedule_model)
        if data.alternatives.get(task_id):
            kind = "persistent" if row.persistent_allocation else ""
            found.add(f"{row.allocation_strategy} {kind}")
        if data.bookings.get(task_id):
            found.add("time log")
    for deps in data.dependencies.values():
        for dep in deps:
            found.add(dep.target)
            if dep.gap_timing:
                found.add(f"gap{dep.gap_model}")
            if data.tasks[dep.task_id].children:
                found.add("group dependency")
    if any(efficiency != 1.0 for _, efficiency in data.users):
        found.add("efficiency")
    if any(key is not None for key in data.vacations):
        found.add("vacation")
    if data.vacations.get(None):
        found.add("studio vacation")
    for start, _ in case.constraints.values():
        found.add("start constraint" if start else "end constraint")
    return found


def random_studio(seed: int, tasks: int, resources: int) -> ScheduleData:
    """The data of :func:`random_case` (for benchmarks of the engine alone)."""
    return random_case(seed, tasks, resources).data


def corpus_calendar(minutes: int = 60, timezone: str = "UTC") -> Calendar:
    return Calendar(
        start=at("2014-04-01-00:00"),
        end=at("2016-04-01-00:00"),
        now=at(NOW),
        working_hours=WORKING_HOURS,
        resolution=datetime.timedelta(minutes=minutes),
        daily_working_hours=9,
        timezone=timezone,
    )


_HEADER = """project Studio_1 "Studio_1" 2014-04-01 - 2016-04-01 {
    timingresolution %dmin%s
    now %s
    dailyworkinghours 9
    weekstartsmonday
    workinghours mon 09:00 - 18:00
    workinghours tue 09:00 - 18:00
    workinghours wed 09:00 - 18:00
    workinghours thu 09:00 - 18:00
    workinghours fri 09:00 - 18:00
    workinghours sat off
    workinghours sun off
    timeformat "%%Y-%%m-%%d"
    scenario plan "Plan"
    trackingscenario plan
}"""


def case_tjp(case: Case, report: str = "plan", resources: bool = False) -> str:
    """The .tjp text of a case: the scheduler's file plus Task.to_tjp's
    ``start``/``end`` lines for the constraints (the scheduler's buffer
    leaves them out, spec 09 divergence 3)."""
    minutes = round(case.calendar.resolution.total_seconds() / 60)
    zone = tj3_time_zone(case.calendar.timezone)
    zoned = zone is not None
    zone_line = f'\n    timezone "{zone}"' if zoned else ""
    header = _HEADER % (minutes, zone_line, utc_text(at(NOW), MINUTE, zoned))
    text = tjp_file(
        "corpus",
        header,
        case.data,
        report,
        compute_resources=resources,
        timezone=case.calendar.timezone,
    )
    for task_id, (start, end) in case.constraints.items():
        opening = f'task Task_{task_id} "Task_{task_id}" {{'
        lines = [f"start {utc_text(start, MINUTE, zoned)}"] if start else []
        lines += [f"end {utc_text(end, MINUTE, zoned)}"] if end else []
        text = text.replace(opening, "\n    ".join([opening, *lines]), 1)
    return text


# tj3 writes every task's bookings (planned and time logs) as
# ``booking User_<id> <start>-+0000 + <hours>h`` runs, one per stretch of
# consecutive booked slots, in TaskJuggler's own syntax (a studio with a time
# zone gets its local offset, e.g. ``-0700``).
_EXPORT = """export "bookings" {
    definitions -
    taskattributes booking
    resourceattributes -
    hideresource 0
}"""
_TASK_LINE = re.compile(r"^supplement task \S*?(\d+) \{$")
_RUN = re.compile(
    r"(?:booking User_(?P<user>\d+) )?"
    r"(?P<start>\d{4}-\d\d-\d\d)-(?P<time>\d\d:\d\d)-(?P<offset>[+-]\d{4}) "
    r"\+ (?P<hours>[\d.]+)h"
)


def parse_export(text: str) -> dict[int, dict[int, list[Interval]]]:
    """Per task, per user, the booked runs of tj3's ``export`` report."""
    bookings: dict[int, dict[int, list[Interval]]] = {}
    task_id = user_id = None
    for line in text.splitlines():
        line = line.strip()
        header = _TASK_LINE.match(line)
        if header:
            task_id = int(header[1])
            continue
        run = _RUN.search(line)
        if run is None or task_id is None:
            continue
        if run["user"]:
            user_id = int(run["user"])
        assert user_id is not None, f"a booking run without a resource: {line!r}"
        stamp = f"{run['start']}T{run['time']}{run['offset']}"
        start = datetime.datetime.fromisoformat(stamp).astimezone(datetime.UTC)
        length = datetime.timedelta(minutes=round(float(run["hours"]) * 60))
        runs = bookings.setdefault(task_id, {}).setdefault(user_id, [])
        runs.append((start, start + length))
    return bookings


def tj3_plan(case: Case, folder: Path) -> Plan:
    """Run tj3 on the case (same text as the TaskJuggler backend writes).

    One tj3 call writes the CSV dates and the ``export`` bookings; the
    answer is a :class:`Plan` as the native engine gives it, so the plan
    checker reads both engines' plans alike.
    """
    text = f"{case_tjp(case)}\n\n{_EXPORT}"
    (folder / "plan.tjp").write_text(text, encoding="utf-8")
    run_tj3("tj3", str(folder / "plan.tjp"), str(folder), timeout=600)
    rows = parse_csv(str(folder / "plan.csv"), compute_resources=False)
    bookings = parse_export((folder / "bookings.tji").read_text(encoding="utf-8"))
    plan = Plan()
    for row in rows:
        if row.entity_id in case.data.project_ids:
            plan.projects[row.entity_id] = (row.start, row.end)
            continue
        allocations = bookings.get(row.entity_id, {})
        plan.tasks[row.entity_id] = TaskPlan(
            row.entity_id,
            row.start,
            row.end,
            tuple(sorted(allocations)),
            allocations,
        )
    return plan
