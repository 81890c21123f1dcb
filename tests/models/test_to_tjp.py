"""``to_tjp`` of Studio, User, Department and Project (spec 09 §7).

The exact texts are checked without tj3; the tests marked ``tj3`` feed every
text (and the scheduler's whole file) built from a studio using every
feature Stalker writes to tj3, and assert it is accepted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest

from stalker import (
    Department,
    Project,
    Sequence,
    Shot,
    Studio,
    Task,
    TaskJugglerScheduler,
    User,
    Vacation,
    WorkingHours,
)
from stalker.scheduling.tj3 import parse_csv, run_tj3

from ..factories import make_user
from ..task_factories import TaskWorld, dt, make_project

UTC = datetime.timezone.utc


# -- Studio.to_tjp ---------------------------------------------------------------


def test_studio_to_tjp_spec_example():
    hours = WorkingHours(working_hours={"sat": [[540, 720]]}, daily_working_hours=8)
    studio = Studio(
        name="S",
        start=dt(2013, 4, 15),
        end=dt(2013, 6, 30),
        now=dt(2013, 4, 15, 21, 9),
        timing_resolution=datetime.timedelta(hours=1),
        working_hours=hours,
    )
    assert studio.to_tjp == "\n".join(
        [
            'project Studio_None "Studio_None" 2013-04-15 - 2013-06-30 {',
            "    timingresolution 60min",
            "    now 2013-04-15-21:00",
            "    dailyworkinghours 8",
            "    weekstartsmonday",
            "    workinghours mon 09:00 - 18:00",
            "    workinghours tue 09:00 - 18:00",
            "    workinghours wed 09:00 - 18:00",
            "    workinghours thu 09:00 - 18:00",
            "    workinghours fri 09:00 - 18:00",
            "    workinghours sat 09:00 - 12:00",
            "    workinghours sun off",
            '    timeformat "%Y-%m-%d"',
            '    scenario plan "Plan"',
            "    trackingscenario plan",
            "}",
        ]
    )


def test_studio_to_tjp_uses_its_id(session):
    studio = Studio(name="Saved")
    session.add(studio)
    session.flush()
    assert studio.to_tjp.startswith(f'project Studio_{studio.id} "Studio_{studio.id}" ')


@pytest.mark.parametrize(
    ("resolution", "minutes"),
    [
        (datetime.timedelta(minutes=5), 5),
        (datetime.timedelta(minutes=30), 30),
        (datetime.timedelta(hours=1), 60),
        (datetime.timedelta(days=1), 1440),
    ],
)
def test_studio_to_tjp_timing_resolution_in_minutes(resolution, minutes):
    studio = Studio(name="S", timing_resolution=resolution)
    assert f"    timingresolution {minutes}min\n" in studio.to_tjp


def test_studio_to_tjp_writes_dates_in_utc():
    plus_three = datetime.timezone(datetime.timedelta(hours=3))
    studio = Studio(
        name="S",
        start=datetime.datetime(2014, 1, 1, 1, tzinfo=plus_three),  # 2013-12-31 UTC
        end=datetime.datetime(2014, 3, 1, tzinfo=UTC),
        now=datetime.datetime(2014, 1, 2, 12, tzinfo=plus_three),
    )
    lines = studio.to_tjp.split("\n")
    assert lines[0].endswith(" 2013-12-31 - 2014-03-01 {")
    assert lines[2] == "    now 2014-01-02-09:00"


def test_studio_to_tjp_is_read_only():
    with pytest.raises(AttributeError):
        Studio(name="S").to_tjp = "x"


# -- User, Vacation, WorkingHours ------------------------------------------------------


def test_user_to_tjp_without_vacations(session):
    user = make_user("plain")
    session.add(user)
    session.flush()
    assert user.to_tjp == (
        f'resource User_{user.id} "User_{user.id}" {{\n    efficiency 1.0\n}}'
    )


def test_user_to_tjp_with_efficiency_and_vacations_by_id(session):
    user = make_user("away", efficiency=0.5)
    first = Vacation(user=user, start=dt(2014, 6, 9), end=dt(2014, 6, 14))
    second = Vacation(user=user, start=dt(2014, 5, 1, 10), end=dt(2014, 5, 2, 19))
    session.add(user)
    session.flush()
    assert first.id < second.id
    user.vacations.reverse()
    assert user.to_tjp == "\n".join(
        [
            f'resource User_{user.id} "User_{user.id}" {{',
            "    efficiency 0.5",
            "    vacation 2014-06-09-00:00:00 - 2014-06-14-00:00:00",
            "    vacation 2014-05-01-10:00:00 - 2014-05-02-19:00:00",
            "}",
        ]
    )


def test_user_to_tjp_of_an_unsaved_user():
    assert make_user("new", efficiency=2).to_tjp == (
        'resource User_None "User_None" {\n    efficiency 2.0\n}'
    )


@pytest.mark.parametrize(
    "make", [lambda: make_user("u"), lambda: Vacation(), lambda: WorkingHours()]
)
def test_to_tjp_is_read_only(make):
    obj = make()
    with pytest.raises(AttributeError):
        obj.to_tjp = "x"


# -- Department.to_tjp ------------------------------------------------------------


def test_department_to_tjp_nests_its_users(session):
    first, second = make_user("d1"), make_user("d2")
    Vacation(user=second, start=dt(2014, 6, 9), end=dt(2014, 6, 10))
    department = Department(name="Lighting", users=[first, second])
    session.add(department)
    session.flush()
    d, a, b = department.id, first.id, second.id
    assert department.to_tjp == "\n".join(
        [
            f'resource Department_{d} "Department_{d}" {{',
            f'    resource User_{a} "User_{a}" {{',
            "        efficiency 1.0",
            "    }",
            f'    resource User_{b} "User_{b}" {{',
            "        efficiency 1.0",
            "        vacation 2014-06-09-00:00:00 - 2014-06-10-00:00:00",
            "    }",
            "}",
        ]
    )


def test_department_without_users(session):
    department = Department(name="Empty")
    session.add(department)
    session.flush()
    d = department.id
    assert department.to_tjp == f'resource Department_{d} "Department_{d}" {{\n}}'


# -- Project.to_tjp ------------------------------------------------------------------


def test_project_without_tasks(session):
    project = make_project("Empty", "EMP", in_memory=False)
    session.add(project)
    session.flush()
    p = project.id
    assert project.to_tjp == f'task Project_{p} "Project_{p}" {{\n}}'


def test_project_to_tjp_indents_root_tasks_and_keeps_class_prefixes(session):
    world = TaskWorld(session)
    user = world.user()
    sequence = Sequence(name="SEQ", code="SEQ", project=world.project)
    shot = Shot(code="SH001", project=world.project, sequences=[sequence])
    anim = world.task(
        "Anim", parent=shot, resources=[user], schedule_timing=2, schedule_unit="d"
    )
    world.flush()
    p, q, s, a, u = world.project.id, sequence.id, shot.id, anim.id, user.id
    assert world.project.to_tjp == "\n".join(
        [
            f'task Project_{p} "Project_{p}" {{',
            f'    task Sequence_{q} "Sequence_{q}" {{}}',
            f'    task Shot_{s} "Shot_{s}" {{',
            f'        task Task_{a} "Task_{a}" {{',
            "            effort 2d",  # the number as given (07 §6.9)
            f"            allocate User_{u}",
            "        }",
            "    }",
            "}",
        ]
    )


def test_project_to_tjp_of_an_unsaved_project_uses_its_tasks():
    world = TaskWorld(None)
    task = world.task("T")
    assert world.project.to_tjp == "\n".join(
        [
            'task Project_None "Project_None" {',
            '    task Task_None "Task_None" {}',
            "}",
        ]
    )
    assert task.project is world.project


# -- everything through tj3 ------------------------------------------------------


@dataclass
class RichStudio:
    """A studio using every feature Stalker writes for tj3."""

    studio: Studio
    projects: list[Project]
    users: list[User]
    departments: list[Department]
    tasks: dict[str, Task] = field(default_factory=dict)


def build_rich_studio(session: Any) -> RichStudio:
    """Vacations, custom hours, alternatives, gaps, onstart, bookings, milestones."""
    hours = WorkingHours(
        working_hours={
            "mon": [[540, 720], [780, 1110]],
            "sat": [[600, 780]],
            "sun": [],
        },
        daily_working_hours=8,
    )
    studio = Studio(
        name="Rich Studio",
        start=dt(2014, 6, 2),
        end=dt(2014, 12, 31),
        now=dt(2014, 6, 4, 10),
        timing_resolution=datetime.timedelta(minutes=30),
        working_hours=hours,
    )
    users = [make_user(f"rich{n}") for n in range(5)]
    users[4].efficiency = 0.5
    Vacation(user=users[1], start=dt(2014, 6, 16), end=dt(2014, 6, 21))
    studio_vacation = Vacation(start=dt(2014, 7, 4), end=dt(2014, 7, 5))
    departments = [
        Department(name="Animation", users=users[:3]),
        Department(name="Lighting", users=users[3:]),
    ]
    session.add_all([studio, studio_vacation, *users, *departments])
    session.flush()
    world = TaskWorld(session)
    t: dict[str, Task] = {}
    sequence = Sequence(name="SEQ", code="SEQ", project=world.project)
    shot = Shot(code="SH010", project=world.project, sequences=[sequence])
    t["layout"] = world.task(
        "Layout",
        parent=shot,
        resources=[users[0]],
        schedule_timing=3,
        schedule_unit="d",
        priority=900,
    )
    t["anim"] = world.task(
        "Anim",
        parent=shot,
        resources=[users[1], users[0]],
        alternative_resources=[users[2], users[4]],
        allocation_strategy="order",
        persistent_allocation=True,
        schedule_timing=1.5,
        schedule_unit="w",
    )
    t["light"] = world.task(
        "Light",
        parent=shot,
        resources=[users[3]],
        alternative_resources=[users[4]],
        allocation_strategy="minloaded",
        persistent_allocation=False,
        schedule_model="duration",
        schedule_timing=4,
        schedule_unit="d",
        priority=100,
    )
    t["review"] = world.task("Client review", parent=shot, is_milestone=True)
    t["fx"] = world.task(
        "FX",
        resources=[users[2]],
        schedule_model="length",
        schedule_timing=20,
        schedule_unit="h",
        start=dt(2014, 8, 1, 9),
        schedule_constraint=1,
    )
    world.flush()
    t["anim"].depends_on = [t["layout"]]
    t["light"].depends_on = [t["anim"]]
    t["review"].depends_on = [t["light"]]
    t["fx"].depends_on = [t["anim"]]
    onstart = t["light"].task_depends_on[0]
    onstart.dependency_target = "onstart"
    onstart.gap_timing = 2
    onstart.gap_unit = "d"
    onstart.gap_model = "length"
    gap = t["fx"].task_depends_on[0]
    gap.gap_timing = 1
    gap.gap_unit = "d"
    gap.gap_model = "duration"
    world.flush()
    t["layout"].create_time_log(users[0], dt(2014, 6, 2, 9), dt(2014, 6, 2, 13))
    t["layout"].create_time_log(users[0], dt(2014, 6, 3, 20), dt(2014, 6, 3, 23))
    other = make_project("Second", "SND", in_memory=False)
    world.project, first_project = other, world.project
    t["other"] = world.task(
        "Other", resources=[users[3]], schedule_timing=6, schedule_unit="h"
    )
    t["other_container"] = world.task("Container")
    t["other_child"] = world.task(
        "Child",
        parent=t["other_container"],
        resources=[users[4]],
        schedule_timing=2,
        schedule_unit="d",
    )
    session.add(other)
    session.commit()
    return RichStudio(studio, [first_project, other], users, departments, t)


REPORT = (
    'taskreport out "{name}"{{\n    formats csv\n    timeformat "%Y-%m-%d-%H:%M"\n'
    "    columns id, start, end\n}}"
)


def assert_tj3_accepts(text: str, tmp_path: Any, name: str = "check") -> list:
    """Run tj3 on ``text`` plus a CSV report; the report's rows."""
    tjp = tmp_path / f"{name}.tjp"
    tjp.write_text(text + "\n" + REPORT.format(name=name), encoding="utf-8")
    warnings = run_tj3("tj3", str(tjp), str(tmp_path), timeout=120)
    assert "Error" not in warnings
    rows = parse_csv(str(tmp_path / f"{name}.csv"), compute_resources=False)
    assert rows
    return rows


@pytest.fixture
def rich(session):
    return build_rich_studio(session)


@pytest.mark.tj3
def test_tj3_accepts_every_to_tjp_text(rich, tmp_path):
    """Studio, Vacation, User, Project (and so Task, TaskDependency) to_tjp."""
    resources = [
        'resource resources "Resources" {',
        *(vacation.to_tjp for vacation in rich.studio.vacations),
        *(user.to_tjp for user in User.query.order_by(User.id)),
        "}",
    ]
    text = "\n".join(
        [rich.studio.to_tjp, *resources, *(p.to_tjp for p in rich.projects)]
    )
    assert "gaplength 2.0d" in text and "onstart" in text and "booking" in text
    assert "alternative" in text and "priority 900" in text
    assert "    workinghours sat 10:00 - 13:00" in text
    rows = assert_tj3_accepts(text, tmp_path)
    ids = {row.entity_id for row in rows}
    assert {task.id for task in rich.tasks.values()} <= ids


@pytest.mark.tj3
def test_tj3_accepts_department_resource_groups(rich, tmp_path):
    departments = [department.to_tjp for department in rich.departments]
    admins = [user.to_tjp for user in User.query.filter_by(login="admin")]
    text = "\n".join(
        [rich.studio.to_tjp, *admins, *departments, rich.projects[0].to_tjp]
    )
    assert_tj3_accepts(text, tmp_path)


@pytest.mark.tj3
def test_tj3_accepts_the_scheduler_file_and_dates_follow_dependencies(rich, session):
    scheduler = TaskJugglerScheduler(compute_resources=True, timeout=120)
    rich.studio.scheduler = scheduler
    rich.studio.schedule()
    session.commit()
    t = rich.tasks
    assert all(task.computed_start is not None for task in t.values())
    assert t["anim"].computed_start >= t["layout"].computed_end
    assert t["light"].computed_start >= t["anim"].computed_start
    assert t["fx"].computed_start >= t["anim"].computed_end
    assert t["review"].computed_start == t["review"].computed_end
    assert t["review"].computed_start >= t["light"].computed_end
    container = t["anim"].parent
    assert container.computed_start <= t["layout"].computed_start
    assert container.computed_end >= t["review"].computed_end
    assert container.computed_resources == []
    assert set(t["anim"].computed_resources) <= {*rich.users[:3], rich.users[4]}
    for project in rich.projects:
        assert project.computed_start is not None


@pytest.mark.tj3
def test_task_to_tjp_of_a_logged_task_without_resources_is_accepted_by_tj3(
    session, tmp_path
):
    world = TaskWorld(session)
    user = world.user()
    task = world.task("Logged", resources=[user])
    world.flush()
    task.create_time_log(user, dt(2014, 6, 2, 9), dt(2014, 6, 2, 12))
    task.resources = []
    world.flush()
    studio = Studio(name="S", start=dt(2014, 6, 2), end=dt(2014, 7, 1))
    studio.now = dt(2014, 6, 3)
    resources = ['resource resources "Resources" {', user.to_tjp, "}"]
    text = "\n".join([studio.to_tjp, *resources, world.project.to_tjp])
    assert "booking" not in text  # 09 §4.2: no resources, no bookings (D6)
    assert_tj3_accepts(text, tmp_path)
