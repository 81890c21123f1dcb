"""The corpus in studio time zones: native dates and bookings equal tj3's.

The working hours are local hours; the cases run across daylight-saving
changes (Los Angeles: November 2014 and March 2015; Sydney: October 2014)
and in India's +05:30, with 30-minute slots (aligned to the offset) and with
hour slots (tj3 then works the slots starting 09:30 to 17:30 local: a slot
works when its local start lies in the working hours, and the native engine
and the checker read slots the same way).
"""

from __future__ import annotations

import datetime
import functools
import tempfile
import zoneinfo
from pathlib import Path

import pytest

from stalker.scheduling.checker import check_plan
from stalker.scheduling.engine import schedule

from .corpus import FEATURES, PROJECT, features_of, random_case, tj3_plan
from .test_corpus import _merged

# (seed, tasks, resources, timing resolution in minutes, studio time zone)
ZONED = [
    (36, 450, 3, 60, "America/Los_Angeles"),
    (33, 450, 3, 30, "Australia/Sydney"),
    (32, 500, 4, 60, "Asia/Kolkata"),
    (41, 500, 4, 30, "Asia/Kolkata"),
]
PARAMETERS = ("seed", "tasks", "resources", "minutes", "zone")


@functools.cache
def _plans(seed, tasks, resources, minutes, zone):
    """A case, its native plan and tj3's (tj3 runs once per case)."""
    case = random_case(seed, tasks, resources, minutes, zone)
    plan = schedule(case.data, case.calendar, case.constraints)
    with tempfile.TemporaryDirectory() as folder:
        return case, plan, tj3_plan(case, Path(folder))


@pytest.mark.parametrize(PARAMETERS, ZONED)
def test_zoned_native_plan_has_no_violation(seed, tasks, resources, minutes, zone):
    case = random_case(seed, tasks, resources, minutes, zone)
    assert features_of(case) == FEATURES
    plan = schedule(case.data, case.calendar, case.constraints)
    assert check_plan(case.data, plan, case.calendar, case.constraints) == []


@pytest.mark.parametrize(PARAMETERS, ZONED[:2])
def test_the_plan_runs_across_a_daylight_saving_change(
    seed, tasks, resources, minutes, zone
):
    case = random_case(seed, tasks, resources, minutes, zone)
    start, end = schedule(case.data, case.calendar, case.constraints).projects[PROJECT]
    local = zoneinfo.ZoneInfo(zone)
    days = (end - start).days
    offsets = {
        (start + datetime.timedelta(days=day)).astimezone(local).utcoffset()
        for day in range(days + 1)
    }
    assert len(offsets) == 2


@pytest.mark.tj3
@pytest.mark.parametrize(PARAMETERS, ZONED)
def test_zoned_native_dates_equal_tj3s(seed, tasks, resources, minutes, zone):
    _case, plan, tj3 = _plans(seed, tasks, resources, minutes, zone)
    differing = [
        task_id
        for task_id, task in plan.tasks.items()
        if (task.start, task.end) != (tj3.tasks[task_id].start, tj3.tasks[task_id].end)
    ]
    assert differing == []
    assert plan.projects[PROJECT] == tj3.projects[PROJECT]


@pytest.mark.tj3
@pytest.mark.parametrize(PARAMETERS, ZONED)
def test_zoned_native_bookings_equal_tj3s(seed, tasks, resources, minutes, zone):
    _case, plan, tj3 = _plans(seed, tasks, resources, minutes, zone)

    def bookings(task):
        return {user: _merged(runs) for user, runs in task.allocations.items()}

    differing = [
        task_id
        for task_id, task in plan.tasks.items()
        if bookings(task) != bookings(tj3.tasks[task_id])
    ]
    assert differing == []


@pytest.mark.tj3
@pytest.mark.parametrize(PARAMETERS, ZONED)
def test_zoned_tj3_plan_has_no_violation(seed, tasks, resources, minutes, zone):
    """The checker reads local working hours as tj3 does."""
    case, _plan, tj3 = _plans(seed, tasks, resources, minutes, zone)
    assert check_plan(case.data, tj3, case.calendar, case.constraints) == []
