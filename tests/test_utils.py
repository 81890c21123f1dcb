"""make_plural, walk_hierarchy and check_circular_dependency."""

import pytest

from stalker import models, utils
from stalker.exceptions import CircularDependencyError


@pytest.mark.parametrize(
    ("name", "plural"),
    [
        ("Entity", "Entities"),
        ("Status", "Statuses"),
        ("Daily", "Dailies"),
        ("Branch", "Branches"),
        ("Leaf", "Leaves"),
        ("Task", "Tasks"),
    ],
)
def test_make_plural(name, plural):
    assert utils.make_plural(name) == plural


class Node:
    def __init__(self, name, children=()):
        self.name = name
        self.children = list(children)

    def __repr__(self):
        return self.name


@pytest.fixture
def tree():
    d4 = Node("d4")
    d2 = Node("d2", [d4])
    d3 = Node("d3")
    return Node("d1", [d2, d3]), d2, d3, d4


def test_walk_hierarchy_depth_first_is_the_default(tree):
    d1, *_ = tree
    assert [n.name for n in utils.walk_hierarchy(d1, "children")] == [
        "d1",
        "d2",
        "d4",
        "d3",
    ]


def test_walk_hierarchy_breadth_first(tree):
    d1, *_ = tree
    assert [n.name for n in utils.walk_hierarchy(d1, "children", method=1)] == [
        "d1",
        "d2",
        "d3",
        "d4",
    ]


def test_walk_hierarchy_accepts_direction_names(tree):
    d1, *_ = tree
    names = [n.name for n in utils.walk_hierarchy(d1, "children", "BreadthFirst")]
    assert names == ["d1", "d2", "d3", "d4"]


def test_walk_hierarchy_does_not_deduplicate(tree):
    d1, _d2, d3, d4 = tree
    d3.children.append(d4)
    assert [n.name for n in utils.walk_hierarchy(d1, "children")].count("d4") == 2


def test_check_circular_dependency_raises_for_reachable_node(tree):
    d1, _d2, _d3, d4 = tree
    with pytest.raises(CircularDependencyError) as error:
        utils.check_circular_dependency(d1, d4, "children")
    assert "children" in str(error.value)
    assert error.value.value == str(error.value)


def test_check_circular_dependency_includes_the_entity_itself(tree):
    d1, *_ = tree
    with pytest.raises(CircularDependencyError):
        utils.check_circular_dependency(d1, d1, "children")


def test_check_circular_dependency_passes_for_unreachable_node(tree):
    _d1, _d2, d3, d4 = tree
    assert utils.check_circular_dependency(d3, d4, "children") is None


def test_helpers_are_the_same_objects_in_models_and_utils():
    assert models.walk_hierarchy is utils.walk_hierarchy
    assert models.check_circular_dependency is utils.check_circular_dependency
    assert models.make_plural is utils.make_plural


def test_the_cycle_collector_resumes_after_a_paused_block():
    import gc

    from stalker.utils import cycle_collector_paused

    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), cycle_collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_paused_block_leaves_a_disabled_collector_disabled():
    import gc

    from stalker.utils import cycle_collector_paused

    gc.disable()
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
