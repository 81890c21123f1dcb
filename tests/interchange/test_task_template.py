"""Task templates: stored, checked, applied to shots and assets (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from stalker import Asset, Task, Type
from stalker.interchange import TaskSpec, TaskTemplate

from .conftest import shot


def test_template_is_stored_and_read_back(session, studio):
    session.expire_all()
    stored = session.scalars(select(TaskTemplate)).one()
    assert stored.name == "Shot Chain"
    assert stored.target_entity_type == "Shot"
    assert [spec.name for spec in stored.tasks] == [
        "Layout",
        "Animation",
        "FX",
        "Lighting",
        "Comp",
    ]
    assert stored.tasks[4].depends_on == ("FX", "Lighting")
    assert stored.tasks[1] == TaskSpec(
        "Animation",
        type="Animation",
        schedule_timing=5,
        schedule_unit="d",
        depends_on=("Layout",),
        resources=("anim1",),
    )


def test_apply_builds_the_chain_under_a_shot(session, studio):
    target = shot(studio["project"])
    tasks = studio["template"].apply(target)
    session.commit()
    session.expire_all()
    by_name = {task.name: task for task in target.children}
    assert [task.name for task in tasks] == list(by_name)
    assert by_name["Animation"].depends_on == [by_name["Layout"]]
    assert set(by_name["Comp"].depends_on) == {by_name["FX"], by_name["Lighting"]}
    assert by_name["Animation"].resources == [studio["users"]["anim1"]]
    assert by_name["FX"].resources == [studio["users"]["fx1"]]  # the department
    assert by_name["Lighting"].resources == []
    assert by_name["Layout"].schedule_timing == 2
    assert by_name["Layout"].schedule_unit == "d"
    assert by_name["Comp"].priority == 700
    assert by_name["Comp"].type.name == "Comp"
    assert by_name["Layout"].status.code == "RTS"
    assert by_name["Comp"].status.code == "WFD"
    assert all(task.project is studio["project"] for task in tasks)


def test_apply_to_an_asset_with_overridden_resources(session, studio):
    template = TaskTemplate(
        name="Asset Chain",
        target_entity_type="Asset",
        tasks=[
            {"name": "Model"},
            {"name": "Rig", "depends_on": ["Model"]},
            {"name": "LookDev", "depends_on": ["Model"]},
        ],
    )
    character = Type(name="Character", code="CHAR", target_entity_type="Asset")
    asset = Asset(name="Hero", code="HERO", type=character, project=studio["project"])
    tasks = template.apply(asset, resources={"Rig": ["anim2"]})
    session.add(template)
    session.commit()
    assert [task.name for task in asset.children] == ["Model", "Rig", "LookDev"]
    assert tasks[1].resources == [studio["users"]["anim2"]]


def test_types_are_reused_not_duplicated(session, studio):
    studio["template"].apply(shot(studio["project"], "SH010"))
    session.flush()
    studio["template"].apply(shot(studio["project"], "SH020", sequences=[]))
    session.commit()
    count = session.scalar(
        select(func.count()).select_from(Type).where(Type.name == "Layout")
    )
    assert count == 1


@pytest.mark.parametrize(
    ("tasks", "error", "pattern"),
    [
        ([], ValueError, r"TaskTemplate\.tasks should be a non-empty list"),
        ("Layout", TypeError, r"TaskTemplate\.tasks should be a list"),
        ([{"name": "A"}, {"name": "A"}], ValueError, r"tasks\[1\]\.name .*unique"),
        (
            [{"name": "A", "depends_on": ["B"]}, {"name": "B"}],
            ValueError,
            r"tasks\[0\]\.depends_on should be names of earlier tasks",
        ),
        ([{"name": "A", "schedule_unit": "parsec"}], ValueError, "schedule_unit"),
        ([{"name": "A", "colour": "red"}], ValueError, r"tasks\[0\] should be keys"),
        ([{"name": ""}], ValueError, r"tasks\[0\]\.name should be a non-empty str"),
        ([3], TypeError, r"tasks\[0\] should be a TaskSpec or a dict, not int: 3"),
    ],
)
def test_bad_specs_are_refused(tasks, error, pattern):
    with pytest.raises(error, match=pattern):
        TaskTemplate(name="Bad", tasks=tasks)


def test_bad_target_and_name_are_refused():
    with pytest.raises(ValueError, match="target_entity_type should be one of"):
        TaskTemplate(name="X", tasks=[{"name": "A"}], target_entity_type="Budget")
    with pytest.raises(ValueError, match="name should be a non-empty str"):
        TaskTemplate(name="", tasks=[{"name": "A"}])


def test_refused_apply_creates_nothing(session, studio):
    target = shot(studio["project"])
    session.commit()
    before = session.scalar(select(func.count()).select_from(Task))
    with pytest.raises(ValueError, match=r"logins of existing users.*nobody"):
        studio["template"].apply(target, resources={"Comp": ["nobody"]})
    with pytest.raises(ValueError, match="task names among"):
        studio["template"].apply(target, resources={"Paint": ["anim1"]})
    with pytest.raises(TypeError, match="apply\\(parent\\) should be a Task"):
        studio["template"].apply("SH010")
    session.commit()
    assert session.scalar(select(func.count()).select_from(Task)) == before
    studio["template"].apply(target)
    with pytest.raises(ValueError, match="without tasks named"):
        studio["template"].apply(target)
    session.commit()
    assert len(target.children) == 5
