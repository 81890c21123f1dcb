"""What a re-plan moved (issue 23): plain rows, then both schedulers in a database."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event

from stalker import NativeScheduler, Studio, TaskJugglerScheduler, User
from stalker.scheduling import (
    PreviousPlan,
    ScheduleText,
    TaskChange,
    gather_previous,
    gather_schedule_data,
    plan_changes,
    schedule,
)
from stalker.scheduling.changes import PreviousTask, shift_text
from stalker.scheduling.writeback import ComputedSchedule

from ..factories import make_user
from ..task_factories import TaskWorld, dt
from .helpers import World, at, calendar

HOUR = datetime.timedelta(hours=1)


def stored(plan: Any) -> PreviousPlan:
    """A plan as the database would hold it after its write-back."""
    previous = PreviousPlan()
    for task_id, task in plan.tasks.items():
        previous.tasks[task_id] = PreviousTask(task.start, task.end, task.resource_ids)
    return previous


def chain_world() -> World:
    world = World()
    world.task(1, 4, resources=(1,))
    world.task(2, 2, resources=(3,))
    world.depends(2, 1)
    world.task(3, 1, resources=(4,))
    world.data.names = {1000: "FLM", 1: "Model", 2: "Rig", 3: "Other"}
    return world


# -- plain rows ----------------------------------------------------------------------


def test_only_moved_tasks_are_listed_with_shift_and_worded_reason():
    world = chain_world()
    before = stored(schedule(world.data, calendar()))
    world.data.tasks[1].schedule_timing = 6  # the model takes two hours more
    plan = schedule(world.data, calendar())
    changes = plan_changes(world.data, before, plan)
    assert [change.path for change in changes] == ["FLM / Model", "FLM / Rig"]
    model, rig = changes
    assert model.start_shift == datetime.timedelta(0)
    assert model.end_shift == 2 * HOUR
    assert model.why.startswith("ends 2 h later, same start")
    assert rig.start_shift == rig.end_shift
    assert rig.start_shift > datetime.timedelta(0)
    assert rig.reason == "dependency" and rig.reason_task_id == 1
    assert rig.why.startswith(f"starts {shift_text(rig.start_shift)} (was ")
    assert rig.why.endswith(": it waits for its dependency FLM / Model")
    assert rig.new_resource_ids == (3,) == rig.old_resource_ids
    assert plan_changes(world.data, stored(plan), plan) == []


def test_a_resource_swap_is_a_change_even_on_the_same_dates():
    world = chain_world()
    world.data.alternatives[3] = [2]
    plan = schedule(world.data, calendar())
    before = stored(plan)
    before.tasks[3] = PreviousTask(before.tasks[3].start, before.tasks[3].end, (2,))
    (change,) = plan_changes(world.data, before, plan)
    assert change.task_id == 3 and change.start_shift == change.end_shift
    assert change.resources_changed
    assert "resources [2] -> [4]" in change.why
    assert plan_changes(world.data, before, plan, compare_resources=False) == []


def test_never_planned_tasks_and_outside_rows_are_not_moves():
    world = chain_world()
    plan = schedule(world.data, calendar())
    assert plan_changes(world.data, PreviousPlan(), plan) == []
    rows = [ComputedSchedule(999, at("2014-04-03-09:00"), at("2014-04-03-10:00"))]
    assert plan_changes(world.data, stored(plan), rows) == []


def test_tj3_rows_move_without_a_reason():
    world = chain_world()
    before = stored(schedule(world.data, calendar()))
    old = before.tasks[2]
    rows = [ComputedSchedule(2, old.start + 3 * HOUR, old.end + 3 * HOUR, None)]
    (change,) = plan_changes(world.data, before, rows)
    assert change.reason is None and change.new_resource_ids is None
    assert change.why == f"starts 3 h later (was {old.start:%Y-%m-%d %H:%M} UTC)"


def test_rows_are_json_safe_and_read_back():
    world = chain_world()
    before = stored(schedule(world.data, calendar()))
    world.data.tasks[1].schedule_timing = 6
    changes = plan_changes(world.data, before, schedule(world.data, calendar()))
    rows = json.loads(json.dumps([change.as_json() for change in changes]))
    assert rows[0]["path"] == "FLM / Model"
    assert rows[0]["end_shift_h"] == 2.0 and rows[0]["start_shift_h"] == 0.0
    assert rows[0]["new_end"].endswith("+00:00")
    assert [TaskChange.from_json(row) for row in rows] == changes


def test_shift_text():
    assert shift_text(datetime.timedelta(days=2, hours=3)) == "2 d 3 h later"
    assert shift_text(-datetime.timedelta(minutes=30)) == "30 min earlier"
    assert shift_text(datetime.timedelta(0)) == "unchanged"


# -- in the database -----------------------------------------------------------------


@dataclass
class Replan:
    studio: Studio
    ann: User
    bob: User
    project: Any
    model: Any
    rig: Any
    lookdev: Any


def build_replan(session: Any) -> Replan:
    """Ann models then does the lookdev, Bob rigs after the model; committed."""
    studio = Studio(
        name="Replan Studio",
        start=dt(2030, 1, 7),
        end=dt(2030, 4, 1),
        now=dt(2030, 1, 7, 9),
        timing_resolution=HOUR,
        daily_working_hours=9,
    )
    ann, bob = make_user("ann"), make_user("bob")
    session.add_all([studio, ann, bob])
    session.flush()
    world = TaskWorld(session)
    world.project.code = "FLM"
    model = world.task("Model", resources=[ann], schedule_timing=12)
    rig = world.task("Rig", resources=[bob], schedule_timing=4, depends_on=[model])
    lookdev = world.task("Lookdev", resources=[ann], schedule_timing=6, priority=400)
    world.flush()
    session.commit()
    return Replan(studio, ann, bob, world.project, model, rig, lookdev)


@pytest.fixture
def replan(session):
    return build_replan(session)


def test_a_first_run_moves_nothing_then_a_re_plan_tells_what_moved(replan, session):
    studio = replan.studio
    studio.scheduler = NativeScheduler(compute_resources=True)
    first = studio.schedule()
    assert isinstance(first, ScheduleText) and first == "" and not first
    assert first.changes == [] == studio.scheduler.changes
    session.commit()
    assert studio.last_schedule_changes == []
    old_rig_start = replan.rig.computed_start

    replan.model.schedule_timing = 20  # eight hours more modelling
    session.commit()
    moved = studio.schedule()
    session.commit()
    assert moved.changes == studio.scheduler.changes
    by_path = {change.path: change for change in moved.changes}
    assert set(by_path) == {"FLM / Model", "FLM / Rig", "FLM / Lookdev"}
    rig = by_path["FLM / Rig"]
    assert rig.old_start == old_rig_start
    assert rig.start_shift > datetime.timedelta(0)
    assert rig.reason == "dependency" and rig.reason_task_id == replan.model.id
    assert "it waits for its dependency FLM / Model" in rig.why
    assert rig.new_resource_ids == (replan.bob.id,)
    assert by_path["FLM / Model"].start_shift == datetime.timedelta(0)
    assert by_path["FLM / Lookdev"].reason == "resource"

    session.expire_all()
    kept = Studio.query.filter_by(id=studio.id).one().last_schedule_changes
    assert kept == [change.as_json() for change in moved.changes]
    assert {row["path"] for row in kept} == set(by_path)
    assert replan.rig.computed_start == rig.new_start


def test_an_unchanged_re_plan_moves_nothing(replan, session):
    studio = replan.studio
    studio.scheduler = NativeScheduler(compute_resources=True)
    studio.schedule()
    session.commit()
    assert studio.schedule().changes == []


def test_a_failed_run_keeps_the_last_changes(replan, session):
    studio = replan.studio
    studio.scheduler = NativeScheduler()
    studio.schedule()
    replan.model.schedule_timing = 20
    session.commit()
    studio.schedule()
    session.commit()
    kept = studio.last_schedule_changes
    assert kept
    replan.model.schedule_timing = 20
    replan.model.schedule_unit = "y"  # beyond the longest horizon (ten years)
    with pytest.raises(RuntimeError):
        studio.schedule()
    assert studio.scheduler.changes is None
    assert studio.last_schedule_changes == kept
    assert studio.last_schedule_message.startswith("Scheduling failed")


def test_the_stored_plan_is_read_with_a_fixed_number_of_queries(replan, session):
    studio = replan.studio
    studio.scheduler = NativeScheduler(compute_resources=True)
    studio.schedule()
    session.commit()
    data = gather_schedule_data(session, [replan.project.id])
    statements: list[str] = []
    engine = session.get_bind()

    def count(*_args: Any) -> None:
        statements.append("query")

    event.listen(engine, "before_cursor_execute", count)
    try:
        previous = gather_previous(session, data)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 3
    assert set(previous.tasks) == {replan.model.id, replan.rig.id, replan.lookdev.id}
    assert previous.tasks[replan.rig.id].resource_ids == (replan.bob.id,)
    assert replan.project.id in previous.projects


@pytest.mark.tj3
def test_tj3_runs_report_their_moves_too(replan, session):
    studio = replan.studio
    studio.scheduler = TaskJugglerScheduler(compute_resources=True)
    assert studio.schedule().changes == []
    session.commit()
    replan.model.schedule_timing = 20
    session.commit()
    moved = studio.schedule()
    session.commit()
    by_path = {change.path: change for change in moved.changes}
    assert "FLM / Rig" in by_path and "FLM / Model" in by_path
    rig = by_path["FLM / Rig"]
    assert rig.reason is None and rig.start_shift > datetime.timedelta(0)
    assert studio.last_schedule_changes == [c.as_json() for c in moved.changes]


def test_the_returned_text_is_still_the_schedulers_text(replan, session):
    studio = replan.studio
    studio.scheduler = NativeScheduler()
    message = studio.schedule()
    assert message == "" and str(message) == "" and json.dumps(message) == '""'
    assert type(studio.last_schedule_message) is str
    assert ScheduleText("warning", []).upper() == "WARNING"
