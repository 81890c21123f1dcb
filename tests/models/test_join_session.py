"""Objects linked to saved objects join their session (issue 16 case 5, issue 24 bug 1).

One mechanism serves every relationship: the parametrised test walks every
mapped relationship; the end-to-end tests commit the issue's examples.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, select

from stalker import (
    AuthenticationLog,
    Department,
    Project,
    ProjectUser,
    Role,
    SimpleEntity,
    User,
    Vacation,
)
from stalker.db.declarative import Base
from stalker.models.department import DepartmentUser
from tests.factories import make_user
from tests.task_factories import TaskWorld, dt


def _relationships() -> list[tuple[type, str]]:
    Base.registry.configure()
    found = []
    for mapper in Base.registry.mappers:
        if mapper.class_.__module__.startswith("tests."):
            continue
        for rel in mapper.relationships:
            if (
                rel.parent is mapper
                and not rel.viewonly
                and not rel.key.startswith("_")
            ):
                found.append((mapper.class_, rel.key))
    return sorted(found, key=lambda item: (item[0].__name__, item[1]))


RELATIONSHIPS = _relationships()


def bare(cls: type) -> Any:
    """An instance whose constructor has not run (only the link is tested)."""
    return inspect(cls).class_manager.new_instance()


@pytest.mark.parametrize(
    ("cls", "key"), RELATIONSHIPS, ids=[f"{c.__name__}.{k}" for c, k in RELATIONSHIPS]
)
def test_linking_to_an_object_in_a_session_joins_it(session, cls, key):
    rel = inspect(cls).relationships[key]
    owner = bare(cls)
    target = bare(rel.mapper.class_)
    with session.no_autoflush:
        session.add(target)
        assert owner not in session
        try:
            if rel.uselist:
                getattr(owner, key).append(target)
            else:
                Base.__setattr__(owner, key, target)
        except (TypeError, ValueError, AttributeError) as error:
            # a validator that reads its (never built) neighbours
            session.expunge_all()
            pytest.skip(f"the link needs built objects: {error}")
        assert owner in session, f"{cls.__name__}.{key} left its owner out"
        for reverse in rel._reverse_property:
            held = inspect(target).dict.get(reverse.key)
            if held is not None:
                assert owner is held or any(item is owner for item in held)
        session.expunge_all()


@pytest.fixture
def saved(session):
    world = TaskWorld(session)
    user = make_user("artist")
    department = Department(name="D")
    session.add_all([world.project, user, department])
    session.commit()
    return world.project, user, department


def test_vacation_of_a_saved_user_is_saved(session, saved):
    _, user, _ = saved
    vacation = Vacation(user=user, start=dt(2030, 1, 1), end=dt(2030, 1, 5))
    assert vacation in user.vacations
    session.commit()
    assert Vacation.query.count() == 1


def test_authentication_log_of_a_saved_user_is_saved(session, saved):
    _, user, _ = saved
    log = AuthenticationLog(user=user, date=dt(2030, 1, 1, 9))
    session.commit()
    assert AuthenticationLog.query.one() is log and log in user.authentication_logs


def test_standalone_project_user_is_saved_on_both_sides(session, saved):
    project, user, _ = saved
    membership = ProjectUser(project=project, user=user, role=Role(name="Lead"))
    session.commit()
    assert session.scalars(select(ProjectUser)).one() is membership
    assert project.users == [user] and user.projects == [project]


def test_entity_created_by_a_saved_user_is_saved(session, saved):
    _, user, _ = saved
    entity = SimpleEntity(name="x", created_by=user)
    session.commit()
    assert SimpleEntity.query.filter_by(name="x").one() is entity


def test_new_user_in_a_saved_department_is_saved_once(session, saved):
    _, _, department = saved
    user = User(
        name="u1", login="u1", email="u1@x.com", password="pw", departments=[department]
    )
    assert department.users == [user]
    department.users = [user]
    session.add(user)
    session.commit()
    rows = select(DepartmentUser).where(DepartmentUser.department_id == department.id)
    assert session.scalars(rows).all() == department.user_role
    assert len(department.user_role) == 1 and user.departments == [department]


def test_setting_a_saved_user_later_joins_too(session, saved):
    _, user, _ = saved
    vacation = Vacation(start=dt(2030, 1, 1), end=dt(2030, 1, 5))
    assert vacation not in session
    vacation.user = user
    session.commit()
    assert Vacation.query.one() is vacation


def test_objects_with_only_unsaved_neighbours_stay_out(session):
    user = make_user("loner")
    Vacation(user=user, start=dt(2030, 1, 1), end=dt(2030, 1, 5))
    assert user not in session
    project = Project.query.first()
    assert project is None or user not in project.users
