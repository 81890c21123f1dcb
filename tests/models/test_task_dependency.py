"""TaskDependency (spec 07 §7): attributes, aliases, gap synonyms and to_tjp."""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy.exc import IntegrityError, SAWarning
from sqlalchemy.orm.exc import FlushError

from stalker import Task, TaskDependency

from ..task_factories import TaskWorld


@pytest.fixture
def world():
    return TaskWorld()


@pytest.fixture
def pair(world):
    return world.task("A"), world.task("B")


def test_defaults():
    dependency = TaskDependency()
    assert dependency.task is None and dependency.depends_on is None
    assert dependency.dependency_target == "onend"
    assert (dependency.gap_timing, dependency.gap_unit) == (0, "h")
    assert dependency.gap_model == "length"
    assert dependency.gap_constraint == 0


def test_constructor_links_both_tasks(pair):
    a, b = pair
    dependency = TaskDependency(task=b, depends_on=a)
    assert dependency.task is b and dependency.depends_on is a
    assert b.task_depends_on == [dependency]
    assert a.task_dependent_of == [dependency]
    assert b.depends_on == [a] and a.dependent_of == [b]


def test_depends_to_is_an_alias(pair):
    a, b = pair
    dependency = TaskDependency(task=b, depends_to=a)
    assert dependency.depends_on is a and dependency.depends_to is a
    other = TaskDependency()
    other.depends_to = b
    assert other.depends_on is b


def test_table_and_columns():
    table = TaskDependency.__table__
    assert table.name == "Task_Dependencies"
    assert {c.name for c in table.primary_key} == {"task_id", "depends_on_id"}
    assert not table.c.dependency_target.nullable
    for name in ("gap_timing", "gap_unit", "gap_model", "gap_constraint"):
        assert name in table.c


@pytest.mark.parametrize("attr", ["task", "depends_on"])
@pytest.mark.parametrize("bad", ["task", 1])
def test_task_sides_are_type_checked(attr, bad):
    with pytest.raises(TypeError, match=rf"TaskDependency\.{attr}"):
        TaskDependency(**{attr: bad})


@pytest.mark.parametrize("target", ["onend", "onstart"])
def test_targets(target):
    assert TaskDependency(dependency_target=target).dependency_target == target


def test_target_none_is_onend():
    dependency = TaskDependency(dependency_target="onstart")
    dependency.dependency_target = None
    assert dependency.dependency_target == "onend"


def test_target_errors():
    with pytest.raises(TypeError, match=r"TaskDependency\.dependency_target"):
        TaskDependency(dependency_target=1)
    with pytest.raises(ValueError, match=r"TaskDependency\.dependency_target"):
        TaskDependency(dependency_target="onmiddle")


@pytest.mark.parametrize(
    ("gap", "schedule"),
    [
        ("gap_timing", "schedule_timing"),
        ("gap_unit", "schedule_unit"),
        ("gap_model", "schedule_model"),
        ("gap_constraint", "schedule_constraint"),
    ],
)
def test_gap_names_are_synonyms_of_the_schedule_names(gap, schedule):
    dependency = TaskDependency(gap_timing=3, gap_unit="d", gap_model="duration")
    assert getattr(dependency, gap) == getattr(dependency, schedule)


def test_constructor_gap_arguments():
    dependency = TaskDependency(gap_timing=2.5, gap_unit="w", gap_model="duration")
    assert (dependency.gap_timing, dependency.gap_unit) == (2.5, "w")
    assert dependency.schedule_seconds == 2.5 * 604800
    dependency.gap_timing = 4
    assert dependency.schedule_timing == 4


@pytest.mark.parametrize("falsy", [None, "", 0])
def test_falsy_gap_model_is_length(falsy):
    assert TaskDependency(gap_model=falsy).gap_model == "length"


def test_gap_errors():
    with pytest.raises(TypeError, match=r"TaskDependency\.gap_timing"):
        TaskDependency(gap_timing="2d")
    with pytest.raises(ValueError, match=r"TaskDependency\.gap_model"):
        TaskDependency(gap_model="effort")
    with pytest.raises(ValueError, match=r"TaskDependency\.gap_unit"):
        TaskDependency(gap_unit="days")


def test_missing_task_fails_at_flush(session):
    world = TaskWorld(session)
    a = world.task("A")
    world.flush()
    dependency = TaskDependency()
    dependency.depends_on = a
    session.add(dependency)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        with pytest.raises((IntegrityError, FlushError)):
            session.flush()
    session.rollback()


def test_attributes_survive_the_database(session):
    world = TaskWorld(session)
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    dependency = b.task_depends_on[0]
    dependency.dependency_target = "onstart"
    dependency.gap_timing = 2
    dependency.gap_unit = "d"
    dependency.gap_model = "duration"
    world.flush()
    session.commit()
    ids = a.id, b.id
    session.expunge_all()
    loaded = session.query(TaskDependency).one()
    assert (loaded.task.id, loaded.depends_on.id) == (ids[1], ids[0])
    assert loaded.dependency_target == "onstart"
    assert (loaded.gap_timing, loaded.gap_unit, loaded.gap_model) == (
        2.0,
        "d",
        "duration",
    )


# --- to_tjp ------------------------------------------------------------------


@pytest.fixture
def tree(session):
    world = TaskWorld(session)
    root = world.task("R")
    a = world.task("A", parent=root)
    b = world.task("B", parent=root)
    top = world.task("Top")
    world.flush()
    return world, root, a, b, top


def dependency_of(task, depends_on, **attributes):
    """Add ``depends_on`` to ``task`` and set the new TaskDependency's fields."""
    task.depends_on.append(depends_on)
    dependency = task.task_depends_on[-1]
    for name, value in attributes.items():
        setattr(dependency, name, value)
    return dependency


def test_constructor_with_persisted_tasks(tree, session):
    _, _, a, b, _ = tree
    dependency = TaskDependency(task=b, depends_on=a, dependency_target="onstart")
    session.flush()
    assert b.depends_on == [a]
    assert dependency in session


def test_appending_a_dependency_between_persisted_tasks(tree, session):
    _, _, a, b, _ = tree
    b.depends_on.append(a)
    session.flush()
    assert b.task_depends_on[0] in session
    assert a.dependent_of == [b]


@pytest.fixture
def linked(session):
    """Build R(A, B) and Top, link B to ``target`` *before* the first flush."""

    def build(target_name, **attributes):
        world = TaskWorld(session)
        root = world.task("R")
        tasks = {
            "A": world.task("A", parent=root),
            "Top": world.task("Top"),
        }
        b = world.task("B", parent=root)
        dependency = dependency_of(b, tasks[target_name], **attributes)
        world.flush()
        return world.project.id, root, tasks[target_name], dependency

    return build


def test_to_tjp_plain(linked):
    project_id, root, a, dependency = linked("A")
    assert dependency.to_tjp == (
        f"Project_{project_id}.Task_{root.id}.Task_{a.id} {{onend}}"
    )


def test_to_tjp_with_gap(linked):
    project_id, root, a, dependency = linked(
        "A", dependency_target="onstart", gap_timing=2, gap_unit="d"
    )
    assert dependency.to_tjp == (
        f"Project_{project_id}.Task_{root.id}.Task_{a.id} {{onstart gaplength 2d}}"
    )


def test_to_tjp_of_a_root_task_with_duration_gap(linked):
    project_id, _, top, dependency = linked(
        "Top", gap_timing=4, gap_unit="d", gap_model="duration"
    )
    assert dependency.to_tjp == (
        f"Project_{project_id}.Task_{top.id} {{onend gapduration 4d}}"
    )


def test_to_tjp_omits_a_zero_gap(linked):
    _, _, top, dependency = linked("Top", gap_timing=0, gap_unit="d")
    assert dependency.to_tjp.endswith(f"Task_{top.id} {{onend}}")


def test_to_tjp_is_read_only(linked):
    _, _, _, dependency = linked("A")
    with pytest.raises(AttributeError):
        dependency.to_tjp = "x"


def test_task_is_a_task_instance(pair):
    a, b = pair
    assert isinstance(TaskDependency(task=b, depends_on=a).task, Task)
