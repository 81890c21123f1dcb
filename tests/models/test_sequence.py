"""Sequence (spec 08 §5)."""

from __future__ import annotations

import pytest

from stalker import Project
from stalker.models.sequence import Sequence
from stalker.models.shot import Shot
from stalker.models.task import Task
from tests.task_factories import make_project, make_status_list


@pytest.fixture
def offline_project():
    return make_project(name="Offline", code="OFF")


@pytest.fixture
def make_sequence(offline_project):
    sequence_list = make_status_list("Sequence")

    def make(**kwargs):
        kwargs.setdefault("project", offline_project)
        kwargs.setdefault("status_list", sequence_list)
        return Sequence(**kwargs)

    return make


@pytest.fixture
def make_shot(offline_project):
    shot_list = make_status_list("Shot")
    return lambda code: Shot(code=code, project=offline_project, status_list=shot_list)


def test_defaults(make_sequence, offline_project):
    seq = make_sequence(name="Sequence 1", code="SEQ1")
    assert (seq.name, seq.code) == ("Sequence 1", "SEQ1")
    assert seq.shots == []
    assert seq.project is offline_project
    assert seq.status.code == "RTS"
    assert seq.plural_class_name == "Sequences"
    assert seq in offline_project.tasks


def test_name_and_code_are_required(make_sequence):
    with pytest.raises(TypeError, match=r"Sequence\.name"):
        make_sequence(code="SEQ1")
    with pytest.raises(
        TypeError, match=r"Sequence\.code should be a str, not NoneType"
    ):
        make_sequence(name="Sequence 1")
    with pytest.raises(ValueError, match=r"Sequence\.code should be a non-empty str"):
        make_sequence(name="Sequence 1", code="")
    with pytest.raises(TypeError, match=r"Sequence\.code should be a str, not int: 7"):
        make_sequence(name="Sequence 1", code=7)


def test_shots_keyword_is_not_honoured(make_sequence, make_shot):
    shot = make_shot("SH001")
    seq = make_sequence(name="Sequence 1", code="SEQ1", shots=[shot])
    assert seq.shots == []
    assert shot.sequences == []


def test_shots_mirror_shot_sequences(make_sequence, make_shot):
    seq = make_sequence(name="Sequence 1", code="SEQ1")
    sh1, sh2 = make_shot("SH001"), make_shot("SH002")
    seq.shots.append(sh1)
    seq.shots = [sh1, sh2]
    assert sh1.sequences == [seq] and sh2.sequences == [seq]
    seq.shots.append(sh1)  # set-like
    assert seq.shots == [sh1, sh2]
    seq.shots.remove(sh1)
    assert sh1.sequences == []


def test_shots_are_type_checked(make_sequence, offline_project):
    seq = make_sequence(name="Sequence 1", code="SEQ1")
    with pytest.raises(TypeError, match=r"Sequence\.shots should be a Shot instance"):
        seq.shots.append(
            Task(
                name="T", project=offline_project, status_list=make_status_list("Task")
            )
        )
    with pytest.raises(
        TypeError, match=r"Sequence\.shots should be a list, not NoneType"
    ):
        seq.shots = None
    with pytest.raises(TypeError, match=r"Sequence\.shots should be a list, not int"):
        seq.shots = 1


def test_equality(make_sequence, offline_project):
    seq = make_sequence(name="Sequence 1", code="SEQ1")
    same = make_sequence(name="Sequence 1", code="SEQ2")
    other = make_sequence(name="Sequence 2", code="SEQ1")
    task = Task(
        name="Sequence 1", project=offline_project, status_list=make_status_list("Task")
    )
    assert seq == same
    assert seq != other
    assert seq != task and task != seq
    assert hash(seq) == hash(seq)


def test_round_trip(session):
    project = Project(name="P", code="P")
    seq = Sequence(name="Sequence 1", code="SEQ1", project=project)
    assert seq.status_list.target_entity_type == "Sequence"
    shot = Shot(code="SH001", project=project, sequences=[seq])
    session.add(project)
    session.commit()
    shot_id = shot.id
    session.expunge_all()
    loaded = Sequence.query.filter_by(code="SEQ1").one()
    assert loaded.name == "Sequence 1"
    assert [s.code for s in loaded.shots] == ["SH001"]
    assert loaded.shots[0].id == shot_id
    assert loaded.project.code == "P"


def test_deleting_a_sequence_keeps_its_shots(session):
    project = Project(name="P", code="P")
    seq = Sequence(name="Sequence 1", code="SEQ1", project=project)
    shot = Shot(code="SH001", project=project, sequences=[seq])
    session.add(project)
    session.commit()
    session.delete(seq)
    session.commit()
    assert shot.sequences == []
    assert Shot.query.filter_by(code="SH001").one() is shot
