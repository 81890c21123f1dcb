"""Seed tutorial 001, end of Part II/A, Parts II/B, III and IV, as written.

The people and project of Part I / II/A are rebuilt first (their own test
lives in test_seed_part2a.py); the rest is the tutorial's code in order, with
only the document's ``DBsession`` typo spelled ``DBSession``.
"""

from __future__ import annotations

import datetime

import pytest

# Imported before db.setup() creates the tables (``stalker`` itself will
# import these once it re-exports Asset, Shot, Sequence and Scene).
import stalker.models.asset
import stalker.models.shot  # noqa: F401


@pytest.fixture
def tutorial_db(empty_database_settings):
    from stalker import db

    db.setup(empty_database_settings)
    db.init()


def _part_1_and_2a():
    """The user and the project the later parts build on (Parts I and II/A)."""
    import tzlocal

    from stalker import (
        Department,
        ImageFormat,
        Project,
        Repository,
        Status,
        StatusList,
        User,
    )
    from stalker.db.session import DBSession

    me = User(
        name="Erkan Ozgur Yilmaz",
        login="eoyilmaz",
        email="some_email_address@gmail.com",
        password="secret",
        description="This is me",
    )
    tds_department = Department(name="TDs", description="This is the TDs department")
    tds_department.users.append(me)
    me.departments.append(tds_department)
    DBSession.add(me)
    DBSession.add(tds_department)
    DBSession.commit()

    status_new = Status.query.filter_by(code="NEW").first()
    status_wip = Status.query.filter_by(code="WIP").first()
    status_cmpl = Status.query.filter_by(code="CMPL").first()
    project_statuses = StatusList(
        name="Project Status List",
        statuses=[status_new, status_wip, status_cmpl],
        target_entity_type="Project",
    )
    commercial_repo = Repository(name="Commercial Repository", code="CR")
    new_project = Project(
        name="Fancy Commercial",
        code="FC",
        status_list=project_statuses,
        repositories=[commercial_repo],
    )
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
    return me, new_project


def _end_of_part_2a(new_project):
    """The sequence and shots that close Part II/A."""
    from stalker.db.session import DBSession

    # --- end of Part II/A: a sequence and its shots ---------------------------
    # the tutorial writes ``from stalker import ...`` for Sequence and Shot;
    # until stalker re-exports them they come from their modules
    from stalker.models.sequence import Sequence

    seq1 = Sequence(
        name="Sequence 1",
        code="SEQ1",
        project=new_project,
    )

    from stalker.models.shot import Shot

    sh001 = Shot(name="SH001", code="SH001", project=new_project, sequences=[seq1])
    sh002 = Shot(code="SH002", project=new_project, sequences=[seq1])
    sh003 = Shot(code="SH003", project=new_project, sequences=[seq1])

    DBSession.add_all([sh001, sh002, sh003])
    DBSession.commit()

    assert seq1.shots == [sh001, sh002, sh003]
    assert sh002.name.startswith("Shot_")
    assert [s.code for s in new_project.shots] == ["SH001", "SH002", "SH003"]
    assert new_project.sequences == [seq1]
    assert sh001.fps == 25.0 and sh001.image_format.name == "HD 1080"

    return seq1, sh001, sh002, sh003


def test_part_2b_querying_updating_and_deleting(tutorial_db):
    from stalker.db.session import DBSession
    from stalker.models.shot import Shot

    _me, new_project = _part_1_and_2a()
    seq1, sh001, sh002, sh003 = _end_of_part_2a(new_project)

    # --- Part II/B: querying, updating and deleting -------------------------
    sh004 = Shot(code="SH004", project=new_project, sequences=[seq1])
    DBSession.add(sh004)
    DBSession.commit()

    sh004.code = "SH005"
    DBSession.commit()

    # first find the data
    wrong_shot = Shot.query.filter_by(code="SH005").first()
    assert wrong_shot is sh004

    # now update it
    wrong_shot.code = "SH004"

    # commit the changes to the database
    DBSession.commit()
    assert Shot.query.filter_by(code="SH004").first() is sh004

    DBSession.delete(wrong_shot)
    DBSession.commit()

    wrong_shot = Shot.query.filter_by(code="SH005").first()
    print(wrong_shot)
    # should print None
    assert wrong_shot is None
    assert Shot.query.filter_by(code="SH004").first() is None
    assert seq1.shots == [sh001, sh002, sh003]


def _part_3_tasks(sh001):
    """Part III's five tasks of SH001 and their dependencies (later parts)."""
    from stalker import Task

    previs = Task(name="Previs", parent=sh001)
    matchmove = Task(name="Matchmove", parent=sh001)
    anim = Task(name="Animation", parent=sh001)
    lighting = Task(name="Lighting", parent=sh001)
    comp = Task(name="comp", parent=sh001)
    comp.depends_on = [lighting]
    lighting.depends_on = [anim]
    anim.depends_on = [previs, matchmove]
    return previs, matchmove, anim, lighting, comp


def test_parts_3_and_4_pipeline_and_resources(tutorial_db):
    from stalker.db.session import DBSession
    from stalker.models.shot import Shot

    me, new_project = _part_1_and_2a()
    seq1, sh001, sh002, sh003 = _end_of_part_2a(new_project)

    # --- Part III: pipeline ---------------------------------------------------
    from stalker import Task

    previs = Task(name="Previs", parent=sh001)

    matchmove = Task(name="Matchmove", parent=sh001)

    anim = Task(name="Animation", parent=sh001)

    lighting = Task(name="Lighting", parent=sh001)

    comp = Task(name="comp", parent=sh001)

    comp.depends_on = [lighting]
    lighting.depends_on = [anim]
    anim.depends_on = [previs, matchmove]

    assert previs.status.code == "RTS"
    assert matchmove.status.code == "RTS"
    assert anim.status.code == "WFD"
    assert lighting.status.code == "WFD"
    assert comp.status.code == "WFD"
    assert sh001.status.code == "RTS"
    assert sh001.children == [previs, matchmove, anim, lighting, comp]
    assert all(task.project is new_project for task in sh001.children)

    # --- Part IV: task and resource management --------------------------------
    previs.resources = [me]
    previs.schedule_timing = 10
    previs.schedule_unit = "d"

    matchmove.resources = [me]
    matchmove.schedule_timing = 2
    matchmove.schedule_unit = "d"

    anim.resources = [me]
    anim.schedule_timing = 5
    anim.schedule_unit = "d"

    lighting.resources = [me]
    lighting.schedule_timing = 3
    lighting.schedule_unit = "d"

    comp.resources = [me]
    comp.schedule_timing = 6
    comp.schedule_unit = "h"

    DBSession.commit()

    # --- what the tutorial says happened ---------------------------------------
    DBSession.expire_all()
    sh001 = Shot.query.filter_by(code="SH001").one()
    timings = {
        t.name: (t.schedule_timing, t.schedule_unit, t.resources)
        for t in sh001.children
    }
    assert timings == {
        "Previs": (10, "d", [me]),
        "Matchmove": (2, "d", [me]),
        "Animation": (5, "d", [me]),
        "Lighting": (3, "d", [me]),
        "comp": (6, "h", [me]),
    }
    anim = Task.query.filter_by(name="Animation").one()
    assert sorted(t.name for t in anim.depends_on) == ["Matchmove", "Previs"]
    assert [t.name for t in Task.query.filter_by(name="comp").one().depends_on] == [
        "Lighting"
    ]
    assert sh001.schedule_seconds == (10 + 2 + 5 + 3) * 9 * 3600 + 6 * 3600
    assert sorted(t.name for t in me.tasks) == [
        "Animation",
        "Lighting",
        "Matchmove",
        "Previs",
        "comp",
    ]
    assert new_project.root_tasks == [seq1, sh001, sh002, sh003]
