"""DAGMixin (spec 07 §4) through Task: parent/children tree and its walks."""

from __future__ import annotations

import pytest

from stalker import DAGMixin, Task
from stalker.exceptions import CircularDependencyError

from ..task_factories import TaskWorld


@pytest.fixture
def world():
    return TaskWorld()


@pytest.fixture
def tree(world):
    """root -> (a -> (a1, a2), b -> (b1))"""
    root = world.task("root")
    a = world.task("a", parent=root)
    b = world.task("b", parent=root)
    a1 = world.task("a1", parent=a)
    a2 = world.task("a2", parent=a)
    b1 = world.task("b1", parent=b)
    return {"root": root, "a": a, "b": b, "a1": a1, "a2": a2, "b1": b1}


def names(tasks):
    return [task.name for task in tasks]


def test_task_uses_the_mixin():
    assert issubclass(Task, DAGMixin)
    assert Task.__id_column__ == "task_id"
    assert Task.__dag_cascade__ == "all, delete"


def test_defaults(world):
    task = world.task("T")
    assert task.parent is None
    assert task.children == []
    assert task.is_root and task.is_leaf and not task.is_container
    assert task.parents == []


def test_parent_and_children_stay_in_sync(tree):
    assert names(tree["root"].children) == ["a", "b"]
    assert names(tree["a"].children) == ["a1", "a2"]
    assert tree["a1"].parent is tree["a"]


def test_appending_to_children_sets_the_parent(world):
    parent = world.task("P")
    child = world.task("C")
    parent.children.append(child)
    assert child.parent is parent


def test_tasks_is_a_synonym_of_children(tree):
    assert tree["root"].tasks == tree["root"].children
    extra = Task(name="x", parent=tree["b"], status_list=tree["b"].status_list)
    assert extra in tree["b"].tasks


def test_flags(tree):
    assert tree["root"].is_root and tree["root"].is_container
    assert not tree["root"].is_leaf
    assert not tree["a"].is_root and tree["a"].is_container
    assert tree["a1"].is_leaf and not tree["a1"].is_container


@pytest.mark.parametrize("flag", ["is_root", "is_leaf", "is_container", "parents"])
def test_flags_are_read_only(tree, flag):
    with pytest.raises(AttributeError):
        setattr(tree["a"], flag, True)


def test_parents_are_root_first(tree):
    assert names(tree["a1"].parents) == ["root", "a"]
    assert tree["root"].parents == []


def test_level(tree):
    assert tree["root"].level == 1
    assert tree["a"].level == 2
    assert tree["a1"].level == 3


def test_walk_hierarchy_is_depth_first_by_default(tree):
    assert names(tree["root"].walk_hierarchy()) == ["root", "a", "a1", "a2", "b", "b1"]


def test_walk_hierarchy_breadth_first(tree):
    assert names(tree["root"].walk_hierarchy(method=1)) == [
        "root",
        "a",
        "b",
        "a1",
        "a2",
        "b1",
    ]


def test_walk_hierarchy_of_a_leaf_is_itself(tree):
    assert names(tree["b1"].walk_hierarchy()) == ["b1"]


@pytest.mark.parametrize("bad", ["parent", 1, object()])
def test_parent_type_error(world, bad):
    task = world.task("T")
    with pytest.raises(TypeError, match=r"Task\.parent"):
        task.parent = bad


def test_children_element_type_error(world):
    task = world.task("T")
    with pytest.raises(TypeError, match=r"Task\.children"):
        task.children.append("child")


def test_children_none_type_error(world):
    with pytest.raises(TypeError):
        world.task("T").children = None


def test_self_parent_is_circular(world):
    task = world.task("T")
    with pytest.raises(CircularDependencyError, match="children"):
        task.parent = task
    assert task.parent is None


@pytest.mark.parametrize("descendant", ["a", "a1"])
def test_descendant_as_parent_is_circular(tree, descendant):
    with pytest.raises(CircularDependencyError, match="children"):
        tree["root"].parent = tree[descendant]
    assert tree["root"].parent is None


def test_reparenting_moves_the_child(tree):
    tree["a1"].parent = tree["b"]
    assert names(tree["a"].children) == ["a2"]
    assert names(tree["b"].children) == ["b1", "a1"]


def test_unparenting_keeps_the_child_in_the_database(session):
    world = TaskWorld(session)
    parent = world.task("P")
    child = world.task("C", parent=parent)
    session.add_all([parent, child])
    session.commit()
    child.parent = None
    session.commit()
    assert session.get(Task, child.id) is child
    assert parent.children == []
    assert child.is_root


def test_deleting_a_parent_deletes_the_subtree(session):
    world = TaskWorld(session)
    root = world.task("root")
    mid = world.task("mid", parent=root)
    leaf = world.task("leaf", parent=mid)
    other = world.task("other")
    session.add_all([root, other])
    session.commit()
    ids = [root.id, mid.id, leaf.id]
    session.delete(root)
    session.commit()
    session.expire_all()
    assert all(session.get(Task, task_id) is None for task_id in ids)
    assert session.get(Task, other.id) is other


def test_children_order_survives_the_database(session):
    world = TaskWorld(session)
    root = world.task("root")
    for name in ("c1", "c2", "c3"):
        world.task(name, parent=root)
    session.add(root)
    session.commit()
    root_id = root.id
    session.expunge_all()
    assert names(session.get(Task, root_id).children) == ["c1", "c2", "c3"]
