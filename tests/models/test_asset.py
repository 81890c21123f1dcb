"""Asset (spec 08 §3)."""

from __future__ import annotations

import pytest

from stalker import Project, Type
from stalker.models.asset import Asset
from stalker.models.shot import Shot
from stalker.models.task import Task
from tests.task_factories import make_project, make_status_list


@pytest.fixture
def offline_project():
    return make_project(name="Offline", code="OFF")


@pytest.fixture
def char_type():
    return Type(name="Character", code="CHAR", target_entity_type="Asset")


@pytest.fixture
def make_asset(offline_project, char_type):
    asset_list = make_status_list("Asset")

    def make(*args, **kwargs):
        kwargs.setdefault("project", offline_project)
        kwargs.setdefault("status_list", asset_list)
        kwargs.setdefault("type", char_type)
        return Asset(*args, **kwargs)

    return make


def test_defaults(make_asset, offline_project, char_type):
    asset = make_asset("CHAR1", name="Character 1")
    assert (asset.code, asset.name, asset.type) == ("CHAR1", "Character 1", char_type)
    assert asset.project is offline_project
    assert asset.status.code == "RTS"
    assert asset.tasks == [] and asset.children == []
    assert asset.plural_class_name == "Assets"
    assert asset in offline_project.tasks


def test_code_is_required(make_asset):
    with pytest.raises(TypeError, match=r"Asset\.code should be a str, not NoneType"):
        make_asset(name="Character 1")
    with pytest.raises(TypeError, match=r"Asset\.code should be a str, not NoneType"):
        make_asset(None, name="Character 1")
    with pytest.raises(ValueError, match=r"Asset\.code should be a non-empty str"):
        make_asset("", name="Character 1")
    with pytest.raises(TypeError, match=r"Asset\.code should be a str, not int: 3"):
        make_asset(3, name="Character 1")


def test_code_is_not_unique(make_asset):
    first = make_asset("CHAR", name="Character 1")
    second = make_asset("CHAR", name="Character 2")
    assert first.code == second.code == "CHAR"


def test_name_is_required(make_asset):
    with pytest.raises(TypeError, match=r"Asset\.name"):
        make_asset("CHAR1")


def test_type_is_required(make_asset):
    with pytest.raises(TypeError, match=r"Asset\.type"):
        make_asset("CHAR1", name="Character 1", type=None)
    with pytest.raises(TypeError, match=r"Asset\.type"):
        make_asset("CHAR1", name="Character 1", type="Character")


def test_child_tasks(make_asset, offline_project):
    asset = make_asset("CHAR1", name="Character 1")
    task_list = make_status_list("Task")
    model = Task(name="Model", parent=asset, status_list=task_list)
    rig = Task(name="Rig", parent=asset, status_list=task_list)
    assert asset.tasks == [model, rig]
    assert model.project is offline_project
    assert asset.is_container and model.is_leaf


def test_equality(make_asset, offline_project, char_type):
    asset = make_asset("CHAR1", name="Character 1")
    same = make_asset("OTHER", name="Character 1")
    prop_type = Type(name="Prop", code="PROP", target_entity_type="Asset")
    other_type = make_asset("CHAR1", name="Character 1", type=prop_type)
    other_name = make_asset("CHAR1", name="Character 2")
    task = Task(
        name="Character 1",
        project=offline_project,
        status_list=make_status_list("Task"),
    )
    assert asset == same
    assert asset != other_type
    assert asset != other_name
    assert asset != task
    assert hash(asset) == hash(asset)


def test_a_new_type_is_saved_with_the_asset(session):
    project = Project(name="P", code="P")
    char_type = Type(name="Character", code="CHAR", target_entity_type="Asset")
    Asset("CHAR1", name="Character 1", type=char_type, project=project)
    session.add(project)
    session.commit()
    session.expunge_all()
    assert Asset.query.one().type.name == "Character"


def test_asset_is_a_task_in_the_database(session):
    project = Project(name="P", code="P")
    char_type = Type(name="Character", code="CHAR", target_entity_type="Asset")
    asset = Asset("CHAR1", name="Character 1", type=char_type, project=project)
    assert asset.status_list.target_entity_type == "Asset"
    model = Task(name="Model", parent=asset)
    session.add(project)
    session.commit()
    model_id = model.id
    session.expunge_all()
    loaded = Asset.query.filter_by(code="CHAR1").one()
    assert loaded.type.name == "Character"
    assert [t.name for t in loaded.tasks] == ["Model"]
    assert loaded.tasks[0].id == model_id
    assert Task.query.filter_by(name="Character 1").one() is loaded
    assert loaded.entity_type == "Asset"
    assert not isinstance(loaded, Shot)


def test_deleting_an_asset_deletes_its_tasks(session):
    project = Project(name="P", code="P")
    char_type = Type(name="Character", code="CHAR", target_entity_type="Asset")
    asset = Asset("CHAR1", name="Character 1", type=char_type, project=project)
    Task(name="Model", parent=asset)
    session.add(project)
    session.commit()
    session.delete(asset)
    session.commit()
    assert Asset.query.count() == 0
    assert Task.query.filter_by(name="Model").count() == 0
