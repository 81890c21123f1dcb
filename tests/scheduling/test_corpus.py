"""Seeded random studios: the native plan breaks no rule and ends near tj3's."""

from __future__ import annotations

import pytest

from stalker.scheduling.checker import check_plan
from stalker.scheduling.engine import schedule

from .corpus import FEATURES, PROJECT, features_of, random_case, tj3_project_end

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


@pytest.mark.tj3
@pytest.mark.parametrize(("seed", "tasks", "resources", "minutes"), SIZES)
def test_native_project_end_within_5_percent_of_tj3(
    seed, tasks, resources, minutes, tmp_path
):
    case = random_case(seed, tasks, resources, minutes)
    native_end = schedule(case.data, case.calendar, case.constraints).projects[PROJECT][
        1
    ]
    tj3_end = tj3_project_end(case, tmp_path)
    start = case.calendar.now
    ratio = (native_end - start) / (tj3_end - start)
    assert abs(ratio - 1) <= 0.05, f"native/tj3 span ratio {ratio:.3f}"
