"""Schedules never destroy their inputs, and both engines refuse the same rows.

Issue 16: the whole-studio ``.tjp`` carries the tasks' start/end constraints,
a plan that misses them is refused naming the task by its path (both
engines), the write-back keeps the pinned dates, and the plain rows are
checked before either engine runs.
"""

from __future__ import annotations

import datetime
import math

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from stalker import NativeScheduler, Studio, Task, TaskJugglerScheduler, TimeLog
from stalker.db.declarative import Base
from stalker.exceptions import OverBookedError
from stalker.scheduling import ConstraintError, write_back
from stalker.scheduling.data import (
    BookingRow,
    DependencyRow,
    gather_schedule_data,
    validate_schedule_data,
)
from stalker.scheduling.engine import schedule
from stalker.scheduling.writeback import ComputedSchedule

from ..factories import make_user
from ..task_factories import TaskWorld, dt
from .helpers import World, at, calendar

START, END, BOTH = 1, 2, 3
ENGINES = [
    pytest.param(NativeScheduler, id="native"),
    pytest.param(TaskJugglerScheduler, id="tj3", marks=pytest.mark.tj3),
]


def studio_with_comp(session, days=30, constraint=END, start=None, end=None):
    """Project TP, container SH010 and its leaf Comp with a pinned date."""
    studio = Studio(
        name="Studio",
        start=dt(2014, 1, 1),
        end=dt(2014, 6, 1),
        now=dt(2014, 1, 1),
        timing_resolution=datetime.timedelta(hours=1),
    )
    world = TaskWorld(session)
    artist = make_user("artist")
    shot = world.task("SH010")
    comp = world.task(
        "Comp",
        parent=shot,
        resources=[artist],
        schedule_timing=days,
        schedule_unit="d",
        schedule_constraint=constraint,
        start=start or dt(2014, 1, 6, 9),
        end=end or dt(2014, 1, 7, 18),
    )
    session.add(studio)
    world.flush()
    session.commit()
    return studio, comp


def dates(task):
    return (task.start, task.end, task.computed_start, task.computed_end)


# -- the .tjp file ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "lines"),
    [
        (START, ["start 2014-01-06-09:00"]),
        (END, ["end 2014-01-07-18:00"]),
        (BOTH, ["start 2014-01-06-09:00", "maxend 2014-01-07-18:00"]),
        (0, []),
    ],
)
def test_the_studio_file_carries_the_constraints(session, constraint, lines):
    studio, comp = studio_with_comp(session, days=1, constraint=constraint)
    scheduler = TaskJugglerScheduler(studio)
    scheduler._create_tjp_file_content()
    scheduler._clean_up()
    block = scheduler.tjp_content.split(f'task Task_{comp.id} "Task_{comp.id}" {{')[1]
    written = [
        line.strip()
        for line in block.split("}")[0].splitlines()
        if line.strip().startswith(("start ", "end ", "maxend "))
    ]
    assert written == lines


# -- a plan that misses a pinned date ---------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("constraint", [END, BOTH])
def test_a_missed_deadline_is_refused_naming_the_task(session, engine, constraint):
    studio, comp = studio_with_comp(session, days=30, constraint=constraint)
    before = dates(comp)
    studio.scheduler = engine()
    with pytest.raises(
        ConstraintError, match=r"^TP / SH010 / Comp \(Task, id \d+\)"
    ) as e:
        studio.schedule()
    assert (e.value.task_id, e.value.path) == (comp.id, "TP / SH010 / Comp")
    session.expire_all()
    assert dates(comp) == before
    assert comp.end == dt(2014, 1, 7, 18)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_write_back_keeps_the_pinned_dates(session, engine):
    studio, comp = studio_with_comp(session, days=1, constraint=BOTH)
    studio.scheduler = engine()
    studio.schedule()
    session.commit()
    session.expire_all()
    assert (comp.start, comp.end) == (dt(2014, 1, 6, 9), dt(2014, 1, 7, 18))
    assert (comp.computed_start, comp.computed_end) == (
        dt(2014, 1, 6, 9),
        dt(2014, 1, 6, 18),
    )
    assert comp.duration == comp.end - comp.start


@pytest.mark.parametrize("engine", ENGINES)
def test_an_end_constraint_keeps_its_end_and_plans_the_start(session, engine):
    studio, comp = studio_with_comp(session, days=1, constraint=END)
    studio.scheduler = engine()
    studio.schedule()
    session.commit()
    session.expire_all()
    assert comp.end == dt(2014, 1, 7, 18)
    assert (comp.start, comp.computed_start) == (dt(2014, 1, 7, 9),) * 2


def test_the_write_back_refuses_rows_that_miss_a_pinned_date(session):
    _, comp = studio_with_comp(session, days=1, constraint=BOTH)
    data = gather_schedule_data(session, [comp.project.id])
    before = dates(comp)
    late = ComputedSchedule(comp.id, dt(2014, 1, 6, 9), dt(2014, 1, 8, 18))
    early = ComputedSchedule(comp.id, dt(2014, 1, 6, 8), dt(2014, 1, 6, 18))
    with pytest.raises(ConstraintError, match="cannot end by its pinned end"):
        write_back(session, data, [late])
    with pytest.raises(ConstraintError, match="before its pinned start"):
        write_back(session, data, [early])
    session.expire_all()
    assert dates(comp) == before


# -- the same refusal from both engines ---------------------------------------------


def corrupt(session, table, values, **where):
    """Store a value the models refuse, as an old database might hold it."""
    target = Base.metadata.tables[table]
    condition = [target.c[key] == value for key, value in where.items()]
    session.execute(update(target).where(*condition).values(**values))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("table", "values", "error", "pattern"),
    [
        ("Tasks", {"schedule_timing": -5.0}, ValueError, "schedule_timing"),
        ("Users", {"efficiency": -1.0}, ValueError, "efficiency"),
        ("Users", {"efficiency": math.inf}, ValueError, "efficiency"),
        ("Task_Dependencies", {"gap_timing": -1.0}, ValueError, "gap_timing"),
    ],
)
def test_both_engines_refuse_bad_rows_the_same_way(
    session, engine, table, values, error, pattern
):
    studio, comp = studio_with_comp(session, days=1, constraint=0)
    other = Task(name="Plate", parent=comp.parent, resources=comp.resources)
    comp.depends_on = [other]
    session.commit()
    keys = {
        "Tasks": {"id": comp.id},
        "Users": {"id": comp.resources[0].id},
        "Task_Dependencies": {"task_id": comp.id},
    }
    corrupt(session, table, values, **keys[table])
    studio.scheduler = engine()
    with pytest.raises(error, match=pattern):
        studio.schedule()


@pytest.mark.parametrize("engine", ENGINES)
def test_both_engines_refuse_overlapping_time_logs(session, engine, backend):
    studio, comp = studio_with_comp(session, days=1, constraint=0)
    artist = comp.resources[0]
    first = comp.create_time_log(artist, dt(2013, 12, 2, 9), dt(2013, 12, 2, 11))
    second = comp.create_time_log(artist, dt(2013, 12, 3, 9), dt(2013, 12, 3, 11))
    session.commit()
    logs = Base.metadata.tables["TimeLogs"]
    moved = (
        update(logs)
        .where(logs.c.id == second.id)
        .values(start=dt(2013, 12, 2, 10), end=dt(2013, 12, 2, 12))
    )
    try:
        with session.begin_nested():
            session.execute(moved)  # an hour booked twice, as old data may hold
    except (IntegrityError, OverBookedError):  # a database forbidding overlaps
        assert backend == "postgresql"
        assert session.get(TimeLog, first.id).end == dt(2013, 12, 2, 11)
        return
    studio.scheduler = engine()
    with pytest.raises(ValueError, match=r"TimeLogs of user \d+ overlap: 'TP / SH010"):
        studio.schedule()


# -- the shared check on plain rows -------------------------------------------------


@pytest.fixture
def rows():
    world = World()
    world.task(1, 4, resources=(1,))
    world.task(2, 2, resources=(3,))
    return world


@pytest.mark.parametrize(
    ("spoil", "error", "pattern"),
    [
        (lambda d: setattr(d.tasks[1], "schedule_timing", -1.0), ValueError, "timing"),
        (
            lambda d: setattr(d.tasks[1], "schedule_timing", math.nan),
            ValueError,
            ">= 0",
        ),
        (lambda d: setattr(d.tasks[1], "schedule_timing", "4"), TypeError, "a number"),
        (
            lambda d: setattr(d.tasks[1], "schedule_unit", "fortnight"),
            ValueError,
            "unit",
        ),
        (lambda d: setattr(d.tasks[1], "schedule_model", "guess"), ValueError, "model"),
        (lambda d: setattr(d, "users", [(1, math.nan)]), ValueError, "efficiency"),
        (lambda d: setattr(d, "users", [(1, True)]), TypeError, "efficiency"),
        (
            lambda d: d.dependencies.setdefault(2, []).append(
                DependencyRow(2, 1, "onend", -2.0, "h", "length")
            ),
            ValueError,
            "gap_timing",
        ),
        (
            lambda d: d.dependencies.setdefault(2, []).append(
                DependencyRow(2, 1, "sideways", 0.0, "h", "length")
            ),
            ValueError,
            "dependency_target",
        ),
        (
            lambda d: d.vacations.setdefault(1, []).append(
                (at("2014-04-05-00:00"), at("2014-04-04-00:00"))
            ),
            ValueError,
            "end after it starts",
        ),
        (
            lambda d: d.bookings.setdefault(1, []).append(
                BookingRow(1, 1, at("2014-04-01-12:00"), at("2014-04-01-09:00"))
            ),
            ValueError,
            "end after it starts",
        ),
        (
            lambda d: d.bookings.update(
                {
                    1: [
                        BookingRow(1, 1, at("2014-04-01-09:00"), at("2014-04-01-12:00"))
                    ],
                    2: [
                        BookingRow(2, 1, at("2014-04-01-11:00"), at("2014-04-01-13:00"))
                    ],
                }
            ),
            ValueError,
            "overlap",
        ),
        (
            lambda d: (
                setattr(d.tasks[1], "constraint", START),
                setattr(d.tasks[1], "start", None),
            ),
            TypeError,
            "pinned",
        ),
    ],
)
def test_bad_rows_are_refused_before_the_engine_runs(rows, spoil, error, pattern):
    spoil(rows.data)
    with pytest.raises(error, match=pattern):
        validate_schedule_data(rows.data)
    with pytest.raises(error, match=pattern):
        schedule(rows.data, calendar())


def test_good_rows_pass_and_touching_logs_do_not_overlap(rows):
    rows.data.bookings = {
        1: [BookingRow(1, 1, at("2014-04-01-09:00"), at("2014-04-01-11:00"))],
        2: [BookingRow(2, 1, at("2014-04-01-11:00"), at("2014-04-01-13:00"))],
    }
    validate_schedule_data(rows.data)
    plan = schedule(rows.data, calendar())
    assert set(plan.tasks) == {1, 2}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_pinned_start_a_dependency_pushes_back_is_refused(session, engine):
    studio, comp = studio_with_comp(session, days=1, constraint=START)
    plate = Task(
        name="Plate",
        parent=comp.parent,
        resources=[make_user("prep")],
        schedule_timing=5,
        schedule_unit="d",
    )
    session.flush()
    comp.depends_on = [plate]  # ends 2014-01-07 18:00, after Comp's pinned start
    session.commit()
    studio.scheduler = engine()
    pattern = r"^TP / SH010 / Comp \(Task, id \d+\) .*pinned"
    with pytest.raises(ConstraintError, match=pattern):
        studio.schedule()
    session.expire_all()
    assert (comp.start, comp.computed_start) == (dt(2014, 1, 6, 9), None)
