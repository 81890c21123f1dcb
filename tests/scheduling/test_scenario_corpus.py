"""What-if overrides keep the engines in agreement (issue 23).

A scenario changes only plain rows (:func:`stalker.scheduling.scenarios.
overridden`): added and removed resources, priorities, efforts and
vacations.  Each case here draws such overrides at random on a corpus studio
and plans the overridden rows with both engines: tj3 reads the same rows
through the same ``.tjp`` writer, so the dates and bookings must still be
equal, and neither plan may break a rule.  Deadlines are checked against a
plan, not written into it, so they leave both engines alone.
"""

from __future__ import annotations

import datetime
import random
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from stalker.scheduling.checker import check_plan
from stalker.scheduling.engine import schedule
from stalker.scheduling.scenarios import Overrides, overridden

from .corpus import Case, random_case, tj3_plan

# (seed, tasks, resources, minutes, zone)
CASES = [
    (21, 60, 6, 60, "UTC"),
    (22, 150, 12, 60, "UTC"),
    (23, 120, 10, 30, "America/Los_Angeles"),
]


def _effort_leaves(case: Case) -> list[int]:
    """Effort leaves with resources and no time logs (logs fix work done)."""
    data = case.data
    return sorted(
        task_id
        for task_id, row in data.tasks.items()
        if not row.children
        and row.schedule_model == "effort"
        and data.resources.get(task_id)
        and not data.bookings.get(task_id)
    )


def _draw_overrides(case: Case, seed: int) -> Overrides:
    rng = random.Random(seed)
    users = [user_id for user_id, _efficiency in case.data.users]
    leaves = _effort_leaves(case)
    overrides = Overrides()
    for task_id in rng.sample(leaves, 3):
        free = [user for user in users if user not in case.data.resources[task_id]]
        overrides.add_resources[task_id] = [rng.choice(free)]
    shared = [task for task in leaves if len(case.data.resources[task]) >= 2]
    for task_id in rng.sample(shared, min(2, len(shared))):
        overrides.remove_resources[task_id] = [case.data.resources[task_id][-1]]
    for task_id in rng.sample(sorted(case.data.tasks), 4):
        overrides.priorities[task_id] = rng.randint(1, 1000)
    for task_id in rng.sample(leaves, 3):
        overrides.efforts[task_id] = (float(rng.randint(2, 40)), "h")
    now = case.calendar.now
    for user_id in (*rng.sample(users, 2), None):
        start = now + datetime.timedelta(days=rng.randint(1, 20))
        end = start + datetime.timedelta(days=rng.randint(1, 3))
        overrides.vacations.append((user_id, start, end))
    return overrides


def _overridden_case(seed, tasks, resources, minutes, zone) -> tuple[Case, Overrides]:
    case = random_case(seed, tasks, resources, minutes, timezone=zone)
    overrides = _draw_overrides(case, seed)
    data, constraints = overridden(case.data, case.constraints, overrides)
    return replace(case, data=data, constraints=constraints), overrides


def _bookings(plan, task_id):
    joined: dict[int, list] = {}
    for user, runs in plan.tasks[task_id].allocations.items():
        merged: list = []
        for start, end in sorted(runs):
            if merged and merged[-1][1] == start:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        joined[user] = merged
    return joined


@pytest.mark.tj3
@pytest.mark.parametrize(("seed", "tasks", "resources", "minutes", "zone"), CASES)
def test_overridden_rows_plan_alike_in_both_engines(
    seed, tasks, resources, minutes, zone
):
    case, overrides = _overridden_case(seed, tasks, resources, minutes, zone)
    original = random_case(seed, tasks, resources, minutes, timezone=zone)
    native = schedule(case.data, case.calendar, case.constraints)
    with tempfile.TemporaryDirectory() as folder:
        tj3 = tj3_plan(case, Path(folder))
    assert check_plan(case.data, native, case.calendar, case.constraints) == []
    assert check_plan(case.data, tj3, case.calendar, case.constraints) == []
    differing = [
        task_id
        for task_id, task in native.tasks.items()
        if (task.start, task.end) != (tj3.tasks[task_id].start, tj3.tasks[task_id].end)
        or _bookings(native, task_id) != _bookings(tj3, task_id)
    ]
    assert differing == []
    # the overrides took: the plans differ from the plan of the original rows
    before = schedule(original.data, original.calendar, original.constraints)
    moved = [
        task_id
        for task_id, task in native.tasks.items()
        if (task.start, task.end)
        != (before.tasks[task_id].start, before.tasks[task_id].end)
    ]
    assert moved
    for task_id, added in overrides.add_resources.items():
        assert set(added) <= set(case.data.resources[task_id])
    assert original.data.resources != case.data.resources  # copies, not the rows
