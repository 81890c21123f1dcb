"""Project's task-based computed properties (spec 06 §9.4)."""

from __future__ import annotations

import datetime

import pytest

from stalker import Project, Status, StatusList, Type
from stalker.models.asset import Asset
from stalker.models.sequence import Sequence
from stalker.models.shot import Shot
from stalker.models.task import Task, TimeLog

from ..factories import make_user
from ..support.statements import recorded_statements

TASK_CODES = ("WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL")
UTC = datetime.timezone.utc


@pytest.fixture
def project(session):
    project = Project(name="Fancy Commercial", code="FC")
    session.add(project)
    session.commit()
    return project


@pytest.fixture
def char_type():
    return Type(name="Character", code="CHAR", target_entity_type="Asset")


def build_mixed_tree(project, char_type):
    """Roots: a Task, an Asset, a Sequence and a Shot; children of several kinds."""
    assets = Task(name="Assets", project=project)
    hero = Asset("HERO", name="Hero", type=char_type, parent=assets)
    Task(name="Model", parent=hero)
    prop = Asset("PROP", name="Prop", type=char_type, project=project)
    seq = Sequence(name="Seq 1", code="SEQ1", project=project)
    in_seq = Shot(code="SH001", parent=seq)
    loose = Shot(code="SH002", project=project)
    return {
        "roots": [assets, prop, seq, loose],
        "assets": [hero, prop],
        "sequences": [seq],
        "shots": [in_seq, loose],
    }


def test_new_project_has_nothing(project):
    assert project.root_tasks == []
    assert project.assets == []
    assert project.sequences == []
    assert project.shots == []
    assert project.total_logged_seconds == 0
    assert project.schedule_seconds == 0
    assert project.percent_complete == 0


def test_queries_list_the_project_tasks_by_id(session, project, char_type):
    tree = build_mixed_tree(project, char_type)
    other = Project(name="Other", code="OT")
    Shot(code="SH001", project=other)
    Task(name="Elsewhere", project=other)
    session.add(other)
    session.commit()
    session.expire_all()
    assert project.root_tasks == tree["roots"]
    assert project.assets == tree["assets"]
    assert project.sequences == tree["sequences"]
    assert project.shots == tree["shots"]
    assert [t.name for t in other.root_tasks] == [
        t.name for t in sorted(other.tasks, key=lambda t: t.id)
    ]
    ids = [task.id for task in project.root_tasks]
    assert ids == sorted(ids)


def test_root_tasks_do_not_autoflush(session, project):
    first = Task(name="First", project=project)
    session.commit()
    pending = Task(name="Pending", project=project)
    assert project.root_tasks == [first]
    assert pending in session.new
    session.commit()
    assert project.root_tasks == [first, pending]


def test_walking_root_tasks_takes_a_bounded_number_of_queries(session, project):
    for r in range(3):
        root = Task(name=f"R{r}", project=project)
        for c in range(3):
            child = Task(name=f"R{r}C{c}", parent=root)
            for g in range(3):
                Task(name=f"R{r}C{c}G{g}", parent=child)
    session.commit()
    session.expire_all()
    with recorded_statements(session.connection()) as statements:
        names = []
        stack = list(reversed(project.root_tasks))
        while stack:
            task = stack.pop()
            names.append(task.name)
            stack.extend(reversed(task.children))
    assert len(names) == 39
    assert names[:3] == ["R0", "R0C0", "R0C0G0"]
    # roots + one selectin query per level (+1 empty last level), not one per task
    assert len(statements) <= 6


def test_without_a_session_the_tasks_are_filtered_in_memory(char_type):
    project = Project(
        name="Offline",
        code="OFF",
        status_list=StatusList(
            name="P",
            target_entity_type="Project",
            statuses=[Status(name="N", code="N")],
        ),
    )
    lists = {
        target: StatusList(
            name=target,
            target_entity_type=target,
            statuses=[Status(name=c, code=c) for c in TASK_CODES],
        )
        for target in ("Task", "Asset", "Shot", "Sequence")
    }
    root = Task(name="Root", project=project, status_list=lists["Task"])
    asset = Asset(
        "A", name="A", type=char_type, parent=root, status_list=lists["Asset"]
    )
    seq = Sequence(name="S", code="S", project=project, status_list=lists["Sequence"])
    shot = Shot(code="SH1", parent=seq, status_list=lists["Shot"])
    assert project.root_tasks == [root, seq]
    assert project.assets == [asset]
    assert project.sequences == [seq]
    assert project.shots == [shot]
    root.schedule_timing = 2
    root.schedule_unit = "h"
    assert project.schedule_seconds == root.schedule_seconds + seq.schedule_seconds


def test_schedule_seconds_sum_the_root_tasks(session, project):
    a = Task(name="A", project=project, schedule_timing=10, schedule_unit="h")
    b = Task(name="B", project=project)
    Task(name="B1", parent=b, schedule_timing=2, schedule_unit="d")
    Task(name="B2", parent=b, schedule_timing=1, schedule_unit="w")
    session.commit()
    expected = a.schedule_seconds + b.schedule_seconds
    assert project.schedule_seconds == expected
    assert project.schedule_seconds == 10 * 3600 + 2 * 9 * 3600 + 45 * 3600


def test_logged_seconds_and_percent_complete(session, project):
    user = make_user("artist")
    parent = Task(name="Parent", project=project)
    leaf = Task(
        name="Leaf",
        parent=parent,
        resources=[user],
        schedule_timing=40,
        schedule_unit="h",
    )
    Task(name="Other", project=project, schedule_timing=4, schedule_unit="h")
    session.add(user)
    session.commit()
    start = datetime.datetime(2024, 1, 8, 10, tzinfo=UTC)
    TimeLog(
        task=leaf, resource=user, start=start, end=start + datetime.timedelta(hours=1)
    )
    session.commit()
    assert project.total_logged_seconds == 3600
    assert project.schedule_seconds == 44 * 3600
    assert project.percent_complete == pytest.approx(1 / 44 * 100)
    session.expire_all()
    assert project.percent_complete == pytest.approx(2.2727, abs=1e-4)


def test_percent_complete_is_zero_without_schedule(project):
    assert project.percent_complete == 0
    assert isinstance(project.total_logged_seconds, int)
