"""A refused call changes nothing (issue 16, cases 1, 2, 3, 5, 7 and 8).

Each refusal is checked the same way on SQLite and PostgreSQL: the call
raises TypeError/ValueError naming the class and attribute, the object graph
is as before, the next commit succeeds and writes nothing, and unrelated work
can be committed afterwards.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from stalker import (
    AuthenticationLog,
    Budget,
    BudgetEntry,
    Department,
    Good,
    Project,
    Repository,
    Shot,
    Studio,
    Tag,
    Task,
    TaskDependency,
    User,
    Vacation,
    WorkingHours,
)
from stalker.db.declarative import Base
from tests.factories import make_user
from tests.task_factories import TaskWorld, dt, make_status_list


def dump(session: Any) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, sorted: two dumps differ iff the data differ."""
    connection = session.connection()
    return {
        table.name: sorted(
            tuple(map(repr, row)) for row in connection.execute(select(table))
        )
        for table in Base.metadata.sorted_tables
    }


def still_usable(session: Any) -> None:
    """Unrelated work commits after a refusal."""
    name = f"after {Tag.query.count()}"
    session.add(Tag(name=name))
    session.commit()
    assert Tag.query.filter_by(name=name).one().name == name


def refused(session: Any, call: Any, error: type, match: str) -> None:
    """``call()`` raises ``error``; nothing reaches the database."""
    before = dump(session)
    with pytest.raises(error, match=match):
        call()
    session.commit()  # nothing half-done is left to write
    assert dump(session) == before
    still_usable(session)


@pytest.fixture
def saved(session: Any) -> SimpleNamespace:
    """A committed project with a repository, a parent task, two tasks, a user."""
    world = TaskWorld(session)
    repository = Repository(name="R", code="R", linux_path="/mnt/r")
    world.project.repositories = [repository]
    parent = world.task("SH010")
    a = world.task("A")
    b = world.task("B")
    user = make_user("artist")
    department = Department(name="D")
    session.add_all([world.project, user, department])
    session.commit()
    return SimpleNamespace(
        world=world,
        project=world.project,
        repository=repository,
        parent=parent,
        a=a,
        b=b,
        user=user,
        department=department,
    )


# -- case 1: a refused Task(...) does not poison the session --


def test_case1_refused_task_leaves_parent_and_session_whole(session, saved):
    children = list(saved.parent.children)
    refused(
        session,
        lambda: Task(name="x", parent=saved.parent, priority="high"),
        TypeError,
        r"Task\.priority",
    )
    assert saved.parent.children == children


@pytest.mark.parametrize(
    "bad",
    [
        {"resources": [1]},
        {"depends_on": ["x"]},
        {"schedule_timing": float("nan")},
        {"start": "2013-04-17"},
        {"name": "a\x00b"},
    ],
    ids=["resources", "depends_on", "nan", "start", "nul"],
)
def test_case1_any_refused_argument_leaves_the_parent_alone(session, saved, bad):
    kwargs = {"name": "x", "parent": saved.parent, **bad}
    refused(session, lambda: Task(**kwargs), (TypeError, ValueError), r"Task\.")
    assert saved.parent.children == []


# -- case 2: a refused list assignment keeps the old links --


def test_case2_refused_repositories_keep_the_old_links(session, saved):
    refused(
        session,
        lambda: setattr(saved.project, "repositories", [1, 2]),
        TypeError,
        r"Project\.repositories should be a list of Repository instances",
    )
    assert saved.project.repositories == [saved.repository]


# -- case 3: a refused TaskDependency leaves the task's status alone --


def test_case3_bogus_target_leaves_the_task_ready(session, saved):
    assert saved.a.status.code == "RTS"
    refused(
        session,
        lambda: TaskDependency(task=saved.a, depends_on=saved.b, dependency_target="x"),
        ValueError,
        r"TaskDependency\.dependency_target",
    )
    assert saved.a.status.code == "RTS"
    assert saved.a.depends_on == []
    assert saved.b.dependent_of == []


# -- case 5: objects created for a saved user are saved --


def test_case5_vacation_and_authentication_log_of_a_saved_user_are_saved(
    session, saved
):
    vacation = Vacation(user=saved.user, start=dt(2030, 1, 1), end=dt(2030, 1, 5))
    log = AuthenticationLog(user=saved.user, date=dt(2030, 1, 1, 9))
    session.commit()
    assert Vacation.query.filter_by(user=saved.user).all() == [vacation]
    assert AuthenticationLog.query.filter_by(user=saved.user).all() == [log]
    assert vacation in saved.user.vacations


def test_case5_unlinking_a_vacation_keeps_it_as_a_studio_wide_one(session, saved):
    vacation = Vacation(user=saved.user, start=dt(2030, 1, 1), end=dt(2030, 1, 5))
    session.commit()
    assert saved.user.vacations == [vacation]  # loaded: delete-orphan would bite
    vacation.user = None
    session.commit()
    assert Vacation.query.one().user is None
    assert Studio.vacations.fget(None) == [vacation]  # type: ignore[attr-defined]


def test_case5_deleting_the_user_still_deletes_their_vacations(session, saved):
    Vacation(user=saved.user, start=dt(2030, 1, 1), end=dt(2030, 1, 5))
    AuthenticationLog(user=saved.user, date=dt(2030, 1, 1, 9))
    session.commit()
    session.delete(saved.user)
    session.commit()
    assert Vacation.query.count() == 0
    assert AuthenticationLog.query.count() == 0


# -- case 7: validators refuse what a database would refuse --


DATABASE_REFUSES = {
    "nan": (
        lambda s: Task(name="n", parent=s.parent, bid_timing=float("nan")),
        ValueError,
        r"Task\.bid_timing should be a finite number",
    ),
    "inf": (
        lambda s: Task(name="n", parent=s.parent, schedule_timing=float("inf")),
        ValueError,
        r"Task\.schedule_timing should be a finite number",
    ),
    "nul": (
        lambda s: Task(name="a\x00", parent=s.parent),
        ValueError,
        r"Task\.name should be a str without NUL",
    ),
    "surrogate": (
        lambda s: Task(name="a\ud800", parent=s.parent),
        ValueError,
        r"Task\.name should be a str without lone surrogates",
    ),
    "too-long": (
        lambda s: Task(name="a" * 257, parent=s.parent),
        ValueError,
        r"Task\.name should be a str of at most 256 characters",
    ),
    "int-width": (
        lambda s: Shot(code="S1", project=s.project, cut_in=2**40),
        ValueError,
        r"Shot\.cut_in should be an int from",
    ),
    "inf-money": (
        lambda s: Good(name="g", msrp=float("inf")),
        ValueError,
        r"Good\.msrp should be a finite number",
    ),
    "dependency-task-none": (
        lambda s: TaskDependency(task=None, depends_on=s.b),
        TypeError,
        r"TaskDependency\.task should be a Task instance",
    ),
    "setter-nul": (
        lambda s: setattr(s.parent, "description", "x\x00"),
        ValueError,
        r"Task\.description should be a str without NUL",
    ),
}


@pytest.mark.parametrize(
    ("build", "error", "match"), DATABASE_REFUSES.values(), ids=DATABASE_REFUSES.keys()
)
def test_case7_values_a_database_refuses_are_refused_first(
    session, saved, build, error, match
):
    refused(session, lambda: build(saved), error, match)


def test_case7_unsetting_the_task_of_a_dependency_is_a_clear_error(session, saved):
    saved.a.depends_on = [saved.b]
    session.commit()
    (dependency,) = saved.a.task_depends_on
    refused(
        session,
        lambda: setattr(dependency, "task", None),
        TypeError,
        r"TaskDependency\.task should be a Task instance \(remove the dependency",
    )
    assert dependency.task is saved.a
    saved.a.depends_on = []  # the way to unlink it
    session.commit()
    assert session.scalars(select(TaskDependency)).all() == []


# -- case 8: wrong values are refused, not stored quietly --

WRONG_DATES = ["2013-04-17", 12, datetime.date(2013, 4, 17), object()]


@pytest.mark.parametrize("attr", ["start", "end", "duration"])
@pytest.mark.parametrize("wrong", WRONG_DATES, ids=["str", "int", "date", "object"])
def test_case8_wrong_typed_dates_are_type_errors(session, saved, attr, wrong):
    refused(
        session,
        lambda: Task(name="n", parent=saved.parent, **{attr: wrong}),
        TypeError,
        rf"Task\.{attr}",
    )
    refused(session, lambda: setattr(saved.a, attr, wrong), TypeError, rf"Task\.{attr}")


def test_case8_none_dates_keep_the_documented_default(session, saved):
    task = Task(name="n", parent=saved.parent, start=None, end=None, duration=None)
    assert task.end - task.start == datetime.timedelta(hours=1)


WRONG_VALUES = {
    "negative-timing": (
        lambda s: Task(name="n", parent=s.parent, schedule_timing=-1),
        ValueError,
        r"Task\.schedule_timing should be a number >= 0",
    ),
    "negative-bid": (
        lambda s: Task(name="n", parent=s.parent, bid_timing=-1),
        ValueError,
        r"Task\.bid_timing should be a number >= 0",
    ),
    "negative-gap": (
        lambda s: TaskDependency(task=s.a, depends_on=s.b, gap_timing=-2),
        ValueError,
        r"TaskDependency\.gap_timing should be a number >= 0",
    ),
    "negative-duration": (
        lambda s: setattr(s.a, "duration", datetime.timedelta(hours=-3)),
        ValueError,
        r"Task\.duration should be a timedelta that is not negative",
    ),
    "blank-code": (
        lambda s: Project(name="Q", code="   "),
        ValueError,
        r"Project\.code should be a str that is not blank",
    ),
    "blank-root": (
        lambda s: setattr(s.repository, "linux_path", "   "),
        ValueError,
        r"Repository\.linux_path",
    ),
    "relative-root": (
        lambda s: setattr(s.repository, "linux_path", "mnt/relative"),
        ValueError,
        r"Repository\.linux_path should be an absolute path",
    ),
    "dotdot-root": (
        lambda s: setattr(s.repository, "windows_path", "M:/a/../../b"),
        ValueError,
        r"Repository\.windows_path should be a root without '\.\.'",
    ),
    "reversed-range": (
        lambda s: WorkingHours(working_hours={"mon": [[600, 540]]}),
        ValueError,
        r"ranges that end after they start",
    ),
    "three-item-range": (
        lambda s: WorkingHours(working_hours={"mon": [[540, 600, 700]]}),
        ValueError,
        r"\[start, end\] pairs",
    ),
    "negative-resolution": (
        lambda s: Studio(name="S", timing_resolution=datetime.timedelta(hours=-1)),
        ValueError,
        r"Studio\.timing_resolution",
    ),
}


@pytest.mark.parametrize(
    ("build", "error", "match"), WRONG_VALUES.values(), ids=WRONG_VALUES.keys()
)
def test_case8_wrong_values_are_refused(session, saved, build, error, match):
    refused(session, lambda: build(saved), error, match)


def test_case8_a_three_item_range_is_still_a_runtime_error_too():
    with pytest.raises(RuntimeError):
        WorkingHours(working_hours={"mon": [[540, 600, 700]]})


def test_case8_negative_amounts_are_refused_and_negative_prices_allowed(session, saved):
    status_list = make_status_list("Budget", ("NEW", "PLN"), ("New", "Planning"))
    budget = Budget(name="B", project=saved.project, status_list=status_list)
    good = Good(name="g")
    session.add_all([budget, good])
    session.commit()
    refused(
        session,
        lambda: BudgetEntry(budget=budget, good=good, amount=-1),
        ValueError,
        r"BudgetEntry\.amount should be a number >= 0",
    )
    assert BudgetEntry(budget=budget, good=good, price=-5).price == -5.0


def test_a_refused_constructor_under_a_saved_user_adds_nothing(session, saved):
    refused(
        session,
        lambda: Vacation(user=saved.user, start=dt(2030, 1, 5), end="tomorrow"),
        TypeError,
        r"Vacation\.end",
    )
    assert saved.user.vacations == []


def test_refused_user_with_departments_leaves_the_department_alone(session, saved):
    refused(
        session,
        lambda: User(name="u", login="u", email="bad", departments=[saved.department]),
        ValueError,
        r"User\.email",
    )
    assert saved.department.users == []


def test_user_is_typed_before_any_link():
    with pytest.raises(TypeError):
        User(name="u", login="u", email="u@x.com", password="pw", departments=[1])
