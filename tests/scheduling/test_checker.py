"""The plan checker finds each kind of broken rule in a hand-broken plan."""

from __future__ import annotations

import datetime

import pytest

from stalker.scheduling.checker import Violation, check_plan
from stalker.scheduling.engine import schedule

from .helpers import World, at, calendar

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def world():
    world = World()
    world.task(1, 4, resources=(1,))
    world.task(2, 2, resources=(3,))
    world.depends(2, 1, "onend", 1, "h", "length")
    world.task(3, 2, resources=(4,))
    world.task(9)
    world.task(10, 2, resources=(4,), parent=9)
    return world


def _kinds(violations):
    return sorted(violation.kind for violation in violations)


def test_the_engine_plan_is_valid(world):
    plan = schedule(world.data, calendar())
    assert check_plan(world.data, plan, calendar()) == []


def test_dependency_and_gap_not_honoured(world):
    plan = schedule(world.data, calendar())
    task, depended = plan.tasks[2], plan.tasks[1]
    # right after the end is still too early: the gap is one working hour
    task.start = depended.end
    violations = check_plan(world.data, plan, calendar())
    assert _kinds(violations) == ["dependency"]
    assert violations[0].task_id == 2
    assert "onend of Project_1000 / Task_1" in violations[0].message


def test_onstart_dependency(world):
    world.depends(3, 1, "onstart")
    plan = schedule(world.data, calendar())
    plan.tasks[3].start = plan.tasks[1].start - HOUR
    assert _kinds(check_plan(world.data, plan, calendar())) == ["dependency"]


def test_resource_booked_twice(world):
    plan = schedule(world.data, calendar())
    plan.tasks[3].allocations[1] = list(plan.tasks[1].allocations[1])
    violations = check_plan(world.data, plan, calendar())
    assert "double_booking" in _kinds(violations)
    assert {v.resource_id for v in violations if v.kind == "double_booking"} == {1}


def test_work_outside_working_hours(world):
    plan = schedule(world.data, calendar())
    plan.tasks[3].allocations[4] = [(at("2014-04-02-18:00"), at("2014-04-02-20:00"))]
    assert _kinds(check_plan(world.data, plan, calendar())) == ["outside_working_hours"]


def test_work_before_now(world):
    plan = schedule(world.data, calendar())
    plan.tasks[3].allocations[4] = [(at("2014-04-02-10:00"), at("2014-04-02-12:00"))]
    assert _kinds(check_plan(world.data, plan, calendar())) == ["before_now"]


def test_work_in_a_vacation(world):
    world.vacation(4, "2014-04-02-00:00", "2014-04-03-00:00")
    plan = schedule(world.data, calendar())
    plan.tasks[3].allocations[4] = [(at("2014-04-02-16:00"), at("2014-04-02-18:00"))]
    violations = check_plan(world.data, plan, calendar())
    assert _kinds(violations) == ["vacation"]
    assert violations[0] == Violation(
        "vacation", 3, "works 2014-04-02 16:00-18:00 in a vacation", 4
    )


def test_time_logs_may_break_the_calendar(world):
    world.booking(3, 4, "2014-04-02-19:00", "2014-04-02-21:00")
    plan = schedule(world.data, calendar())
    assert check_plan(world.data, plan, calendar()) == []


def test_adjacent_time_logs_reported_as_one_run(world):
    # tj3's export writes consecutive booked slots as one run, logs included
    world.booking(3, 4, "2014-04-02-09:00", "2014-04-02-10:00")
    world.booking(3, 4, "2014-04-02-10:00", "2014-04-02-11:00")
    plan = schedule(world.data, calendar())
    plan.tasks[3].allocations[4] = [(at("2014-04-02-09:00"), at("2014-04-02-11:00"))]
    assert check_plan(world.data, plan, calendar()) == []
    # what goes past the logs is planned work, held to the rules
    plan.tasks[3].allocations[4] = [(at("2014-04-02-09:00"), at("2014-04-02-12:00"))]
    assert check_plan(world.data, plan, calendar()) == [
        Violation("before_now", 3, "works 2014-04-02 11:00-12:00 before now", 4)
    ]


def test_effort_not_fully_allocated(world):
    plan = schedule(world.data, calendar())
    start, end = plan.tasks[1].allocations[1][-1]
    plan.tasks[1].allocations[1][-1] = (start, end - HOUR)
    violations = check_plan(world.data, plan, calendar())
    assert _kinds(violations) == ["effort"]
    assert violations[0].message == "3.00 h of 4.00 h of effort allocated"


def test_constraint_missed(world):
    plan = schedule(world.data, calendar())
    constraints = {
        1: (at("2014-04-03-09:00"), None),
        3: (None, at("2014-04-02-17:00")),
    }
    violations = check_plan(world.data, plan, calendar(), constraints)
    assert [(v.kind, v.task_id) for v in violations] == [
        ("constraint", 1),
        ("constraint", 3),
    ]


def test_container_not_spanning_its_children(world):
    plan = schedule(world.data, calendar())
    plan.tasks[9].end += HOUR
    assert _kinds(check_plan(world.data, plan, calendar())) == ["container"]


def test_effort_is_checked_in_whole_timing_slots():
    # tj3 reads 2.4 h at a 1 h resolution as 2 slots and 2.5 h as 3
    world = World()
    world.task(1, 2.4, resources=(1,))
    world.task(2, 2.5, resources=(3,))
    plan = schedule(world.data, calendar())
    assert check_plan(world.data, plan, calendar()) == []
    assert plan.tasks[1].end - plan.tasks[1].start == 2 * HOUR
    plan.tasks[2].allocations[3][-1] = (
        plan.tasks[2].allocations[3][-1][0],
        plan.tasks[2].allocations[3][-1][1] - HOUR,
    )
    violations = check_plan(world.data, plan, calendar())
    assert [v.message for v in violations] == ["2.00 h of 3.00 h of effort allocated"]
