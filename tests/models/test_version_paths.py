"""Version.update_paths(), template variables and absolute paths (08 §2.6, §2.7)."""

from __future__ import annotations

import os
import platform

import pytest
from jinja2.sandbox import SecurityError

from stalker import FilenameTemplate, Repository, Structure, Type, Version
from stalker.models.entity import SimpleEntity
from stalker.models.scene import Scene
from stalker.models.sequence import Sequence
from stalker.models.shot import Shot
from stalker.templates import TemplateObject, compiled_template
from tests.task_factories import TaskWorld, make_status_list

SEED_PATH = (
    "$REPO{{project.repository.code}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
SEED_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'


@pytest.fixture(autouse=True)
def linux(monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Linux")


@pytest.fixture
def world():
    world = TaskWorld()
    world.repo = Repository(
        name="Commercials",
        code="CR",
        linux_path="/mnt/M/commercials",
        windows_path="M:/commercials",
        macos_path="/Volumes/M/commercials",
    )
    world.project.repositories = [world.repo]
    world.shot_list = make_status_list("Shot")
    world.shot = Shot(
        name="SH001", code="SH001", project=world.project, status_list=world.shot_list
    )
    world.comp = world.task("comp", parent=world.shot)
    return world


def use_templates(world, *templates):
    world.project.structure = Structure(name="Structure", templates=list(templates))


def task_template(path=SEED_PATH, filename=SEED_FILENAME, target="Task"):
    return FilenameTemplate(
        name=f"{target} Template",
        target_entity_type=target,
        path=path,
        filename=filename,
    )


def test_seed_template(world):
    use_templates(world, task_template())
    version = Version(task=world.comp)
    assert version.update_paths() is None
    assert version.path == "$REPOCR/TP/SH001/comp"
    assert version.filename == "SH001_comp_Main_v001"
    assert version.full_path == "$REPOCR/TP/SH001/comp/SH001_comp_Main_v001"
    assert version.absolute_path == "/mnt/M/commercials/TP/SH001/comp"
    assert version.absolute_full_path == (
        "/mnt/M/commercials/TP/SH001/comp/SH001_comp_Main_v001"
    )
    version.extension = ".ma"
    assert version.full_path == "$REPOCR/TP/SH001/comp/SH001_comp_Main_v001.ma"
    second = Version(task=world.comp)
    second.update_paths()
    assert (second.version_number, second.filename) == (2, "SH001_comp_Main_v002")


def test_readme_style_absolute_template(world):
    world.repo.linux_path = "/mnt/Z/Projects/"
    animation = world.task("Animation", parent=world.shot)
    use_templates(
        world,
        task_template(
            path="{{project.repository.path}}/{{project.code}}/"
            "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}",
            filename=SEED_FILENAME + "{{extension}}",
        ),
    )
    version = Version(task=animation)
    version.update_paths()
    assert version.full_path == (
        "/mnt/Z/Projects//TP/SH001/Animation/SH001_Animation_Main_v001"
    )
    version.extension = ".ma"
    assert version.absolute_full_path == (
        "/mnt/Z/Projects/TP/SH001/Animation/SH001_Animation_Main_v001.ma"
    )
    version.update_paths()  # the extension is now a template variable
    assert version.filename == "SH001_Animation_Main_v001.ma"


def test_the_first_template_for_the_tasks_class_is_used(world):
    use_templates(
        world,
        task_template(path="shots/{{shot.code}}", target="Shot"),
        task_template(path="first", filename="a"),
        task_template(path="second", filename="b"),
    )
    version = Version(task=world.comp)
    version.update_paths()
    assert version.full_path == "first/a"
    on_shot = Version(task=world.shot)
    on_shot.update_paths()
    assert on_shot.full_path == "shots/SH001/SH001_Main_v001"


def test_no_structure_or_no_template_is_a_runtime_error(world):
    version = Version(task=world.comp)
    with pytest.raises(RuntimeError, match="'Task'"):
        version.update_paths()
    use_templates(world, task_template(target="Asset"))
    with pytest.raises(RuntimeError, match="target_entity_type is 'Task'"):
        version.update_paths()
    assert version.full_path == ""


@pytest.mark.parametrize(
    ("path", "filename"),
    [
        ("{{project.code}}/../../etc", SEED_FILENAME),
        ("$REPOCR/{{project.code}}", "../{{version.nice_name}}"),
        ("$REPOCR/{{project.code}}", "/etc/passwd"),
        ("$REPOCR/{{project.code}}", "C:/x.ma"),
        ("/etc/{{project.code}}", SEED_FILENAME),
        ("{{ '' }}", SEED_FILENAME),
    ],
)
def test_escaping_or_empty_paths_are_refused_and_nothing_changes(world, path, filename):
    use_templates(world, task_template(path=path, filename=filename))
    version = Version(task=world.comp, full_path="/mnt/M/commercials/keep.ma")
    with pytest.raises(ValueError, match=r"Template|path"):
        version.update_paths()
    assert version.full_path == "/mnt/M/commercials/keep.ma"


def test_a_variable_cannot_smuggle_a_parent_segment(world, monkeypatch):
    monkeypatch.setenv("REPOSNEAKY", "..")
    use_templates(world, task_template(path="$REPOSNEAKY/{{project.code}}"))
    version = Version(task=world.comp)
    with pytest.raises(ValueError, match=r"'\.\.'"):
        version.update_paths()


def test_a_variable_other_than_the_repository_is_refused(world, monkeypatch):
    monkeypatch.setenv("SNEAKY", "/mnt/M/commercials")
    use_templates(world, task_template(path="$SNEAKY/{{project.code}}"))
    version = Version(task=world.comp)
    with pytest.raises(ValueError, match=r"environment variable"):
        version.update_paths()
    assert version.full_path == ""


def test_templates_render_in_the_sandbox(world):
    use_templates(world, task_template(filename="{{ version.__class__.__mro__ }}"))
    version = Version(task=world.comp)
    with pytest.raises(SecurityError):
        version.update_paths()
    assert version.full_path == ""


def test_compiled_templates_are_cached():
    assert compiled_template(SEED_FILENAME) is compiled_template(SEED_FILENAME)


def test_template_variables_of_a_plain_task(world):
    look = Type(name="Look", code="LOOK", target_entity_type="Version")
    version = Version(task=world.comp, type=look, full_path="/x/a.ma")
    variables = version.template_variables()
    # plain snapshots (issue 18), never the live objects
    assert all(not isinstance(v, SimpleEntity) for v in variables.values())
    assert isinstance(variables["project"], TemplateObject)
    assert variables["project"].code == world.project.code
    assert variables["task"].id == world.comp.id
    assert variables["task"].nice_name == world.comp.nice_name
    for key in ("sequence", "shot", "asset"):
        assert variables[key] is variables["task"]
    assert variables["sequences"] == [] and variables["scenes"] == []
    names = [p.nice_name for p in variables["parent_tasks"]]
    assert names == [world.shot.nice_name, world.comp.nice_name]
    assert variables["parent_tasks"] is not version.template_variables()["parent_tasks"]
    assert variables["version"].version_number == version.version_number
    assert variables["version"].nice_name == version.nice_name
    assert variables["type"].name == "Look" and variables["type"].code == "LOOK"
    assert variables["extension"] == ".ma"


def test_template_variables_of_a_shot(world):
    seq = Sequence(
        name="SEQ1",
        code="SEQ1",
        project=world.project,
        status_list=make_status_list("Sequence"),
    )
    scene = Scene(name="Scene 1", code="SC1", project=world.project)
    world.shot.sequences = [seq]
    world.shot.scenes = [scene]
    variables = Version(task=world.shot).template_variables()
    assert [s.code for s in variables["sequences"]] == ["SEQ1"]
    assert [s.code for s in variables["scenes"]] == ["SC1"]
    assert variables["shot"].code == world.shot.code
    assert str(variables["shot"]) == str(world.shot)
    assert variables["type"] is None and variables["extension"] == ""


def test_absolute_paths_expand_known_variables_only(world):
    version = Version(task=world.comp, full_path="$REPO99/FC//a/./b.ma")
    assert version.absolute_full_path == "$REPO99/FC/a/b.ma"
    assert version.absolute_path == "$REPO99/FC/a"
    assert Version(task=world.comp).absolute_path == "."
    os.environ["REPO99"] = "/mnt/99/"
    assert version.absolute_full_path == "/mnt/99/FC/a/b.ma"


# --- with a database: $REPO<id> and renumbering at flush -------------------------


def test_repo_id_variable_and_paths_persist(session):
    world = TaskWorld(session)
    repo = Repository(name="R", linux_path="/mnt/R")
    world.project.repositories = [repo]
    world.project.structure = Structure(
        name="S",
        templates=[
            task_template(
                path="$REPO{{project.repository.id}}/{{project.code}}/"
                "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
            )
        ],
    )
    comp = world.task("comp")
    world.flush()
    session.commit()
    version = Version(task=comp)
    version.update_paths()
    session.commit()
    session.expire_all()
    assert version.full_path == f"$REPO{repo.id}/TP/comp/comp_Main_v001"
    assert version.absolute_full_path == "/mnt/R/TP/comp/comp_Main_v001"
