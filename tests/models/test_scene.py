"""Scene (spec 08 §6)."""

from __future__ import annotations

import pytest

from stalker import Link, Project, Status, StatusList
from stalker.models.scene import Scene
from stalker.models.shot import Shot
from tests.task_factories import TASK_STATUS_CODES, make_project


@pytest.fixture
def offline_project():
    return make_project(name="Offline", code="OFF")


@pytest.fixture
def make_shot(offline_project):
    shot_list = StatusList(
        name="Shot list",
        target_entity_type="Shot",
        statuses=[Status(name=code, code=code) for code in TASK_STATUS_CODES],
    )
    return lambda code: Shot(code=code, project=offline_project, status_list=shot_list)


def test_defaults(offline_project):
    scene = Scene(name="Kitchen", code="KIT", project=offline_project)
    assert (scene.name, scene.code) == ("Kitchen", "KIT")
    assert scene.shots == []
    assert scene.project is offline_project
    assert offline_project.scenes == [scene]
    assert scene.plural_class_name == "Scenes"


def test_required_attributes(offline_project):
    with pytest.raises(TypeError, match=r"Scene\.name"):
        Scene(code="KIT", project=offline_project)
    with pytest.raises(TypeError, match=r"Scene\.code should be a str, not NoneType"):
        Scene(name="Kitchen", project=offline_project)
    with pytest.raises(ValueError, match=r"Scene\.code should be a non-empty str"):
        Scene(name="Kitchen", code="", project=offline_project)
    with pytest.raises(TypeError, match=r"Scene\.project should be a Project"):
        Scene(name="Kitchen", code="KIT")
    with pytest.raises(TypeError, match=r"Scene\.project should be a Project.*str"):
        Scene(name="Kitchen", code="KIT", project="FC")


def test_shots(offline_project, make_shot):
    sh1, sh2 = make_shot("SH001"), make_shot("SH002")
    scene = Scene(name="Kitchen", code="KIT", project=offline_project, shots=[sh1])
    assert sh1.scenes == [scene]
    scene.shots.append(sh2)
    scene.shots.append(sh2)  # set-like
    assert scene.shots == [sh1, sh2]
    assert sh2.scenes == [scene]


def test_shots_are_type_checked(offline_project):
    with pytest.raises(TypeError, match=r"Scene\.shots should be a Shot instance"):
        Scene(name="K", code="K", project=offline_project, shots=[Link()])
    scene = Scene(name="Kitchen", code="KIT", project=offline_project)
    with pytest.raises(TypeError, match=r"Scene\.shots should be a list, not NoneType"):
        scene.shots = None
    with pytest.raises(TypeError, match=r"Scene\.shots should be a list, not Link"):
        scene.shots = Link()


def test_equality(offline_project):
    scene = Scene(name="Kitchen", code="KIT", project=offline_project)
    assert scene == Scene(name="Kitchen", code="OTHER", project=offline_project)
    assert scene != Scene(name="Garden", code="KIT", project=offline_project)
    assert scene != Link(name="Kitchen")
    assert hash(scene) == hash(scene)


def test_round_trip_and_project_cascade(session):
    project = Project(name="P", code="P")
    scene = Scene(name="Kitchen", code="KIT", project=project)
    shot = Shot(code="SH001", project=project, scenes=[scene])
    session.add(project)
    session.commit()
    shot_id = shot.id
    session.expunge_all()
    loaded = Scene.query.filter_by(code="KIT").one()
    assert [s.code for s in loaded.shots] == ["SH001"]
    assert loaded.shots[0].id == shot_id
    assert loaded.project.scenes == [loaded]
    session.delete(loaded.project)
    session.commit()
    assert Scene.query.count() == 0
    assert Shot.query.count() == 0
