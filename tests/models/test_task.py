"""Task (spec 07 §6.1-6.7, 6.10): attributes, hierarchy, dependencies, numbers."""

from __future__ import annotations

import datetime

import pytest

import stalker
from stalker import (
    FilenameTemplate,
    Link,
    Review,
    Structure,
    Task,
    TaskDependency,
    TimeLog,
    User,
)
from stalker.db import delete_with_work_records
from stalker.exceptions import (
    CircularDependencyError,
    DeleteRefusedError,
    StatusError,
)

from ..task_factories import TASK_STATUS_CODES, TaskWorld, codes, dt, make_project

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def world():
    return TaskWorld()


@pytest.fixture
def task(world):
    return world.task("T", start=dt(2013, 4, 17))


def now_rounded():
    return Task.round_time(datetime.datetime.now(UTC))


# =============================================================================
# §6.1 constructor
# =============================================================================


def test_defaults(world):
    task = world.task("T")
    assert task.project is world.project
    assert task.parent is None
    assert task.children == [] and task.tasks == []
    assert task.depends_on == [] and task.dependent_of == []
    assert task.task_depends_on == [] and task.task_dependent_of == []
    assert task.resources == [] and task.alternative_resources == []
    assert task.computed_resources == []
    assert task.watchers == [] and task.responsible == []
    assert task.time_logs == [] and task.reviews == []
    assert task.schedule_timing == 1.0 and task.schedule_unit == "h"
    assert task.schedule_model == "effort" and task.schedule_constraint == 0
    assert task.bid_timing == 1.0 and task.bid_unit == "h"
    assert task.priority == 500
    assert task.allocation_strategy == "minallocated"
    assert task.persistent_allocation is True
    assert task.is_milestone is False
    assert task.review_number == 0
    assert task.computed_start is None and task.computed_end is None
    assert task.is_scheduled is False
    assert task.status.code == "RTS"


def test_name_is_required(world):
    with pytest.raises(TypeError, match=r"Task\.name"):
        Task(project=world.project, status_list=world.status_list)


def test_status_argument_is_ignored(world):
    task = world.task("T", status=world.status("CMPL"))
    assert task.status.code == "RTS"
    assert world.task("U", status=0).status.code == "RTS"


def test_unknown_keyword_arguments_are_ignored(world):
    task = world.task("T", time_logs=[], versions=[], whatever=1)
    assert task.time_logs == []
    assert task.name == "T"


def test_entity_keywords_are_passed_on(world):
    task = world.task("T", description="about it")
    assert task.description == "about it"


def test_timing_in_constructor_recomputes_the_end(world):
    task = world.task(
        "T",
        start=dt(2013, 4, 17),
        end=dt(2013, 5, 17),
        schedule_timing=10,
        schedule_unit="h",
    )
    assert task.start == dt(2013, 4, 17)
    assert task.end == dt(2013, 4, 17, 10)


def test_default_timing_gives_a_one_hour_task(world):
    task = world.task("T", start=dt(2013, 4, 17, 9), end=dt(2013, 4, 20))
    assert task.end == dt(2013, 4, 17, 10)


def test_bid_defaults_to_the_schedule(world):
    task = world.task("T", schedule_timing=3, schedule_unit="d")
    assert (task.bid_timing, task.bid_unit) == (3, "d")
    task = world.task("U", schedule_timing=3, bid_timing=5, bid_unit="w")
    assert (task.bid_timing, task.bid_unit) == (5, "w")


def test_depends_is_a_constructor_alias(world):
    a = world.task("A")
    b = world.task("B", depends=[a])
    assert b.depends_on == [a]


def test_depends_and_depends_on_together_is_a_type_error(world):
    a = world.task("A")
    with pytest.raises(TypeError):
        world.task("B", depends=[a], depends_on=[a])


def test_milestone_empties_the_resources(world):
    task = world.task("M", is_milestone=True, resources=[world.user()])
    assert task.resources == []
    assert task.is_milestone is True


def test_dependency_checks_run_after_the_parent_is_set(world):
    parent = world.task("P")
    with pytest.raises(CircularDependencyError):
        world.task("C", parent=parent, depends_on=[parent])


# =============================================================================
# §6.2 project
# =============================================================================


def test_project_is_inferred_from_the_parent(world):
    parent = world.task("P")
    child = Task(name="C", parent=parent, status_list=world.status_list)
    assert child.project is world.project


def test_project_or_parent_is_required(world):
    with pytest.raises(TypeError, match=r"Task\.project") as info:
        Task(name="T", status_list=world.status_list)
    assert "parent" in str(info.value).lower()


@pytest.mark.parametrize("bad", ["project", 1, object()])
def test_project_type_error(world, bad):
    with pytest.raises(TypeError, match=r"Task\.project"):
        Task(name="T", project=bad, status_list=world.status_list)


def test_project_is_read_only(world):
    task = world.task("T")
    with pytest.raises(AttributeError):
        task.project = make_project("Other", "OT")
    assert task.project is world.project


def test_differing_project_warns_and_uses_the_parents(world):
    parent = world.task("Parent")
    other = make_project("Other", "OT")
    with pytest.warns(RuntimeWarning) as record:
        child = Task(
            name="Child", project=other, parent=parent, status_list=world.status_list
        )
    assert child.project is world.project
    message = str(record[0].message)
    assert "Child" in message and world.project.name in message


# =============================================================================
# §6.2 list attributes
# =============================================================================

USER_LISTS = ["resources", "alternative_resources", "watchers", "responsible"]


@pytest.mark.parametrize("attr", USER_LISTS)
def test_user_lists_accept_users(world, attr):
    users = [world.user("u1"), world.user("u2")]
    task = world.task("T", **{attr: users})
    assert getattr(task, attr) == users


@pytest.mark.parametrize("attr", USER_LISTS)
def test_user_lists_reject_non_users(world, attr):
    with pytest.raises(TypeError, match=rf"Task\.{attr}"):
        world.task("T", **{attr: ["not a user"]})
    task = world.task("U")
    with pytest.raises(TypeError, match=rf"Task\.{attr}"):
        getattr(task, attr).append(1)


@pytest.mark.parametrize("attr", ["resources", "alternative_resources", "responsible"])
def test_user_lists_reject_non_lists(world, attr):
    task = world.task("T")
    with pytest.raises(TypeError):
        setattr(task, attr, world.user())


@pytest.mark.parametrize(
    ("attr", "back_reference"),
    [
        ("resources", "tasks"),
        ("alternative_resources", "alternative_resource_in_tasks"),
        ("watchers", "watching"),
        ("responsible", "responsible_of"),
    ],
)
def test_user_list_back_references(world, attr, back_reference):
    user = world.user()
    task = world.task("T", **{attr: [user]})
    assert task in getattr(user, back_reference)


def test_computed_resources_follow_resources_until_scheduled(world):
    u1, u2 = world.user("u1"), world.user("u2")
    task = world.task("T", resources=[u1])
    assert task.computed_resources == [u1]
    task.resources.append(u2)
    assert task.computed_resources == [u1, u2]
    task.computed_resources = [u2]
    assert task.computed_resources == [u1, u2]  # not scheduled: overwritten
    task.computed_start = dt(2013, 4, 17)
    task.computed_end = dt(2013, 4, 18)
    task.computed_resources = [u2]
    assert task.computed_resources == [u2]  # scheduled: kept


def test_computed_resources_reject_non_users(world):
    task = world.task("T")
    with pytest.raises(TypeError, match=r"Task\.computed_resources"):
        task.computed_resources = ["x"]


@pytest.mark.parametrize(
    ("attr", "bad"),
    [
        ("time_logs", "log"),
        ("reviews", "review"),
        ("references", "link"),
    ],
)
def test_one_to_many_lists_type_check_their_elements(world, attr, bad):
    task = world.task("T")
    with pytest.raises(TypeError, match=rf"Task\.{attr}"):
        getattr(task, attr).append(bad)


def test_time_logs_none_is_a_type_error(world):
    with pytest.raises(TypeError, match=r"Task\.time_logs"):
        world.task("T").time_logs = None


def test_references_accept_links(world):
    link = Link(full_path="/tmp/a.png")
    assert world.task("T", references=[link]).references == [link]


# =============================================================================
# §6.2 scalar attributes
# =============================================================================


@pytest.mark.parametrize(
    "strategy", ["minallocated", "maxloaded", "minloaded", "order", "random"]
)
def test_allocation_strategies(world, strategy):
    assert world.task("T", allocation_strategy=strategy).allocation_strategy == strategy


def test_allocation_strategy_none_is_the_default(task):
    task.allocation_strategy = "order"
    task.allocation_strategy = None
    assert task.allocation_strategy == "minallocated"


def test_allocation_strategy_errors(task):
    with pytest.raises(TypeError, match=r"Task\.allocation_strategy"):
        task.allocation_strategy = 1
    with pytest.raises(ValueError, match=r"Task\.allocation_strategy"):
        task.allocation_strategy = "fastest"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), (True, True), (False, False), ("x", True), (0, False), ("", False)],
)
def test_persistent_allocation(task, value, expected):
    task.persistent_allocation = value
    assert task.persistent_allocation is expected


def test_persistent_allocation_none_reads_the_config(task):
    stalker.defaults.persistent_allocation = False
    task.persistent_allocation = None
    assert task.persistent_allocation is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 500), (0, 0), (700, 700), (500.1, 500), (-10, 0), (2000, 1000)],
)
def test_priority(task, value, expected):
    task.priority = value
    assert task.priority == expected
    assert isinstance(task.priority, int)


def test_priority_none_reads_the_config(world):
    stalker.defaults.task_priority = 300
    assert world.task("T", priority=None).priority == 300


@pytest.mark.parametrize("bad", ["500", [500]])
def test_priority_type_error(task, bad):
    with pytest.raises(TypeError, match=r"Task\.priority"):
        task.priority = bad


def test_is_milestone(world):
    task = world.task("T", resources=[world.user()])
    task.is_milestone = None
    assert task.is_milestone is False
    assert task.resources == [world.user()]
    task.is_milestone = True
    assert task.resources == []


@pytest.mark.parametrize("bad", ["yes", 1, 0])
def test_is_milestone_type_error(task, bad):
    with pytest.raises(TypeError, match=r"Task\.is_milestone"):
        task.is_milestone = bad


def test_review_number_is_read_only(task):
    with pytest.raises(AttributeError):
        task.review_number = 3
    assert task.review_number == 0


def test_bid_timing(task):
    task.bid_timing = 4.5
    assert task.bid_timing == 4.5
    task.bid_timing = None
    assert task.bid_timing is None
    with pytest.raises(TypeError, match=r"Task\.bid_timing"):
        task.bid_timing = "4"


def test_bid_unit(task):
    task.bid_unit = "d"
    assert task.bid_unit == "d"
    task.bid_unit = None
    assert task.bid_unit == "h"
    with pytest.raises(TypeError, match=r"Task\.bid_unit"):
        task.bid_unit = 1
    with pytest.raises(ValueError, match=r"Task\.bid_unit"):
        task.bid_unit = "days"


def test_bid_is_not_used_for_the_schedule(world):
    task = world.task("T", schedule_timing=2, schedule_unit="h", start=dt(2013, 4, 17))
    task.bid_timing = 10
    task.bid_unit = "d"
    assert task.schedule_seconds == 7200
    assert task.end == dt(2013, 4, 17, 2)


def test_versions_and_good(world):
    task = world.task("T")
    assert task.versions == []
    assert task.good is None
    with pytest.raises(TypeError, match=r"Task\.versions"):
        task.versions.append("version")
    with pytest.raises(TypeError, match=r"Task\.good"):
        world.task("U", good="good")


@pytest.mark.parametrize(
    ("attr", "target"), [("computed_start", "start"), ("computed_end", "end")]
)
def test_computed_dates_also_set_the_plan(task, attr, target):
    value = dt(2013, 5, 1) if target == "end" else dt(2013, 4, 10)
    setattr(task, attr, value)
    assert getattr(task, attr) == value
    assert getattr(task, target) == value


def test_is_scheduled(task):
    task.computed_start = dt(2013, 4, 17)
    assert task.is_scheduled is False
    task.computed_end = dt(2013, 4, 18)
    assert task.is_scheduled is True


# =============================================================================
# §6.3 parent / children
# =============================================================================


def test_parent_must_be_a_task(world):
    with pytest.raises(TypeError, match=r"Task\.parent"):
        world.task("T").parent = world.project


def test_parent_among_dependencies_is_circular(world):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    with pytest.raises(CircularDependencyError, match="depend"):
        b.parent = a
    assert b.parent is None


def test_parent_among_transitive_dependencies_is_circular(world):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    c = world.task("C", depends_on=[b])
    with pytest.raises(CircularDependencyError):
        c.parent = a


def test_receiving_a_child_empties_the_resources(world):
    parent = world.task("P", resources=[world.user()])
    world.task("C1", parent=parent)
    assert parent.resources == []
    parent.resources = [world.user()]
    world.task("C2", parent=parent)
    assert parent.resources == []


def test_first_child_sets_the_container_dates(world):
    parent = world.task("P", start=dt(2013, 1, 1), schedule_timing=3, schedule_unit="d")
    world.task("C", parent=parent, start=dt(2013, 4, 17, 9), schedule_timing=5)
    assert parent.start == dt(2013, 4, 17, 9)
    assert parent.end == dt(2013, 4, 17, 14)


def test_further_children_widen_the_container(world):
    parent = world.task("P")
    world.task("C1", parent=parent, start=dt(2013, 4, 17, 9), schedule_timing=5)
    world.task("C2", parent=parent, start=dt(2013, 4, 16, 9), schedule_timing=2)
    assert parent.start == dt(2013, 4, 16, 9)
    assert parent.end == dt(2013, 4, 17, 14)
    world.task("C3", parent=parent, start=dt(2013, 4, 17, 10), schedule_timing=20)
    assert parent.start == dt(2013, 4, 16, 9)
    assert parent.end == dt(2013, 4, 18, 6)


def test_child_date_changes_widen_every_ancestor(world):
    root = world.task("R", start=dt(2013, 4, 17))
    mid = world.task("M", parent=root, start=dt(2013, 4, 17))
    leaf = world.task("L", parent=mid, start=dt(2013, 4, 17, 9), schedule_timing=2)
    assert (root.start, root.end) == (dt(2013, 4, 17), dt(2013, 4, 17, 11))
    leaf.end = dt(2013, 4, 20)
    assert mid.end == dt(2013, 4, 20) and root.end == dt(2013, 4, 20)
    leaf.start = dt(2013, 4, 10)
    assert mid.start == dt(2013, 4, 10) and root.start == dt(2013, 4, 10)
    assert root.end == dt(2013, 4, 20)


def test_child_shrinking_does_not_shrink_the_container(world):
    parent = world.task("P")
    child = world.task("C", parent=parent, start=dt(2013, 4, 17, 9), schedule_timing=5)
    child.schedule_timing = 1
    assert child.end == dt(2013, 4, 17, 10)
    assert parent.end == dt(2013, 4, 17, 14)


def test_removing_a_child_recomputes_the_container_dates(world):
    parent = world.task("P")
    world.task("C1", parent=parent, start=dt(2013, 4, 17, 9), schedule_timing=5)
    late = world.task("C2", parent=parent, start=dt(2013, 4, 20, 9), schedule_timing=2)
    assert parent.end == dt(2013, 4, 20, 11)
    parent.children.remove(late)
    assert parent.start == dt(2013, 4, 17, 9)
    assert parent.end == dt(2013, 4, 17, 14)


def test_removing_the_last_child_restarts_the_container_now(world):
    parent = world.task("P")
    child = world.task("C", parent=parent, start=dt(2013, 4, 17, 9), schedule_timing=5)
    before = now_rounded()
    parent.children.remove(child)
    after = now_rounded()
    assert before <= parent.start <= after
    assert parent.end == parent.start + parent.duration
    assert parent.is_leaf


def test_parenting_does_not_recompute_the_container_status(world):
    parent = world.task("P")
    child = world.task("C")
    world.set_status(child, "WIP")
    child.parent = parent
    assert parent.status.code == "RTS"


# =============================================================================
# §6.4 dependencies
# =============================================================================


def test_depends_on_creates_task_dependencies(world):
    a, b = world.task("A"), world.task("B")
    c = world.task("C", depends_on=[a, b])
    assert [dep.depends_on for dep in c.task_depends_on] == [a, b]
    assert all(dep.task is c for dep in c.task_depends_on)
    assert a.dependent_of == [c] and b.dependent_of == [c]
    assert [dep.task for dep in a.task_dependent_of] == [c]


def test_dependency_aliases(world):
    a = world.task("A")
    b = world.task("B")
    b.depends = [a]
    assert b.depends_on == [a]
    assert b.depends == [a]
    assert b.task_depends_to == b.task_depends_on
    assert b.task_depends_on[0].depends_to is a


def test_appending_a_task_dependency_object(world):
    a, b = world.task("A"), world.task("B")
    b.task_depends_on.append(TaskDependency(depends_on=a))
    assert b.depends_on == [a]


def test_dependency_without_target_is_accepted_unchecked(world):
    b = world.task("B")
    world.set_status(b, "CMPL")
    dependency = TaskDependency()
    b.task_depends_on.append(dependency)
    assert dependency.task is b
    assert b.status.code == "CMPL"


@pytest.mark.parametrize("code", ["WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL"])
def test_dependency_status_gate(world, code):
    a, b = world.task("A"), world.task("B")
    world.set_status(b, code)
    with pytest.raises(StatusError) as info:
        b.depends_on.append(a)
    assert "B" in str(info.value) and code in str(info.value)
    assert b.depends_on == []


@pytest.mark.parametrize("code", ["WIP", "CMPL"])
def test_dependency_status_gate_applies_to_containers(world, code):
    a = world.task("A")
    container = world.task("C")
    world.task("leaf", parent=container)
    world.set_status(container, code)
    with pytest.raises(StatusError):
        container.depends_on.append(a)


def test_container_in_rts_may_gain_dependencies(world):
    a = world.task("A")
    container = world.task("C")
    world.task("leaf", parent=container)
    world.set_status(container, "RTS")
    container.depends_on.append(a)
    assert container.depends_on == [a]


@pytest.mark.parametrize("bad", ["task", 1])
def test_dependency_must_be_a_task(world, bad):
    b = world.task("B")
    with pytest.raises(TypeError):
        b.depends_on.append(bad)


def test_depends_on_must_be_iterable(world):
    with pytest.raises(TypeError):
        world.task("B").depends_on = 5


def test_depending_on_itself_is_circular(world):
    a = world.task("A")
    with pytest.raises(CircularDependencyError):
        a.depends_on.append(a)


def test_direct_cycle_is_rejected(world):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    with pytest.raises(CircularDependencyError):
        a.depends_on.append(b)
    assert a.depends_on == []


def test_transitive_cycle_is_rejected(world):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    c = world.task("C", depends_on=[b])
    with pytest.raises(CircularDependencyError):
        a.depends_on.append(c)


@pytest.mark.parametrize("ancestor", ["parent", "grandparent"])
def test_depending_on_an_ancestor_is_circular(world, ancestor):
    grandparent = world.task("grandparent")
    parent = world.task("parent", parent=grandparent)
    child = world.task("child", parent=parent)
    target = {"parent": parent, "grandparent": grandparent}[ancestor]
    with pytest.raises(CircularDependencyError):
        child.depends_on.append(target)


def test_depending_on_a_dependent_of_an_ancestor_is_circular(world):
    t1 = world.task("T1")
    t2 = world.task("T2", parent=t1)
    t3 = world.task("T3", depends_on=[t1])
    with pytest.raises(CircularDependencyError):
        t2.depends_on.append(t3)


@pytest.mark.parametrize("dep_code", TASK_STATUS_CODES)
def test_adding_a_dependency_moves_rts_toward_wfd(world, dep_code):
    a, b = world.task("A"), world.task("B")
    world.set_status(a, dep_code)
    assert b.status.code == "RTS"
    b.depends_on.append(a)
    expected = "RTS" if dep_code in ("STOP", "CMPL") else "WFD"
    assert b.status.code == expected


@pytest.mark.parametrize("dep_code", ["CMPL", "RTS"])
def test_adding_a_dependency_keeps_wfd(world, dep_code):
    a, b, c = world.task("A"), world.task("B"), world.task("C")
    c.depends_on.append(b)
    assert c.status.code == "WFD"
    world.set_status(a, dep_code)
    c.depends_on.append(a)
    assert c.status.code == "WFD"


def test_adding_a_dependency_does_not_update_the_parent(world):
    parent = world.task("P")
    child = world.task("C", parent=parent)
    other = world.task("O")
    child.depends_on.append(other)
    assert child.status.code == "WFD"
    assert parent.status.code == "RTS"


def test_new_task_with_done_dependencies_is_rts(world):
    a, b = world.task("A"), world.task("B")
    world.set_status(a, "CMPL")
    world.set_status(b, "STOP")
    assert world.task("C", depends_on=[a, b]).status.code == "RTS"


def test_new_task_with_an_active_dependency_is_wfd(world):
    a, b = world.task("A"), world.task("B")
    world.set_status(a, "CMPL")
    assert world.task("C", depends_on=[a, b]).status.code == "WFD"


def test_seed_part_three_dependencies(world):
    shot = world.task("SH001")
    previs = world.task("previs", parent=shot)
    matchmove = world.task("matchmove", parent=shot)
    anim = world.task("anim", parent=shot)
    lighting = world.task("lighting", parent=shot)
    comp = world.task("comp", parent=shot)
    comp.depends_on = [lighting]
    lighting.depends_on = [anim]
    anim.depends_on = [previs, matchmove]
    assert codes(previs, matchmove) == ["RTS", "RTS"]
    assert codes(anim, lighting, comp) == ["WFD", "WFD", "WFD"]
    assert shot.status.code == "RTS"


def test_removing_a_dependency_re_evaluates(world):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    assert b.status.code == "WFD"
    b.depends_on.remove(a)
    assert b.status.code == "RTS"
    assert a.dependent_of == []


@pytest.mark.parametrize("code", ["WIP", "CMPL", "OH"])
def test_removing_a_dependency_is_allowed_in_any_status(world, code):
    a = world.task("A")
    b = world.task("B", depends_on=[a])
    world.set_status(b, code)
    b.depends_on.remove(a)
    assert b.depends_on == []


def test_removing_the_only_active_dependency_makes_it_rts(world):
    a, done = world.task("A"), world.task("Done")
    world.set_status(done, "CMPL")
    b = world.task("B", depends_on=[a, done])
    assert b.status.code == "WFD"
    b.depends_on.remove(a)
    assert b.status.code == "RTS"


def test_replacing_the_list_re_evaluates_and_revalidates(world):
    a, done = world.task("A"), world.task("Done")
    world.set_status(done, "CMPL")
    b = world.task("B", depends_on=[a])
    assert b.status.code == "WFD"
    b.depends_on = [done]
    assert b.depends_on == [done]
    assert b.status.code == "RTS"
    with pytest.raises(CircularDependencyError):
        b.depends_on = [done, b]


def test_walk_dependencies_is_breadth_first(world):
    t3, t4, t5, t6, t8, t9 = (world.task(f"T{n}") for n in (3, 4, 5, 6, 8, 9))
    t4.depends_on = [t8, t3]
    t5.depends_on = [t4]
    t6.depends_on = [t4, t5]
    t9.depends_on = [t6]
    walked = [task.name for task in t9.walk_dependencies()]
    assert walked == ["T9", "T6", "T4", "T5", "T8", "T3", "T4", "T8", "T3"]


def test_walk_dependencies_depth_first(world):
    a, b, c = world.task("A"), world.task("B"), world.task("C")
    b.depends_on = [a]
    c.depends_on = [b]
    assert [t.name for t in c.walk_dependencies(method=0)] == ["C", "B", "A"]


# =============================================================================
# §6.5 _reschedule
# =============================================================================


@pytest.mark.parametrize(
    ("timing", "unit", "expected_end"),
    [
        (10, "h", dt(2013, 4, 17, 10)),
        (5, "d", dt(2013, 4, 22)),
        (2, "w", dt(2013, 5, 1)),
        (90, "min", dt(2013, 4, 17, 2)),
        (1, "m", dt(2013, 5, 17)),
        (1, "y", dt(2014, 4, 17)),
    ],
)
def test_reschedule_moves_the_end(world, timing, unit, expected_end):
    task = world.task("T", start=dt(2013, 4, 17))
    task.schedule_unit = unit
    task.schedule_timing = timing
    assert task.start == dt(2013, 4, 17)
    assert task.end == expected_end


def test_month_is_thirty_calendar_days(world):
    task = world.task(
        "T", start=dt(2024, 1, 1, 9), schedule_timing=1, schedule_unit="m"
    )
    assert task.end == dt(2024, 1, 31, 9)


def test_reschedule_with_start_constraint_keeps_the_start(world):
    task = world.task("T", start=dt(2013, 4, 17), schedule_constraint=1)
    task.schedule_timing = 3
    task.schedule_unit = "d"
    assert (task.start, task.end) == (dt(2013, 4, 17), dt(2013, 4, 20))


def test_reschedule_with_end_constraint_keeps_the_end(world):
    task = world.task("T", start=dt(2013, 4, 17), schedule_constraint=2)
    task.end = dt(2013, 4, 18)
    task.schedule_unit = "d"
    task.schedule_timing = 10
    assert task.end == dt(2013, 4, 18)
    assert task.start == dt(2013, 4, 8)


def test_reschedule_with_both_constraint_keeps_both(world):
    task = world.task("T", start=dt(2013, 4, 17), schedule_constraint=3)
    task.end = dt(2013, 4, 27)
    task.schedule_unit = "d"
    task.schedule_timing = 100
    assert (task.start, task.end) == (dt(2013, 4, 17), dt(2013, 4, 27))
    assert task.duration == datetime.timedelta(days=10)


def test_unit_change_reschedules(world):
    task = world.task("T", start=dt(2013, 4, 17), schedule_timing=2)
    assert task.end == dt(2013, 4, 17, 2)
    task.schedule_unit = "d"
    assert task.end == dt(2013, 4, 19)


def test_reschedule_result_is_rounded_to_the_resolution(world):
    task = world.task("T", start=dt(2013, 4, 17))
    task.schedule_unit = "min"
    task.schedule_timing = 10
    assert task.end == dt(2013, 4, 17, 1)
    assert task.duration == HOUR


def test_containers_are_not_rescheduled(world):
    parent = world.task("P")
    world.task("C", parent=parent, start=dt(2013, 4, 17), schedule_timing=5)
    parent.schedule_timing = 100
    parent.schedule_unit = "d"
    assert (parent.start, parent.end) == (dt(2013, 4, 17), dt(2013, 4, 17, 5))


def test_child_timing_changes_update_the_parent_schedule_seconds(world):
    root = world.task("R")
    mid = world.task("M", parent=root)
    a = world.task("A", parent=mid, schedule_timing=2)
    b = world.task("B", parent=mid, schedule_timing=1, schedule_unit="d")
    assert mid.schedule_seconds == 7200 + 32400
    assert root.schedule_seconds == 7200 + 32400
    a.schedule_timing = 5
    assert mid.schedule_seconds == 18000 + 32400
    b.schedule_unit = "h"
    assert root.schedule_seconds == 18000 + 3600


def test_update_schedule_info_keeps_container_sums(world):
    root = world.task("R")
    world.task("A", parent=root, schedule_timing=2)
    world.task("B", parent=root, schedule_timing=3)
    root.update_schedule_info()
    assert root.schedule_seconds == 5 * 3600
    assert root.total_logged_seconds == 0


# =============================================================================
# §6.6 computed quantities
# =============================================================================


def test_leaf_effort_logged_seconds_and_percent(world):
    u1, u2 = world.user("u1"), world.user("u2")
    task = world.task(
        "T", start=dt(2013, 4, 17), schedule_timing=1, schedule_unit="d", resources=[u1]
    )
    task.create_time_log(u1, dt(2013, 4, 17, 9), dt(2013, 4, 17, 17))
    task.create_time_log(u2, dt(2013, 4, 17, 9), dt(2013, 4, 17, 21))
    assert task.schedule_seconds == 32400
    assert task.total_logged_seconds == 72000
    assert task.remaining_seconds == 32400 - 72000
    assert task.percent_complete == pytest.approx(222.2222, abs=1e-3)


def test_effort_logged_seconds_include_future_logs(world):
    future = now_rounded() + datetime.timedelta(days=30)
    task = world.task("T")
    task.create_time_log(world.user(), future, future + 3 * HOUR)
    assert task.total_logged_seconds == 3 * 3600


def test_container_percent_mixes_effort_and_duration(world):
    user = world.user()
    root = world.task("R")
    a = world.task("A", parent=root, schedule_timing=1, schedule_unit="d")
    a.create_time_log(user, dt(2013, 4, 17, 9), dt(2013, 4, 17, 11))
    a.create_time_log(user, dt(2013, 4, 18, 9), dt(2013, 4, 18, 14))
    b = world.task(
        "B",
        parent=root,
        schedule_model="duration",
        schedule_timing=1,
        schedule_unit="d",
        start=dt(2013, 4, 1),
    )
    assert b.total_logged_seconds == 86400
    assert root.schedule_seconds == 118800
    assert root.total_logged_seconds == 111600
    assert root.percent_complete == pytest.approx(93.9394, abs=1e-3)


def test_container_percent_mixes_effort_and_length(world):
    user = world.user()
    root = world.task("R")
    a = world.task("A", parent=root, schedule_timing=1, schedule_unit="d")
    a.create_time_log(user, dt(2013, 4, 17, 9), dt(2013, 4, 17, 11))
    a.create_time_log(user, dt(2013, 4, 18, 9), dt(2013, 4, 18, 14))
    b = world.task(
        "B",
        parent=root,
        schedule_model="length",
        schedule_timing=1,
        schedule_unit="d",
        start=dt(2013, 4, 1, 9),
    )
    b.end = dt(2013, 4, 1, 18)
    assert b.total_logged_seconds == 9 * 3600
    assert root.schedule_seconds == 64800
    assert root.percent_complete == pytest.approx(88.8889, abs=1e-3)


def test_length_logged_seconds_count_working_days(world):
    task = world.task("T", schedule_model="length", start=dt(2013, 4, 1, 9))
    task.end = dt(2013, 4, 3, 12)
    assert task.total_logged_seconds == 2 * 9 * 3600 + 3 * 3600


def test_future_duration_task_has_nothing_logged(world):
    start = now_rounded() + datetime.timedelta(days=2)
    task = world.task(
        "T",
        schedule_model="duration",
        schedule_timing=1,
        schedule_unit="d",
        start=start,
    )
    assert task.total_logged_seconds == 0


def test_running_duration_task_logs_elapsed_time(world):
    start = now_rounded() - datetime.timedelta(days=1)
    task = world.task(
        "T",
        schedule_model="duration",
        schedule_timing=3,
        schedule_unit="d",
        start=start,
    )
    elapsed = datetime.datetime.now(UTC) - start
    expected = elapsed.days * 86400 + elapsed.seconds
    assert abs(task.total_logged_seconds - expected) <= 5


def test_duration_task_ignores_time_logs(world):
    task = world.task(
        "T",
        schedule_model="duration",
        schedule_timing=1,
        schedule_unit="d",
        start=now_rounded() + datetime.timedelta(days=10),
    )
    task.create_time_log(world.user(), dt(2013, 4, 17, 9), dt(2013, 4, 17, 12))
    assert task.total_logged_seconds == 0


def test_parent_total_follows_log_edits(world):
    root = world.task("R")
    child = world.task("C", parent=root, schedule_timing=2, schedule_unit="d")
    log = child.create_time_log(world.user(), dt(2013, 4, 17), dt(2013, 4, 17, 8))
    assert root.total_logged_seconds == 8 * 3600
    log.end = dt(2013, 4, 17, 16)
    assert child.total_logged_seconds == 16 * 3600
    assert root.total_logged_seconds == 16 * 3600
    log.start = dt(2013, 4, 17, 4)
    assert root.total_logged_seconds == 12 * 3600


def test_nested_container_sums_are_recursive(world):
    root = world.task("R")
    mid = world.task("M", parent=root)
    leaf = world.task("L", parent=mid, schedule_timing=4)
    world.task("K", parent=root, schedule_timing=1)
    leaf.create_time_log(world.user(), dt(2013, 4, 17, 9), dt(2013, 4, 17, 11))
    assert root.schedule_seconds == 5 * 3600
    assert root.total_logged_seconds == 2 * 3600
    assert root.remaining_seconds == 3 * 3600
    assert root.percent_complete == pytest.approx(40.0)


def test_reparenting_moves_the_cached_sums(world):
    old, new = world.task("Old"), world.task("New")
    world.task("Keep", parent=old, schedule_timing=1)
    mover = world.task("Mover", parent=old, schedule_timing=3)
    mover.create_time_log(world.user(), dt(2013, 4, 17, 9), dt(2013, 4, 17, 10))
    world.task("Other", parent=new, schedule_timing=2)
    mover.parent = new
    assert old.schedule_seconds == 3600 and old.total_logged_seconds == 0
    assert new.schedule_seconds == 5 * 3600 and new.total_logged_seconds == 3600


def test_zero_schedule_percent_is_a_zero_division(world):
    task = world.task("T", schedule_timing=0)
    with pytest.raises(ZeroDivisionError):
        _ = task.percent_complete


@pytest.mark.parametrize(
    "attr", ["remaining_seconds", "percent_complete", "is_scheduled", "level"]
)
def test_computed_quantities_are_read_only(task, attr):
    with pytest.raises(AttributeError):
        setattr(task, attr, 1)


def test_tjp_ids(session):
    world = TaskWorld(session)
    root = world.task("R")
    child = world.task("C", parent=root)
    world.flush()
    assert root.tjp_id == f"Task_{root.id}"
    assert root.tjp_abs_id == f"Project_{world.project.id}.Task_{root.id}"
    assert child.tjp_abs_id == (
        f"Project_{world.project.id}.Task_{root.id}.Task_{child.id}"
    )


# =============================================================================
# §6.7 responsible inheritance
# =============================================================================


def test_responsible_is_inherited_from_the_nearest_ancestor(world):
    u1, u2 = world.user("u1"), world.user("u2")
    root = world.task("R", responsible=[u1])
    mid = world.task("M", parent=root, responsible=[u2])
    leaf = world.task("L", parent=mid)
    assert leaf.responsible == [u2]


def test_responsible_example(world):
    u1, u2 = world.user("u1"), world.user("u2")
    root = world.task("R", responsible=[u1])
    child = world.task("C", parent=root)
    grandchild = world.task("G", parent=child)
    assert child.responsible == [u1]
    assert grandchild.responsible == [u1]
    child.responsible = [u2]
    assert grandchild.responsible == [u1]


def test_inherited_responsible_is_a_stored_copy(world):
    u1, u2 = world.user("u1"), world.user("u2")
    root = world.task("R", responsible=[u1])
    child = world.task("C", parent=root)
    assert child.responsible == [u1]
    child.responsible.append(u2)
    assert root.responsible == [u1]
    assert child.responsible == [u1, u2]


def test_empty_list_re_enables_inheritance(world):
    u1, u2 = world.user("u1"), world.user("u2")
    root = world.task("R", responsible=[u1])
    child = world.task("C", parent=root)
    assert child.responsible == [u1]
    root.responsible = [u2]
    child.responsible = []
    assert child.responsible == [u2]


def test_no_responsible_anywhere_is_empty(world):
    root = world.task("R")
    assert world.task("C", parent=root).responsible == []


# =============================================================================
# equality, hash
# =============================================================================


def test_equality(world):
    start = dt(2013, 4, 17)
    a = world.task("Same", start=start)
    b = world.task("Same", start=start)
    assert a == b
    assert a != world.task("Other", start=start)
    assert a != world.task("Same", start=dt(2013, 4, 18))
    parent = world.task("P")
    assert a != world.task("Same", start=start, parent=parent)
    assert a != world.task("Same", start=start, resources=[world.user()])
    assert a != world.task("Same", start=start, depends_on=[parent])
    assert a != "Same"


def test_tasks_are_hashable(world):
    a = world.task("A")
    assert a in {a}
    assert {a: 1}[a] == 1


# =============================================================================
# path / absolute_path
# =============================================================================

PATH = (
    "{{project.code}}/{%- for parent_task in parent_tasks -%}"
    "{{parent_task.nice_name}}/{%- endfor -%}"
)


def project_with_template(path, target="Task"):
    template = FilenameTemplate(name="T", target_entity_type=target, path=path)
    structure = Structure(name="S", templates=[template])
    return make_project("Path Project", "tp1", structure=structure)


def test_path_of_a_root_task():
    project = project_with_template(PATH)
    task = Task(name="Modeling", project=project, status_list=TaskWorld().status_list)
    assert task.path == "tp1/Modeling"


def test_path_of_a_nested_task():
    project = project_with_template(PATH)
    status_list = TaskWorld().status_list
    root = Task(name="Asset", project=project, status_list=status_list)
    child = Task(name="Model", parent=root, status_list=status_list)
    assert child.path == "tp1/Asset/Model"


def test_path_variables():
    source = "{{task.name}}/{{type}}/{{sequences|length}}/{{scenes|length}}"
    project = project_with_template(source)
    task = Task(name="X", project=project, status_list=TaskWorld().status_list)
    assert task.path == "X/None/0/0"


def test_path_is_normalised():
    project = project_with_template("{{project.code}}//a/./b\\c/")
    task = Task(name="X", project=project, status_list=TaskWorld().status_list)
    assert task.path == "tp1/a/b/c"


def test_absolute_path_expands_variables(monkeypatch):
    # only the leading repository variable is allowed (issue 18)
    monkeypatch.setenv("REPOTASKTEST", "jobs")
    project = project_with_template("$REPOTASKTEST/{{project.code}}")
    task = Task(name="X", project=project, status_list=TaskWorld().status_list)
    assert task.path == "$REPOTASKTEST/tp1"
    assert task.absolute_path == "jobs/tp1"


def test_path_escaping_the_sandbox_is_a_value_error():
    project = project_with_template("{{project.code}}/../../etc")
    task = Task(name="X", project=project, status_list=TaskWorld().status_list)
    with pytest.raises(ValueError):
        _ = task.path


def test_path_needs_a_structure(world):
    with pytest.raises(RuntimeError):
        _ = world.task("T").path


def test_path_needs_a_task_template():
    project = project_with_template(PATH, target="Asset")
    task = Task(name="X", project=project, status_list=TaskWorld().status_list)
    with pytest.raises(RuntimeError):
        _ = task.path
    with pytest.raises(RuntimeError):
        _ = task.absolute_path


# =============================================================================
# persistence and cascades (both backends)
# =============================================================================


def test_round_trip(session):
    world = TaskWorld(session)
    user = world.user()
    a = world.task("A", start=dt(2013, 4, 17), schedule_timing=2, resources=[user])
    b = world.task("B", depends_on=[a], responsible=[user], priority=700)
    world.flush()
    session.commit()
    ids = a.id, b.id
    login = user.login
    session.expunge_all()
    a, b = (session.get(Task, task_id) for task_id in ids)
    assert b.depends_on == [a]
    assert a.dependent_of == [b]
    assert a.resources[0].login == login
    assert (a.start, a.end) == (dt(2013, 4, 17), dt(2013, 4, 17, 2))
    assert a.schedule_timing == 2.0 and b.priority == 700
    assert b.status.code == "WFD"


def test_deleting_a_task_cascades(session):
    world = TaskWorld(session)
    user = world.user()
    upstream = world.task("Up")
    victim = world.task("Victim", depends_on=[upstream], schedule_timing=5)
    child = world.task("Child", parent=victim)
    downstream = world.task("Down", depends_on=[victim])
    world.set_status(child, "RTS")
    log = child.create_time_log(user, dt(2013, 4, 17, 9), dt(2013, 4, 17, 10))
    review = Review(task=child, reviewer=user)
    world.flush()
    session.commit()
    ids = {
        "child": child.id,
        "log": log.id,
        "review": review.id,
        "victim": victim.id,
    }
    session.delete(victim)
    with pytest.raises(
        DeleteRefusedError, match=r"Task 'Child' \(id \d+\) has 1 time log"
    ):
        session.commit()
    session.rollback()
    assert session.get(TimeLog, ids["log"]) is log
    delete_with_work_records(victim)
    session.commit()
    session.expire_all()
    assert session.get(Task, ids["victim"]) is None
    assert session.get(Task, ids["child"]) is None
    assert session.get(TimeLog, ids["log"]) is None
    assert session.get(Review, ids["review"]) is None
    assert session.query(TaskDependency).count() == 0
    assert upstream.dependent_of == [] and downstream.depends_on == []
    assert session.get(User, user.id) is user
