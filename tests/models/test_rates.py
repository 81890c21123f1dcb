"""User.rate (spec 04) and the per-project ProjectUser.rate (spec 06 §10)."""

from __future__ import annotations

import pytest

from stalker import Project, ProjectUser, User
from tests.factories import make_user
from tests.task_factories import make_project


@pytest.mark.parametrize(
    ("given", "stored"), [(None, 0.0), (0, 0.0), (102, 102.0), (12.5, 12.5)]
)
def test_user_rate_is_a_float(given, stored):
    user = make_user(rate=given)
    assert user.rate == stored and type(user.rate) is float
    user.rate = 7
    assert user.rate == 7.0 and type(user.rate) is float


def test_user_rate_default():
    assert make_user().rate == 0.0


@pytest.mark.parametrize("wrong", ["100", [1], True])
def test_user_rate_must_be_a_number(wrong):
    message = rf"User\.rate should be an int or float, not {type(wrong).__name__}"
    with pytest.raises(TypeError, match=message):
        make_user(rate=wrong)
    user = make_user(rate=3)
    with pytest.raises(TypeError, match=message):
        user.rate = wrong
    assert user.rate == 3.0


def test_user_rate_may_not_be_negative():
    with pytest.raises(ValueError, match=r"User\.rate should be a number >= 0"):
        make_user(rate=-0.5)


def test_project_user_copies_the_rate_on_every_user_assignment():
    cheap, dear = make_user("cheap", rate=10), make_user("dear", rate=200)
    project = make_project()
    link = ProjectUser(project=project, user=cheap)
    assert link.rate == 10.0
    link.rate = 12
    link.user = dear
    assert link.rate == 200.0
    dear.rate = 250  # the user's general rate no longer reaches the link
    assert link.rate == 200.0


@pytest.mark.parametrize("side", ["project.users", "user.projects"])
def test_membership_from_either_side_copies_the_rate(side):
    user = make_user(rate=102.0)
    project = make_project()
    if side == "project.users":
        project.users.append(user)
    else:
        user.projects.append(project)
    assert [link.rate for link in project.user_role] == [102.0]


def test_project_user_rate_validation():
    link = ProjectUser(project=make_project(), user=make_user(rate=5))
    with pytest.raises(TypeError, match=r"ProjectUser\.rate should be an int or float"):
        link.rate = "5"
    with pytest.raises(ValueError, match=r"ProjectUser\.rate should be a number >= 0"):
        link.rate = -1
    assert link.rate == 5.0
    link.rate = None
    assert link.rate == 0.0


def test_rates_round_trip(session):
    user = make_user("artist", rate=300)
    project = Project(name="Feature", code="FT", users=[user])
    other = Project(name="Commercial", code="CM")
    ProjectUser(project=other, user=user).rate = 450.5
    session.add_all([project, other])
    session.commit()
    session.expunge_all()
    loaded = User.query.filter_by(login="artist").one()
    assert loaded.rate == 300.0
    rates = {link.project.code: link.rate for link in loaded.project_role}
    assert rates == {"FT": 300.0, "CM": 450.5}
    loaded.rate = 320
    session.commit()
    session.expire_all()
    assert User.query.filter_by(login="artist").one().rate == 320.0
    rates = {link.project.code: link.rate for link in ProjectUser.query.all()}
    assert rates == {"FT": 300.0, "CM": 450.5}
