"""Compatibility bugs of issue 24 (bug 1 lives in test_join_session.py).

Each test failed on the main of 2026-12-02 (ece75a9).
"""

from __future__ import annotations

import datetime

import pytest

import stalker
from stalker import (
    AuthenticationLog,
    Client,
    Department,
    Project,
    Task,
    TimeLog,
    User,
    Vacation,
)
from stalker.db import delete_with_work_records
from stalker.db.declarative import Base
from stalker.exceptions import DeleteRefusedError
from stalker.models.mixins.secondary import create_secondary_table

MONDAY = datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.timezone.utc)


def _user(login: str = "ann") -> User:
    return User(
        name=login.title(), login=login, email=f"{login}@example.com", password="pw"
    )


# -- bug 2: replacing two or more dependencies ----------------------------------------


@pytest.mark.parametrize("replacement", ["one", "none", "alias"])
def test_replacing_the_dependencies_of_a_task_that_has_two(session, replacement):
    project = Project(name="P", code="P")
    first, second, other = (Task(name=n, project=project) for n in ("d1", "d2", "x"))
    task = Task(name="a", project=project, depends_on=[first, second])
    session.add(project)
    session.commit()
    assert task.status.code == "WFD"
    if replacement == "one":
        task.depends_on = [other]
    elif replacement == "none":
        task.depends_on = []
    else:
        task.depends = [other]
    session.commit()
    session.expire_all()
    expected = [] if replacement == "none" else [other]
    assert task.depends_on == expected
    assert task.status.code == ("RTS" if replacement == "none" else "WFD")
    assert first.dependent_of == [] and second.dependent_of == []


# -- bug 3: deleting a user who has time logs ----------------------------------------


def test_deleting_a_user_with_time_logs_is_refused_by_name_then_done_on_purpose(
    session,
):
    artist = _user()
    project = Project(name="P", code="P")
    task = Task(name="Anim", project=project, resources=[artist], schedule_timing=10)
    session.add_all([artist, project])
    session.commit()
    TimeLog(
        task=task,
        resource=artist,
        start=MONDAY,
        end=MONDAY + datetime.timedelta(hours=1),
    )
    session.add(
        Vacation(user=artist, start=MONDAY, end=MONDAY + datetime.timedelta(days=2))
    )
    session.add(AuthenticationLog(user=artist, action="login", date=MONDAY))
    session.commit()
    artist_id = artist.id

    session.delete(artist)
    with pytest.raises(DeleteRefusedError, match=r"User 'Ann' .* 1 time log"):
        session.commit()
    session.rollback()
    assert session.get(User, artist_id) is not None

    delete_with_work_records(artist)  # the objects it cascades to are loaded here
    session.commit()
    assert session.get(User, artist_id) is None
    assert TimeLog.query.count() == 0
    assert Vacation.query.filter(Vacation.user_id == artist_id).count() == 0
    assert AuthenticationLog.query.count() == 0
    assert Task.query.filter_by(name="Anim").count() == 1


# -- bug 4: Client(projects=[...]) ---------------------------------------------------


def test_client_takes_its_projects_and_links_both_sides(session):
    project = Project(name="P", code="P")
    client = Client(name="C", projects=[project])
    assert client.projects == [project] and project.clients == [client]
    session.add(client)
    session.commit()
    session.expire_all()
    assert project.clients == [client]


@pytest.mark.parametrize("projects", [5, "P", [1, 2.3]])
def test_client_refuses_what_is_not_a_list_of_projects(session, projects):
    project = Project(name="P", code="P")
    with pytest.raises(TypeError, match=r"Client\.projects"):
        Client(
            name="C",
            projects=[project, *projects] if isinstance(projects, list) else projects,
        )
    assert project.clients == []


# -- bug 5: re-assigning a membership list -------------------------------------------


def test_reassigning_a_membership_list_leaves_no_none_behind(session):
    artist = _user()
    department = Department(name="D")
    department.users.append(artist)
    department.users = [artist]
    assert artist.departments == [department]
    department.users = []
    assert artist.departments == []
    department.users = [artist]
    session.add(department)
    session.commit()
    session.expire_all()
    assert department.users == [artist] and artist.departments == [department]


def test_a_refused_membership_assignment_keeps_the_members(session):
    artist = _user()
    department = Department(name="D", users=[artist])
    with pytest.raises(TypeError, match=r"Department.users .* not int: 3"):
        department.users = [artist, 3]
    assert department.users == [artist] and artist.departments == [department]


# -- bug 6: User.tasks and User.watching --------------------------------------------


@pytest.mark.parametrize("attr", ["tasks", "watching"])
def test_user_task_lists_type_check(session, attr):
    artist = _user()
    with pytest.raises(TypeError, match=f"User.{attr} should be a Task"):
        getattr(artist, attr).append(1)
    with pytest.raises(TypeError, match=f"User.{attr} should be a Task"):
        setattr(artist, attr, ["x"])
    assert getattr(artist, attr) == []


# -- bug 7: stalker_version read at creation -----------------------------------------


def test_stalker_version_is_read_when_the_entity_is_created(session, monkeypatch):
    monkeypatch.setattr(stalker, "__version__", "9.9.9")
    assert Department(name="D").stalker_version == "9.9.9"


# -- bug 8: create_secondary_table arguments -----------------------------------------


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ((1, "B", "As", "Bs"), TypeError),
        (("A", None, "As", "Bs"), TypeError),
        (("A", "B", b"As", "Bs"), TypeError),
        (("A", "B", "As", "Bs", 5), TypeError),
        (("", "B", "As", "Bs"), ValueError),
        (("A", "  ", "As", "Bs"), ValueError),
        (("A", "B", "", "Bs"), ValueError),
        (("A", "B", "As", ""), ValueError),
    ],
)
def test_create_secondary_table_checks_its_arguments(arguments, error):
    with pytest.raises(error, match="create_secondary_table"):
        create_secondary_table(*arguments)


def test_an_empty_secondary_table_name_falls_back_to_the_default():
    table = create_secondary_table("Compat", "Widget", "Users", "Tasks", "")
    try:
        assert table.name == "Compat_Widgets"
    finally:  # the table exists only for this test
        Base.metadata.remove(table)
