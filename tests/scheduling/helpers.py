"""Hand-made ScheduleData for the engine and checker tests (no database)."""

from __future__ import annotations

import datetime

from stalker.scheduling.data import BookingRow, DependencyRow, ScheduleData, TaskRow
from stalker.scheduling.engine import Calendar

UTC = datetime.timezone.utc
PROJECT = 1000  # ids are unique across projects and tasks
WEEKDAY = [[540, 1080]]
WORKING_HOURS = [WEEKDAY] * 5 + [[], []]


def at(text: str) -> datetime.datetime:
    """``2014-04-02-16:00`` (tj3's CSV format) as an aware UTC datetime."""
    return datetime.datetime.strptime(text, "%Y-%m-%d-%H:%M").replace(tzinfo=UTC)


def calendar(
    start: str = "2014-04-02-00:00",
    now: str = "2014-04-02-16:00",
    end: str = "2014-07-02-00:00",
    minutes: int = 60,
) -> Calendar:
    return Calendar(
        start=at(start),
        end=at(end),
        now=at(now),
        working_hours=WORKING_HOURS,
        resolution=datetime.timedelta(minutes=minutes),
        daily_working_hours=9,
    )


class World:
    """Builds a one-project ScheduleData task by task."""

    def __init__(self, users: dict[int, float] | None = None) -> None:
        self.data = ScheduleData(project_ids=[PROJECT], roots={PROJECT: []})
        users = users or {1: 1.0, 2: 0.5, 3: 1.0, 4: 1.0}
        self.data.users = sorted(users.items())

    def task(
        self,
        task_id: int,
        timing: float = 0.0,
        unit: str = "h",
        model: str = "effort",
        resources: tuple[int, ...] = (),
        parent: int | None = None,
        priority: int = 500,
        alternatives: tuple[int, ...] = (),
        strategy: str = "minallocated",
    ) -> int:
        self.data.tasks[task_id] = TaskRow(
            task_id,
            PROJECT,
            parent,
            priority=priority,
            schedule_model=model,
            schedule_timing=timing,
            schedule_unit=unit,
            allocation_strategy=strategy,
        )
        if parent is None:
            self.data.roots[PROJECT].append(task_id)
        else:
            self.data.tasks[parent].children.append(task_id)
        if resources:
            self.data.resources[task_id] = list(resources)
        if alternatives:
            self.data.alternatives[task_id] = list(alternatives)
        return task_id

    def depends(
        self,
        task_id: int,
        on: int,
        target: str = "onend",
        gap: float = 0.0,
        unit: str = "h",
        model: str = "length",
    ) -> None:
        self.data.dependencies.setdefault(task_id, []).append(
            DependencyRow(task_id, on, target, gap, unit, model)
        )

    def booking(self, task_id: int, user_id: int, start: str, end: str) -> None:
        self.data.bookings.setdefault(task_id, []).append(
            BookingRow(task_id, user_id, at(start), at(end))
        )

    def vacation(self, user_id: int | None, start: str, end: str) -> None:
        self.data.vacations.setdefault(user_id, []).append((at(start), at(end)))
