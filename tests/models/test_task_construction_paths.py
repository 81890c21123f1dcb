"""Shortcuts of the Task construction path (issue 5) keep every rule of 07.

A never-stored task skips cycle walks that cannot find anything and gets its
first status in one step; these tests prove that saved tasks (whose lists
are not loaded) still get every walk, and that the first status is the one
the full workflow gives, whatever the status list holds.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from stalker import Task, TaskDependency
from stalker.exceptions import CircularDependencyError
from stalker.models.mixins.dag import never_stored_without

from ..task_factories import TaskWorld, make_status_list


@pytest.fixture
def world(session):
    return TaskWorld(session)


def _reload(session, *tasks):
    """The same rows as fresh objects whose lists are not loaded yet."""
    session.commit()
    ids = [task.id for task in tasks]
    session.expunge_all()
    return [session.get(Task, task_id) for task_id in ids]


def _unloaded(task, *names):
    loaded = set(inspect(task).dict)
    return not loaded.intersection(names)


# -- never_stored_without ----------------------------------------------------


def test_never_stored_without_sees_new_objects_and_their_lists(world):
    parent = world.task("P")
    assert never_stored_without(parent, "children")
    child = world.task("C", parent=parent)
    assert not never_stored_without(parent, "children")
    assert never_stored_without(child, "children", "task_depends_on")
    world.flush()
    assert not never_stored_without(child, "children")


# -- saved tasks still get every walk --------------------------------------------


def test_a_saved_descendant_as_parent_is_still_circular(session, world):
    root = world.task("root")
    middle = world.task("middle", parent=root)
    leaf = world.task("leaf", parent=middle)
    world.flush()
    root, leaf = _reload(session, root, leaf)
    assert _unloaded(root, "children")
    with pytest.raises(CircularDependencyError, match="children"):
        root.parent = leaf
    assert root.parent is None


def test_a_saved_dependency_as_parent_is_still_circular(session, world):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    world.flush()
    a, b = _reload(session, a, b)
    assert _unloaded(b, "task_depends_on")
    with pytest.raises(CircularDependencyError, match="depend"):
        b.parent = a
    assert b.parent is None


def test_a_saved_dependent_is_still_found_by_the_cycle_walk(session, world):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    c = world.task("C", depends_on=[b])
    world.flush()
    a, c = _reload(session, a, c)
    assert _unloaded(a, "task_dependent_of")
    with pytest.raises(CircularDependencyError):
        a.depends_on.append(c)
    assert list(a.depends_on) == []


def test_depending_on_a_saved_ancestor_is_still_circular(session, world):
    parent = world.task("P")
    child = world.task("C", parent=parent)
    world.flush()
    parent, child = _reload(session, parent, child)
    assert _unloaded(parent, "children")
    with pytest.raises(CircularDependencyError):
        child.depends_on.append(parent)


def test_a_saved_task_may_still_depend_on_a_saved_stranger(session, world):
    a, b = world.task("A"), world.task("B")
    world.flush()
    a, b = _reload(session, a, b)
    b.depends_on.append(a)
    assert b.status.code == "WFD"
    (b,) = _reload(session, b)
    assert [task.name for task in b.depends_on] == ["A"]
    assert b.status.code == "WFD"


def test_a_link_made_through_depends_on_joins_its_tasks_session(session, world):
    a = world.task("A")
    world.flush()
    b = world.task("B", depends_on=[a])
    (link,) = b.task_depends_on
    assert link in session and b in session
    (b,) = _reload(session, b)
    assert [task.name for task in b.depends_on] == ["A"]


def test_a_direct_link_still_joins_the_session_of_its_tasks(session, world):
    a, b = world.task("A"), world.task("B")
    world.flush()
    link = TaskDependency(task=b, depends_on=a)
    assert link in session
    (b,) = _reload(session, b)
    assert [task.name for task in b.depends_on] == ["A"]


# -- new tasks: the walks that can find something still run ----------------------


# (a new task depending on its new parent: test_task.py)


def test_a_new_task_is_not_its_own_parent(world):
    task = world.task("T")
    with pytest.raises(CircularDependencyError, match="children"):
        task.parent = task


def test_a_new_task_with_a_dependent_may_not_depend_on_it(world):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    with pytest.raises(CircularDependencyError):
        a.depends_on.append(b)


# -- is_container ------------------------------------------------------------------


def test_is_container_loads_the_children_of_a_saved_task(session, world):
    parent = world.task("P")
    world.task("C", parent=parent)
    leaf = world.task("L")
    world.flush()
    parent, leaf = _reload(session, parent, leaf)
    assert _unloaded(parent, "children") and _unloaded(leaf, "children")
    assert parent.is_container and not parent.is_leaf
    assert leaf.is_leaf and not leaf.is_container


def test_is_container_of_a_new_task_does_not_touch_its_children(world):
    task = world.task("T")
    assert task.is_leaf
    assert "children" not in inspect(task).dict
    world.task("C", parent=task)
    assert task.is_container


# -- the first status is set once, as the full workflow would set it ---------------


@pytest.mark.parametrize(
    ("codes", "with_dependency", "expected"),
    [
        (("WFD", "RTS", "WIP"), False, "RTS"),
        (("WFD", "RTS", "WIP"), True, "WFD"),
        # no WFD: the list's first status, then §9.3 from there
        (("WIP", "RTS"), False, "RTS"),
        (("DREV", "RTS"), False, "RTS"),
        (("CMPL", "RTS"), False, "CMPL"),
        # WFD but no RTS: the list's first status stands in for RTS
        (("CMPL", "WFD"), False, "CMPL"),
        (("WFD", "CMPL"), False, "WFD"),
    ],
)
def test_first_status_follows_the_workflow(codes, with_dependency, expected):
    status_list = make_status_list(codes=codes, names=codes)
    world = TaskWorld()
    world.status_list = status_list
    depends_on = [world.task("D")] if with_dependency else None
    task = world.task("T", depends_on=depends_on)
    assert task.status.code == expected


def test_an_empty_status_list_is_still_refused():
    world = TaskWorld()
    world.status_list = make_status_list(codes=(), names=())
    with pytest.raises(ValueError, match="status list is empty"):
        world.task("T")


# -- resources are appended to the new task's lists ------------------------------


def test_resources_and_computed_resources_of_a_new_task(world):
    artist, lead = world.user("artist"), world.user("lead")
    task = world.task("T", resources=(artist, lead, artist))
    assert task.resources == [artist, lead]
    assert task.computed_resources == [artist, lead]
    assert artist.tasks == [task] and artist.computed_resource_in_tasks == [task]


@pytest.mark.parametrize(
    ("make_resources", "error"),
    [
        (lambda artist: 5, r"Task\.resources should be a list"),
        (lambda artist: [artist, "x"], r"Task\.resources should be a list of User"),
    ],
)
def test_refused_resources_attach_nobody(world, make_resources, error):
    artist = world.user("artist")
    with pytest.raises(TypeError, match=error):
        world.task("T", resources=make_resources(artist))
    assert artist.tasks == [] and artist.computed_resource_in_tasks == []
