"""The native engine on hand-made inputs.

Every expected date below is what tj3 3.7.1 computes for the same input
written as a .tjp file (studio 2014-04-02 - 2014-07-02, now 2014-04-02
16:00, 09:00-18:00 Monday to Friday, 9 daily hours, 1 h resolution).
"""

from __future__ import annotations

import datetime

import pytest

from stalker.scheduling.engine import SchedulingError, schedule
from stalker.scheduling.writeback import ComputedSchedule

from .helpers import PROJECT, WEEKDAY, World, at, calendar


def _dates(plan, task_id):
    task = plan.tasks[task_id]
    return task.start, task.end


def _hours(plan, task_id, user_id):
    runs = plan.tasks[task_id].allocations.get(user_id, [])
    return sum((end - start for start, end in runs), datetime.timedelta()) / (
        datetime.timedelta(hours=1)
    )


def test_effort_starts_at_now_and_fills_working_hours():
    world = World()
    world.task(1, 20, resources=(1,))
    plan = schedule(world.data, calendar())
    assert _dates(plan, 1) == (at("2014-04-02-16:00"), at("2014-04-04-18:00"))
    assert plan.tasks[1].resource_ids == (1,)
    assert plan.tasks[1].reason == "now"


def test_chain_onend_starts_at_the_first_booked_slot():
    world = World()
    world.task(1, 20, resources=(1,))
    world.task(2, 2, resources=(3,))
    world.depends(2, 1)
    plan = schedule(world.data, calendar())
    # A ends on Friday 18:00; B's first working slot is Monday 09:00
    assert _dates(plan, 2) == (at("2014-04-07-09:00"), at("2014-04-07-11:00"))
    assert plan.tasks[2].reason == "calendar"


def test_onstart_with_gaplength_and_half_efficiency():
    world = World()
    world.task(1, 20, resources=(1,))
    world.task(5, 9, resources=(2,))  # user 2 has efficiency 0.5
    world.depends(5, 1, "onstart", 3, "h", "length")
    plan = schedule(world.data, calendar())
    assert _dates(plan, 5) == (at("2014-04-03-10:00"), at("2014-04-07-10:00"))
    assert _hours(plan, 5, 2) == 18
    assert (plan.tasks[5].reason, plan.tasks[5].reason_task_id) == ("dependency", 1)


def test_gapduration_and_effort_split_over_two_resources():
    world = World()
    world.task(1, 20, resources=(1,))
    world.task(6, 9, resources=(1, 3))
    world.depends(6, 1, "onend", 1, "d", "duration")
    world.task(7)
    world.depends(7, 6)
    plan = schedule(world.data, calendar())
    assert _dates(plan, 6) == (at("2014-04-07-09:00"), at("2014-04-07-14:00"))
    # the last slot takes only the first resource: 5 h + 4 h
    assert (_hours(plan, 6, 1), _hours(plan, 6, 3)) == (5, 4)
    assert _dates(plan, 7) == (at("2014-04-07-14:00"), at("2014-04-07-14:00"))


def test_duration_and_length_count_from_now_when_resources_are_booked():
    world = World()
    world.task(3, 2, "d", "duration", resources=(3,))
    world.task(4, 2, "d", "length", resources=(4,))
    plan = schedule(world.data, calendar())
    assert _dates(plan, 3) == (at("2014-04-02-00:00"), at("2014-04-04-16:00"))
    assert _dates(plan, 4) == (at("2014-04-02-00:00"), at("2014-04-04-16:00"))
    # a duration books the resource only in its working hours: 2 + 9 + 7
    assert _hours(plan, 3, 3) == 18


def test_effort_vs_length_vs_duration_of_one_day():
    world = World()
    world.task(1, 1, "d", "effort", resources=(1,))
    world.task(2, 1, "d", "length", resources=(3,))
    world.task(3, 1, "d", "duration", resources=(4,))
    plan = schedule(world.data, calendar())
    assert plan.tasks[1].end == at("2014-04-03-16:00")  # 9 working hours
    assert plan.tasks[2].end == at("2014-04-03-16:00")  # 9 working hours
    assert plan.tasks[3].end == at("2014-04-03-16:00")  # 24 calendar hours


def test_two_tasks_one_resource_longest_chain_first():
    world = World()
    world.task(1, 3, resources=(1,))
    world.task(2, 6, resources=(1,))
    plan = schedule(world.data, calendar())
    assert _dates(plan, 2) == (at("2014-04-02-16:00"), at("2014-04-03-13:00"))
    assert _dates(plan, 1) == (at("2014-04-03-13:00"), at("2014-04-03-16:00"))
    assert plan.tasks[1].reason == "resource"


def test_priority_beats_criticalness_and_is_inherited():
    world = World()
    world.task(1, 6, resources=(1,))
    world.task(10, priority=900)
    world.task(2, 3, resources=(1,), parent=10)
    plan = schedule(world.data, calendar())
    assert _dates(plan, 2) == (at("2014-04-02-16:00"), at("2014-04-03-10:00"))
    assert plan.tasks[1].start == at("2014-04-03-10:00")


def test_alternative_resource_when_the_primary_is_busy():
    world = World()
    world.task(1, 9, resources=(1,), priority=900)
    world.task(2, 4, resources=(1,), alternatives=(3,))
    plan = schedule(world.data, calendar())
    assert plan.tasks[2].resource_ids == (3,)
    assert _dates(plan, 2) == (at("2014-04-02-16:00"), at("2014-04-03-11:00"))


def test_vacations_of_the_studio_and_of_a_user_are_skipped():
    world = World()
    world.task(1, 9, resources=(1,))
    world.task(2, 9, resources=(3,))
    world.vacation(None, "2014-04-03-00:00", "2014-04-04-00:00")
    world.vacation(1, "2014-04-04-00:00", "2014-04-05-00:00")
    plan = schedule(world.data, calendar())
    assert plan.tasks[2].end == at("2014-04-04-16:00")
    assert plan.tasks[1].end == at("2014-04-07-16:00")


def test_bookings_count_as_done_effort_and_fix_the_start():
    world = World()
    world.task(11, 4, resources=(2,))  # efficiency 0.5
    world.booking(11, 2, "2014-04-02-10:00", "2014-04-02-12:00")
    plan = schedule(world.data, calendar(start="2014-03-31-00:00"))
    assert _dates(plan, 11) == (at("2014-04-02-10:00"), at("2014-04-03-13:00"))
    assert plan.tasks[11].reason == "booking"


def test_containers_span_children_and_pass_on_dependencies():
    world = World()
    world.task(20)
    world.task(21, 3, resources=(3,), parent=20)
    world.task(22, 5, resources=(4,), parent=20)
    world.task(30)
    world.task(31, 2, resources=(1,), parent=30)
    world.depends(30, 20)
    plan = schedule(world.data, calendar())
    assert _dates(plan, 20) == (at("2014-04-02-16:00"), at("2014-04-03-12:00"))
    assert _dates(plan, 31) == (at("2014-04-03-12:00"), at("2014-04-03-14:00"))
    assert plan.tasks[30].start == plan.tasks[31].start
    assert plan.projects[PROJECT] == (at("2014-04-02-16:00"), at("2014-04-03-14:00"))


def test_milestones_sit_at_the_project_start_or_after_dependencies():
    world = World()
    world.task(1)
    world.task(2, 5, "h")  # a leaf without resources is a milestone
    plan = schedule(world.data, calendar())
    assert _dates(plan, 1) == (at("2014-04-02-00:00"), at("2014-04-02-00:00"))
    assert _dates(plan, 2) == (at("2014-04-02-00:00"), at("2014-04-02-00:00"))
    assert plan.tasks[1].reason == "project_start"


def test_start_constraint_is_an_earliest_start():
    world = World()
    world.task(1, 2, resources=(1,))
    plan = schedule(world.data, calendar(), {1: (at("2014-04-08-11:00"), None)})
    assert _dates(plan, 1) == (at("2014-04-08-11:00"), at("2014-04-08-13:00"))
    assert plan.tasks[1].reason == "constraint"


def test_slack_and_critical_path():
    world = World()
    world.task(1, 9, resources=(1,))
    world.task(2, 2, resources=(3,))
    world.task(3, 2, resources=(1,))
    world.depends(3, 1)
    plan = schedule(world.data, calendar())
    assert plan.tasks[1].critical and plan.tasks[3].critical
    assert not plan.tasks[2].critical
    # task 2 ends 04-02 18:00 and may slip to the project end, 04-03 18:00:
    # one working day (9:00-18:00) of the studio calendar, not 24 hours
    assert plan.tasks[2].slack == datetime.timedelta(hours=9)


def test_a_task_ending_the_evening_before_its_dependent_starts_is_critical():
    world = World()
    world.task(1, 11, resources=(1,))  # ends at 18:00 the next working day
    world.task(2, 2, resources=(1,))
    world.depends(2, 1)
    plan = schedule(world.data, calendar())
    assert plan.tasks[2].reason == "calendar"  # it waited for the morning
    assert plan.tasks[1].end.hour == 18 and plan.tasks[2].start.hour == 9
    assert plan.tasks[1].slack == datetime.timedelta(0)
    assert plan.tasks[1].critical and plan.tasks[2].critical


def test_progress_callback_reports_the_end():
    world = World()
    world.task(1, 2, resources=(1,))
    world.task(2)
    calls = []
    schedule(
        world.data, calendar(), progress=lambda done, total: calls.append((done, total))
    )
    assert calls[-1] == (2, 2)


def test_a_dependency_cycle_is_an_error():
    world = World()
    world.task(1, 2, resources=(1,))
    world.task(2, 2, resources=(1,))
    world.depends(1, 2)
    world.depends(2, 1)
    with pytest.raises(SchedulingError, match="cycle"):
        schedule(world.data, calendar())


def test_work_beyond_the_horizon_grows_the_horizon():
    """Issue 23: the horizon grows to fit the work (see test_horizon.py)."""
    world = World()
    world.task(1, 100, "d", resources=(1,))
    plan = schedule(world.data, calendar(end="2014-04-20-00:00"))
    assert plan.tasks[1].end > at("2014-04-20-00:00")


def test_computed_rows_hold_tasks_and_projects():
    world = World()
    world.task(1, 2, resources=(1,))
    rows = {row.entity_id: row for row in schedule(world.data, calendar()).computed()}
    assert rows[1].resource_ids == (1,)
    assert rows[1].end == at("2014-04-02-18:00")
    assert rows[1].start == at("2014-04-02-16:00")
    assert rows[PROJECT] == ComputedSchedule(
        PROJECT, at("2014-04-02-16:00"), at("2014-04-02-18:00")
    )


def test_criticalness_weighs_effort_by_resource_scarcity():
    # user 1 carries 50 h of effort, user 2 12 h: the 4 h task on both users
    # outranks the 8 h task on user 2 alone (tj3: effort x mean scarcity)
    world = World({1: 1.0, 2: 1.0, 3: 1.0})
    world.task(1, 6, resources=(1,))
    world.task(2, 8, resources=(2,))
    world.task(3, 40, resources=(1,))
    world.task(4, 4, resources=(2, 1))
    plan = schedule(world.data, calendar())
    assert _dates(plan, 3) == (at("2014-04-02-16:00"), at("2014-04-09-11:00"))
    assert _dates(plan, 4) == (at("2014-04-02-16:00"), at("2014-04-03-11:00"))
    assert plan.tasks[4].resource_ids == (2,)
    assert _dates(plan, 2) == (at("2014-04-03-11:00"), at("2014-04-04-10:00"))
    assert _dates(plan, 1) == (at("2014-04-09-11:00"), at("2014-04-09-17:00"))


def test_a_non_persistent_alternative_switches_resources_slot_by_slot():
    world = World({1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0})
    world.task(1, 2, resources=(1,), priority=900)
    world.task(2, 6, resources=(1,), alternatives=(3,), strategy="order")
    world.data.tasks[2].persistent_allocation = False
    world.task(3, 6, resources=(1,), alternatives=(3,), strategy="order")
    world.task(5, 1, resources=(3,), priority=800)
    plan = schedule(world.data, calendar())
    # 17:00 on user 3 (user 1 is busy), then user 1 again from 09:00
    assert _dates(plan, 2) == (at("2014-04-02-17:00"), at("2014-04-03-14:00"))
    assert plan.tasks[2].resource_ids == (1, 3)
    # persistent: stays on the first free candidate
    assert _dates(plan, 3) == (at("2014-04-03-09:00"), at("2014-04-03-15:00"))
    assert plan.tasks[3].resource_ids == (3,)


def test_an_end_constraint_schedules_the_task_back_from_its_end():
    world = World()
    world.task(10, 10, resources=(1,))
    world.task(11, 5, resources=(1,))
    world.task(12, 1, "d", "length", resources=(3,))
    world.task(14, 20, resources=(1, 3))
    june = at("2014-06-01-00:00")
    constraints = {
        10: (None, june),
        11: (None, june),
        12: (None, june),
        14: (None, at("2014-05-20-13:00")),
    }
    plan = schedule(world.data, calendar(), constraints)
    # effort ends at its last booked slot, the longer task nearest the end
    assert _dates(plan, 10) == (at("2014-05-29-17:00"), at("2014-05-30-18:00"))
    assert _dates(plan, 11) == (at("2014-05-29-12:00"), at("2014-05-29-17:00"))
    assert _dates(plan, 14) == (at("2014-05-19-12:00"), at("2014-05-20-13:00"))
    # a length keeps the given end and counts its working hours back
    assert _dates(plan, 12) == (at("2014-05-30-09:00"), june)
    assert plan.tasks[12].reason == "constraint"


def test_a_week_of_effort_is_the_weekly_working_time():
    # Monday to Thursday only: a week is 36 working hours (tj3), not 45
    world = World()
    world.task(1, 1, "w", resources=(1,))
    world.task(2, 1, "w", "length", resources=(3,))
    four_days = calendar()
    four_days.working_hours = [WEEKDAY] * 4 + [[], [], []]
    plan = schedule(world.data, four_days)
    assert _dates(plan, 1) == (at("2014-04-02-16:00"), at("2014-04-09-16:00"))
    assert _dates(plan, 2) == (at("2014-04-02-00:00"), at("2014-04-09-16:00"))


def test_path_criticalness_counts_a_shared_follower_once_as_tj3_caches_it():
    # 3 depends on 1 and 2; tj3 reaches 3 first through 1 and, cached, adds
    # nothing of it to 2: the 2 h task 1 goes before the 3 h task 2
    world = World({1: 1.0, 2: 1.0, 3: 1.0})
    world.task(1, 2, resources=(1,))
    world.task(2, 3, resources=(1,))
    world.task(3, 10, resources=(2,))
    world.depends(3, 1)
    world.depends(3, 2)
    plan = schedule(world.data, calendar())
    assert _dates(plan, 1) == (at("2014-04-02-16:00"), at("2014-04-02-18:00"))
    assert _dates(plan, 2) == (at("2014-04-03-09:00"), at("2014-04-03-12:00"))
    assert _dates(plan, 3) == (at("2014-04-03-12:00"), at("2014-04-04-13:00"))


def test_known_starts_slot_rounding_and_completed_time_logs():
    world = World({1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0})
    world.task(1, 1, "d", "length", resources=(1,))
    world.task(2, 4, resources=(1,), priority=600)
    world.depends(2, 1, "onstart", 2, "h", "length")
    world.task(3, 2.4, resources=(3,))
    world.task(4, 2.5, resources=(4,))
    world.task(5, 2, resources=(2,), priority=300)
    world.booking(5, 2, "2014-04-02-09:00", "2014-04-02-11:00")
    world.task(6, 9, resources=(4,), priority=300)
    world.depends(6, 5)
    world.task(7, 20, resources=(4,), priority=200)
    plan = schedule(world.data, calendar())
    # a length's start is known at once: the task depending on it goes first
    assert _dates(plan, 2) == (at("2014-04-02-16:00"), at("2014-04-03-11:00"))
    assert _dates(plan, 1) == (at("2014-04-02-00:00"), at("2014-04-03-16:00"))
    assert plan.tasks[1].allocations[1] == [
        (at("2014-04-03-11:00"), at("2014-04-03-16:00"))
    ]
    # effort in whole slots: 2.4 h -> 2 h, 2.5 h -> 3 h
    assert _dates(plan, 3) == (at("2014-04-02-16:00"), at("2014-04-02-18:00"))
    assert _dates(plan, 4) == (at("2014-04-02-16:00"), at("2014-04-03-10:00"))
    # logs that complete a task settle it before any pick: 6 is ready at once
    assert _dates(plan, 5) == (at("2014-04-02-09:00"), at("2014-04-02-11:00"))
    assert _dates(plan, 6) == (at("2014-04-03-10:00"), at("2014-04-04-10:00"))
    assert _dates(plan, 7) == (at("2014-04-04-10:00"), at("2014-04-08-12:00"))
