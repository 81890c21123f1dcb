"""Seed tutorial 001, Part I (people) and Part II/A (the project), as written.

``Studio`` comes with the other branch, so Part I's studio lines are left
out; everything else is the tutorial's own code, in its order.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def tutorial_db(empty_database_settings):
    from stalker import db

    db.setup(empty_database_settings)
    db.init()


def test_part_2a_creating_simple_data(tutorial_db):
    # --- Part I (the user the project needs) -------------------------------
    from stalker import User

    me = User(
        name="Erkan Ozgur Yilmaz",
        login="eoyilmaz",
        email="some_email_address@gmail.com",
        password="secret",
        description="This is me",
    )

    from stalker import Department

    tds_department = Department(name="TDs", description="This is the TDs department")
    tds_department.users.append(me)
    me.departments.append(tds_department)

    from stalker.db.session import DBSession

    DBSession.add(me)
    DBSession.add(tds_department)
    DBSession.commit()

    # --- Part II/A ------------------------------------------------------------
    # we will reuse the Statuses created by default (in db.init())
    from stalker import Status

    status_new = Status.query.filter_by(code="NEW").first()
    status_wip = Status.query.filter_by(code="WIP").first()
    status_cmpl = Status.query.filter_by(code="CMPL").first()

    # a status list which is suitable for Project instances
    from stalker import Project, StatusList

    project_statuses = StatusList(
        name="Project Status List",
        statuses=[status_new, status_wip, status_cmpl],
        target_entity_type="Project",  # you can also use Project which is the
        # class itself
    )

    from stalker import Repository

    # and the repository itself
    commercial_repo = Repository(name="Commercial Repository", code="CR")

    new_project = Project(
        name="Fancy Commercial",
        code="FC",
        status_list=project_statuses,
        repositories=[commercial_repo],
    )

    import datetime

    import tzlocal

    from stalker import ImageFormat

    new_project.description = """The commercial is about this fancy product. The
client want us to have a shiny look with their
product bla bla bla..."""

    new_project.image_format = ImageFormat(name="HD 1080", width=1920, height=1080)

    new_project.fps = 25
    local_tz = tzlocal.get_localzone()
    new_project.end = datetime.datetime(2014, 5, 15, tzinfo=local_tz)
    new_project.users.append(me)

    DBSession.add(new_project)
    DBSession.commit()

    # --- what the tutorial says happened ---------------------------------------
    DBSession.expire_all()
    project = Project.query.filter_by(code="FC").one()
    assert project.status_list.name == "Project Status List"
    assert project.status.code == "NEW"
    assert project.repository.name == "Commercial Repository"
    assert project.image_format.device_aspect == pytest.approx(1920 / 1080)
    assert project.fps == 25.0
    # The seed's 2014 end lies before the default start (today), so
    # DateRangeMixin (07 §1) moves it to start + duration.
    assert project.end == project.start + project.duration
    assert project.users == [me]
    assert me.projects == [project]
    assert me.departments == [tds_department]
    assert project.description.startswith("The commercial is about")
    assert repr(project.users[0]) == "<Erkan Ozgur Yilmaz ('eoyilmaz') (User)>"
    assert f"REPO{commercial_repo.id}" in os.environ


def test_part_6_repository_paths(tutorial_db, monkeypatch):
    """Part VI's repository lines on the project built in Part II/A."""
    import platform

    from stalker import Repository, Structure
    from stalker.db.session import DBSession

    commercial_repo = Repository(name="Commercial Repository", code="CR")
    DBSession.add(commercial_repo)
    DBSession.commit()

    commercial_repo.linux_path = "/mnt/M/commercials"
    commercial_repo.macos_path = "/Volumes/M/commercials"
    commercial_repo.windows_path = "M:/commercials"  # you can use reverse
    # slashes (\\) if you want

    expected = {
        "Windows": "M:/commercials/",
        "Linux": "/mnt/M/commercials/",
        "Darwin": "/Volumes/M/commercials/",
    }
    for system, path in expected.items():
        monkeypatch.setattr(platform, "system", lambda system=system: system)
        assert commercial_repo.path == path

    monkeypatch.setattr(platform, "system", lambda: "Linux")
    commercial_repo.linux_path = "/mnt/M/commercials"
    assert os.environ["REPOCR"] == "/mnt/M/commercials/"
    assert os.environ[f"REPO{commercial_repo.id}"] == "/mnt/M/commercials/"
    assert os.path.expandvars(f"$REPO{commercial_repo.id}/FC/SH001/comp") == (
        "/mnt/M/commercials//FC/SH001/comp"
    )
    assert commercial_repo.to_native_path(
        f"$REPO{commercial_repo.id}/FC/SH001/comp"
    ) == ("/mnt/M/commercials/FC/SH001/comp")

    commercial_project_structure = Structure(name="Commercial Projects Structure")
    DBSession.add(commercial_project_structure)
    DBSession.commit()
    assert Structure.query.one().name == "Commercial Projects Structure"
