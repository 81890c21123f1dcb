"""A usable default horizon and errors that name things (issue 23).

A default ``Studio()`` spans one hour; its first ``schedule()`` works with
both engines: the native horizon grows to fit the work and tj3 gets the
end the native plan fitted in.  Work that fits no horizon is refused with
the task's path and the setting to change.
"""

from __future__ import annotations

import datetime
import stat
from typing import Any

import pytest

import stalker
from stalker import NativeScheduler, Studio, TaskJugglerScheduler
from stalker.models.schedulers import TaskJugglerHorizonError
from stalker.scheduling import SchedulingError
from stalker.scheduling.engine import HorizonError, schedule
from stalker.scheduling.tj3 import TaskJugglerError

from ..factories import make_user
from ..task_factories import TaskWorld, dt
from .helpers import World, calendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def build(session: Any, studio: Studio) -> Any:
    """Two artists, a chain of three tasks (110 h) in project ``TP``."""
    users = [make_user("artist1"), make_user("artist2")]
    session.add_all([studio, *users])
    session.flush()
    world = TaskWorld(session)
    shot = world.task("SH010")
    layout = world.task("Layout", parent=shot, schedule_timing=40, resources=users)
    anim = world.task("Anim", parent=shot, schedule_timing=50, resources=users[:1])
    comp = world.task("Comp", parent=shot, schedule_timing=20, resources=users[1:])
    anim.depends_on = [layout]
    comp.depends_on = [anim]
    world.flush()
    session.commit()
    return [layout, anim, comp]


def dates(tasks: list[Any]) -> list[tuple[datetime.datetime, datetime.datetime]]:
    return [(task.computed_start, task.computed_end) for task in tasks]


def run(session: Any, studio: Studio, scheduler: Any) -> None:
    studio.scheduler = scheduler
    studio.schedule()
    session.commit()
    session.expire_all()


def test_a_default_studio_schedules_natively(session):
    studio = Studio(name="Default")
    tasks = build(session, studio)
    assert studio.end - studio.start == datetime.timedelta(hours=1)
    run(session, studio, NativeScheduler())
    layout, anim, comp = tasks
    assert studio.now <= layout.computed_start < anim.computed_start
    assert anim.computed_end <= comp.computed_start
    assert comp.computed_end > studio.end  # plan dates beyond Studio.end are fine
    assert studio.scheduler.plan.horizon_end >= comp.computed_end


@pytest.mark.tj3
def test_a_default_studio_schedules_with_tj3_as_natively(session):
    studio = Studio(name="Default")
    tasks = build(session, studio)
    run(session, studio, NativeScheduler())
    native = dates(tasks)
    run(session, studio, TaskJugglerScheduler())
    assert dates(tasks) == native
    assert studio.scheduler.horizon_end > studio.end


@pytest.mark.tj3
def test_tj3_runs_again_over_a_grown_horizon(session):
    """A horizon of some days, too short: tj3 fails once, then fits."""
    studio = Studio(
        name="Short",
        start=dt(2014, 6, 2),
        end=dt(2014, 6, 6),
        now=dt(2014, 6, 2),
        timezone="UTC",
    )
    tasks = build(session, studio)
    run(session, studio, NativeScheduler())
    native = dates(tasks)
    assert native[-1][1] > studio.end
    run(session, studio, TaskJugglerScheduler())
    assert dates(tasks) == native
    assert studio.scheduler.horizon_end > dt(2014, 6, 6)


def no_working_hours(studio: Studio) -> None:
    for day in WEEKDAYS:
        studio.working_hours[day] = []


def test_native_refusal_names_the_task_and_what_to_check(session):
    studio = Studio(name="Idle", timezone="UTC")
    no_working_hours(studio)
    build(session, studio)
    with pytest.raises(HorizonError) as caught:
        run(session, studio, NativeScheduler())
    message = str(caught.value)
    assert "TP / SH010 / Layout" in message
    assert "working hours" in message
    assert caught.value.task_id is not None


@pytest.mark.tj3
def test_tj3_refusal_says_how_short_and_which_setting(session):
    studio = Studio(name="Idle", timezone="UTC")
    no_working_hours(studio)
    build(session, studio)
    with pytest.raises(TaskJugglerHorizonError) as caught:
        run(session, studio, TaskJugglerScheduler())
    message = str(caught.value)
    assert "Studio.end" in message and "days short" in message
    assert "TP / SH010 / Layout" in message
    assert isinstance(caught.value, SchedulingError)


def test_tj3_errors_name_the_tasks_by_path(session, tmp_path):
    studio = Studio(name="Named", timezone="UTC", end=dt(2100, 1, 1))
    tasks = build(session, studio)
    script = tmp_path / "fake_tj3"
    script.write_text(
        f"#!/bin/sh\necho '$1:9: Error: Task_{tasks[2].id} is broken' >&2\nexit 1\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    stalker.defaults.tj_command = str(script)
    with pytest.raises(TaskJugglerError) as caught:
        run(session, studio, TaskJugglerScheduler())
    assert f"Task_{tasks[2].id} is TP / SH010 / Comp" in str(caught.value)


# -- plain data: the engine's own errors -------------------------------------------


def test_a_cycle_names_its_tasks_by_path():
    world = World()
    world.task(1, 2, resources=(1,))
    world.task(2, 2, resources=(1,))
    world.task(3, 2, resources=(1,))
    world.depends(1, 2)
    world.depends(2, 1)
    world.depends(3, 1)
    world.data.names = {1000: "FC", 1: "Comp", 2: "Light", 3: "Grade"}
    cycle = r"cycle: FC / (Comp|Light) -> "
    with pytest.raises(SchedulingError, match=cycle) as caught:
        schedule(world.data, calendar())
    assert "FC / Grade" not in str(caught.value)


def test_the_horizon_grows_by_doubling_and_keeps_the_dates():
    world = World()
    world.task(1, 30, "d", resources=(1,))
    short = schedule(world.data, calendar(end="2014-04-10-00:00"))
    roomy = schedule(world.data, calendar(end="2016-01-01-00:00"))
    assert short.tasks[1].end == roomy.tasks[1].end
    assert short.horizon_end is not None
    assert short.tasks[1].end <= short.horizon_end < roomy.horizon_end  # type: ignore[operator]
