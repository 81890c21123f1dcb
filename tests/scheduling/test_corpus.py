"""Seeded random studios: neither the native nor tj3's plan breaks a rule,
and the native plan (dates and bookings) equals tj3's."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest

from stalker.scheduling.checker import check_plan
from stalker.scheduling.engine import schedule

from .corpus import FEATURES, PROJECT, features_of, random_case, tj3_plan

# (seed, tasks, resources, timing resolution in minutes)
SIZES = [
    (1, 50, 5, 60),
    (2, 120, 12, 60),
    (3, 250, 20, 60),
    (4, 400, 35, 60),
    (5, 500, 50, 60),
    (6, 500, 5, 60),
    (7, 80, 8, 30),
    (8, 200, 15, 30),
    (9, 300, 25, 15),
    (10, 450, 40, 30),
    (11, 150, 6, 60),
    (12, 350, 45, 60),
]


@pytest.mark.parametrize(("seed", "tasks", "resources", "minutes"), SIZES)
def test_native_plan_has_no_violation(seed, tasks, resources, minutes):
    case = random_case(seed, tasks, resources, minutes)
    plan = schedule(case.data, case.calendar, case.constraints)
    assert len(plan.tasks) == len(case.data.tasks) >= tasks
    assert check_plan(case.data, plan, case.calendar, case.constraints) == []


@pytest.mark.parametrize(("seed", "tasks", "resources", "minutes"), SIZES)
def test_every_case_uses_every_feature(seed, tasks, resources, minutes):
    assert features_of(random_case(seed, tasks, resources, minutes)) == FEATURES


@functools.cache
def _tj3(seed, tasks, resources, minutes):
    """tj3's plan of a case, computed once for every tj3 test."""
    case = random_case(seed, tasks, resources, minutes)
    with tempfile.TemporaryDirectory() as folder:
        return tj3_plan(case, Path(folder))


def _both_plans(seed, tasks, resources, minutes):
    """A corpus case, its native plan and tj3's (tj3 runs once per case)."""
    case = random_case(seed, tasks, resources, minutes)
    plan = schedule(case.data, case.calendar, case.constraints)
    return case, plan, _tj3(seed, tasks, resources, minutes)


@pytest.mark.tj3
@pytest.mark.parametrize(("seed", "tasks", "resources", "minutes"), SIZES)
def test_native_project_end_within_5_percent_of_tj3(seed, tasks, resources, minutes):
    case, plan, tj3 = _both_plans(seed, tasks, resources, minutes)
    tj3_end = tj3.projects[PROJECT][1]
    start = case.calendar.now
    ratio = (plan.projects[PROJECT][1] - start) / (tj3_end - start)
    assert abs(ratio - 1) <= 0.05, f"native/tj3 span ratio {ratio:.3f}"


@pytest.mark.tj3
@pytest.mark.parametrize(("seed", "tasks", "resources", "minutes"), SIZES)
def test_native_task_dates_equal_tj3s(seed, tasks, resources, minutes):
    """Stronger than the 5 %: the engine reproduces tj3's plan task by task."""
    _case, plan, tj3 = _both_plans(seed, tasks, resources, minutes)
    differing = [
        task_id
        for task_id, task in plan.tasks.items()
        if (task.start, task.end) != (tj3.tasks[task_id].start, tj3.tasks[task_id].end)
    ]
    assert differing == []


@pytest.mark.tj3
@pytest.mark.parametrize(("seed", "tasks", "resources", "minutes"), SIZES)
def test_tj3_plan_has_no_violation(seed, tasks, resources, minutes):
    """The checker's rules are TaskJuggler's: tj3's own bookings pass them."""
    case = random_case(seed, tasks, resources, minutes)
    plan = _tj3(seed, tasks, resources, minutes)
    assert len(plan.tasks) == len(case.data.tasks)
    booked = sum(len(task.allocations) for task in plan.tasks.values())
    assert booked >= len(case.data.resources) > 0
    assert check_plan(case.data, plan, case.calendar, case.constraints) == []


def _merged(runs):
    """Runs with the touching ones joined (tj3 joins a task's time logs)."""
    joined = []
    for start, end in sorted(runs):
        if joined and joined[-1][1] == start:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


@pytest.mark.tj3
@pytest.mark.parametrize(("seed", "tasks", "resources", "minutes"), SIZES)
def test_native_bookings_equal_tj3s(seed, tasks, resources, minutes):
    """Beyond the dates: every resource works the same slots on every task."""
    _case, plan, tj3 = _both_plans(seed, tasks, resources, minutes)

    def bookings(task):
        return {user: _merged(runs) for user, runs in task.allocations.items()}

    differing = [
        task_id
        for task_id, task in plan.tasks.items()
        if bookings(task) != bookings(tj3.tasks[task_id])
    ]
    assert differing == []
