"""Department and DepartmentUser (spec 04), including set-like membership (D2)."""

import pytest

from stalker import Department, DepartmentUser, Role, User

from ..factories import make_user


def test_name_is_required():
    with pytest.raises(TypeError, match=r"Department\.name"):
        Department(name=None)
    with pytest.raises(ValueError, match=r"Department\.name"):
        Department(name="")


def test_users_default_and_members_alias():
    department = Department(name="TDs")
    assert department.users == []
    user = make_user("depuser")
    department.members.append(user)
    assert department.users == [user]
    assert department.members == [user]
    assert user.departments == [department]


def test_double_append_from_both_sides_is_one_membership(session):
    department = Department(name="TDs")
    user = make_user("depuser")
    department.users.append(user)
    user.departments.append(department)
    department.users.append(user)
    assert user.departments == [department]
    assert department.users == [user]
    assert len(department.user_role) == 1
    session.add_all([department, user])
    session.commit()
    session.expunge_all()
    stored = Department.query.filter_by(name="TDs").one()
    assert [u.login for u in stored.users] == ["depuser"]
    assert DepartmentUser.query.filter_by(department_id=stored.id).count() == 1


def test_list_with_duplicates_is_stored_once(session):
    user = make_user("depuser")
    other = make_user("other")
    department = Department(name="Modeling", users=[user, other, user])
    assert department.users == [user, other]
    session.add(department)
    session.commit()
    assert len(department.user_role) == 2


def test_users_validation():
    # the whole list is checked before the old links go (issue 16 case 2)
    with pytest.raises(TypeError, match=r"Department\.users should be a list of User"):
        Department(name="D", users=["someone"])
    department = Department(name="D")
    with pytest.raises(TypeError, match=r"Department\.users"):
        department.users = None
    with pytest.raises(TypeError, match=r"Department\.users"):
        department.users = 5
    with pytest.raises(TypeError, match=r"DepartmentUser\.user"):
        department.users.append(Department(name="X"))


def test_removing_a_user_updates_both_sides(session):
    user = make_user("depuser")
    department = Department(name="TDs", users=[user])
    session.add(department)
    session.commit()
    department.users.remove(user)
    session.commit()
    assert department.users == []
    assert user.departments == []
    assert DepartmentUser.query.count() == 1  # only the admin's membership


def test_department_user_role(session):
    lead = Role(name="Lead")
    user = make_user("depuser")
    department = Department(name="Lighting")
    membership = DepartmentUser(department=department, user=user, role=lead)
    assert membership in department.user_role
    assert membership in user.department_role
    session.add(membership)
    session.commit()
    user_id = user.id
    session.expunge_all()
    stored = DepartmentUser.query.filter_by(user_id=user_id).one()
    assert stored.role.name == "Lead"
    assert stored.department.name == "Lighting"


def test_department_user_validation():
    assert DepartmentUser().role is None
    with pytest.raises(TypeError, match=r"DepartmentUser\.department"):
        DepartmentUser(department="TDs")
    with pytest.raises(TypeError, match=r"DepartmentUser\.user"):
        DepartmentUser(user="someone")
    with pytest.raises(TypeError, match=r"DepartmentUser\.role"):
        DepartmentUser(role="Lead")


def test_equality_repr_and_tjp_id(session):
    first = Department(name="TDs", users=[make_user("depuser")])
    assert first == Department(name="TDs")
    assert first != Department(name="Other")
    assert first != User(name="TDs", login="tds", email="t@x", password="p")
    assert hash(first) == hash(Department(name="TDs"))
    assert repr(first) == "<TDs (Department)>"
    session.add(first)
    session.flush()
    assert first.tjp_id == f"Department_{first.id}"


def test_deleting_a_department_keeps_its_users(session):
    user = make_user("depuser")
    department = Department(name="Gone", users=[user])
    session.add(department)
    session.commit()
    session.delete(department)
    session.commit()
    assert User.query.filter_by(login="depuser").one().departments == []
