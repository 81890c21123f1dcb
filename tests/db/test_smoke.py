"""The fixtures give each test the initialised database on both backends."""

from stalker import Department, Status, User


def test_default_data_is_visible(session):
    assert [d.name for d in Department.query.all()] == ["admins"]
    assert Status.query.filter_by(code="WIP").first().name == "Work In Progress"


def test_changes_are_rolled_back_between_tests(session):
    user = User(name="Temp", login="temp", email="t@x.com", password="pw")
    session.add(user)
    session.commit()
    assert User.query.filter_by(login="temp").count() == 1


def test_previous_test_left_nothing(session):
    assert User.query.filter_by(login="temp").count() == 0
