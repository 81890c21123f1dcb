"""The task status workflow (spec 07 §9) and the worked scenario (§12)."""

from __future__ import annotations

import datetime

import pytest

import stalker
from stalker import Review, Task, TaskDependency
from stalker.exceptions import (
    DependencyViolationError,
    OverBookedError,
    StatusError,
)

from ..task_factories import TASK_STATUS_CODES, TaskWorld, codes, dt


@pytest.fixture
def world():
    return TaskWorld()


# =============================================================================
# §9.6 transition summary for leaves, every cell
# =============================================================================

EVENTS = (
    "add_dep",
    "all_deps_done",
    "dep_reopened",
    "time_log",
    "request_review",
    "review_all_approve",
    "review_any_rrev",
    "request_revision",
    "hold",
    "stop",
    "resume",
)
E = "error"
NA = "-"
# fmt: off
SUMMARY = {
    # columns: the EVENTS above, in order
    "WFD": ("WFD", "RTS", "WFD", E, E, NA, NA, E, E, E, E),
    "RTS": ("WFD", "RTS", "WFD", "WIP", E, NA, NA, E, E, E, E),
    "WIP": (E, "WIP", "DREV", "WIP", "PREV", NA, NA, E, "OH", "STOP", E),
    "PREV": (E, "PREV", "PREV", "PREV", E, "CMPL", "HREV", "HREV", E, E, E),
    "HREV": (E, "HREV", "DREV", "WIP", E, NA, NA, E, E, E, E),
    "DREV": (E, "HREV", "DREV", "DREV", E, NA, NA, E, "OH", "STOP", E),
    "OH": (E, "OH", "OH", E, E, NA, NA, E, "OH", E, "RTS"),
    "STOP": (E, "STOP", "STOP", E, E, NA, NA, E, E, "STOP", "RTS"),
    "CMPL": (E, "CMPL", "DREV", E, E, NA, NA, "HREV", E, E, E),
}
# fmt: on
# (resume: "WIP, then §9.3" — a task without dependencies or logs ends up RTS.)

CELLS = [
    pytest.param(start, event, result, id=f"{start}-{event}")
    for start, row in SUMMARY.items()
    for event, result in zip(EVENTS, row, strict=True)
    if result != NA
]


def fire(world, task, event, start_code):
    """Put ``task`` in ``start_code`` and fire ``event`` on it."""
    upstream = task.depends_on[0] if task.depends_on else None
    world.set_status(task, start_code)
    user = world.user("reviewer")
    if event == "add_dep":
        task.depends_on.append(world.task("Active"))
    elif event == "all_deps_done":
        world.set_status(upstream, "CMPL")
        task.update_status_with_dependent_statuses()
    elif event == "dep_reopened":
        world.set_status(upstream, "HREV")
        task.update_status_with_dependent_statuses()
    elif event == "time_log":
        task.create_time_log(
            world.user("artist"), dt(2014, 3, 10, 9), dt(2014, 3, 10, 10)
        )
    elif event == "request_review":
        task.request_review()
    elif event in ("review_all_approve", "review_any_rrev"):
        world.set_status(task, "WIP")
        reviews = task.request_review()
        assert task.status.code == "PREV" and len(reviews) == 2
        reviews[0].approve()
        if event == "review_all_approve":
            reviews[1].approve()
        else:
            reviews[1].request_revision(schedule_timing=1, schedule_unit="h")
    elif event == "request_revision":
        task.request_revision(reviewer=user)
    else:
        getattr(task, event)()


def build_leaf(world, event):
    """A leaf task with what ``event`` needs (a dependency, two responsibles)."""
    kwargs = {"start": dt(2014, 3, 10, 9), "schedule_timing": 4}
    if event in ("all_deps_done", "dep_reopened"):
        kwargs["depends_on"] = [
            world.task("Upstream", start=dt(2014, 3, 3, 9), schedule_timing=1)
        ]
    if event in ("review_all_approve", "review_any_rrev"):
        kwargs["responsible"] = [world.user("lead1"), world.user("lead2")]
    return world.task("Leaf", **kwargs)


@pytest.mark.parametrize(("start", "event", "result"), CELLS)
def test_leaf_transition_summary(session, start, event, result):
    world = TaskWorld(session)
    task = build_leaf(world, event)
    if result == E:
        with pytest.raises(StatusError):
            fire(world, task, event, start)
        assert task.status.code == start
    else:
        fire(world, task, event, start)
        assert task.status.code == result


# =============================================================================
# §9.3 dependency evaluation: every row x both columns
# =============================================================================

WORK_ALONE = {
    "WFD": "RTS",
    "RTS": "RTS",
    "WIP": "WIP",
    "PREV": "PREV",
    "HREV": "HREV",
    "DREV": "HREV",
    "OH": "OH",
    "STOP": "STOP",
    "CMPL": "CMPL",
}
BLOCKED = {
    "WFD": "WFD",
    "RTS": "WFD",
    "WIP": "DREV",
    "PREV": "PREV",
    "HREV": "DREV",
    "DREV": "DREV",
    "OH": "OH",
    "STOP": "STOP",
    "CMPL": "DREV",
}
DONE_SETS = [("CMPL",), ("STOP",), ("STOP", "CMPL")]
ACTIVE_SETS = [(code,) for code in ("WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH")]
ACTIVE_SETS += [("CMPL", "WIP"), ("STOP", "OH"), ("CMPL", "STOP", "RTS")]


def leaf_with_dependencies(world, dep_codes):
    deps = [world.task(f"D{i}") for i in range(len(dep_codes))]
    task = world.task("T", depends_on=deps)
    for dep, code in zip(deps, dep_codes, strict=True):
        world.set_status(dep, code)
    return task


@pytest.mark.parametrize("dep_codes", DONE_SETS, ids="+".join)
@pytest.mark.parametrize("current", TASK_STATUS_CODES)
def test_dependency_evaluation_work_alone(world, current, dep_codes):
    task = leaf_with_dependencies(world, dep_codes)
    world.set_status(task, current)
    task.update_status_with_dependent_statuses()
    assert task.status.code == WORK_ALONE[current]


@pytest.mark.parametrize("dep_codes", ACTIVE_SETS, ids="+".join)
@pytest.mark.parametrize("current", TASK_STATUS_CODES)
def test_dependency_evaluation_blocked(world, current, dep_codes):
    task = leaf_with_dependencies(world, dep_codes)
    world.set_status(task, current)
    task.update_status_with_dependent_statuses()
    assert task.status.code == BLOCKED[current]


@pytest.mark.parametrize(
    ("current", "has_logs", "expected"),
    [
        ("WFD", False, "RTS"),
        ("WIP", True, "WIP"),
        ("WIP", False, "RTS"),
        ("DREV", True, "WIP"),
        ("DREV", False, "RTS"),
        ("RTS", False, "RTS"),
        ("PREV", False, "PREV"),
        ("HREV", False, "HREV"),
        ("OH", False, "OH"),
        ("STOP", False, "STOP"),
        ("CMPL", False, "CMPL"),
    ],
)
def test_dependency_evaluation_without_dependencies(world, current, has_logs, expected):
    task = world.task("T", start=dt(2014, 3, 3, 9), schedule_timing=5)
    if has_logs:
        task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    world.set_status(task, current)
    task.update_status_with_dependent_statuses()
    assert task.status.code == expected


def test_without_dependencies_parents_are_not_touched(world):
    parent = world.task("P")
    child = world.task("C", parent=parent)
    world.set_status(child, "WFD")
    world.set_status(parent, "CMPL")
    child.update_status_with_dependent_statuses()
    assert child.status.code == "RTS"
    assert parent.status.code == "CMPL"


def test_with_dependencies_parents_are_updated(world):
    parent = world.task("P")
    upstream = world.task("U")
    child = world.task("C", parent=parent, depends_on=[upstream])
    world.task("Sibling", parent=parent)
    world.set_status(parent, "CMPL")
    world.set_status(upstream, "CMPL")
    child.update_status_with_dependent_statuses()
    assert child.status.code == "RTS"
    assert parent.status.code == "RTS"


def test_containers_ignore_dependency_evaluation(world):
    container = world.task("C")
    world.task("Child", parent=container)
    world.set_status(container, "WFD")
    container.update_status_with_dependent_statuses()
    assert container.status.code == "WFD"


def test_removing_argument_ignores_that_dependency(world):
    active, done = world.task("Active"), world.task("Done")
    world.set_status(done, "CMPL")
    task = world.task("T", depends_on=[active, done])
    assert task.status.code == "WFD"
    task.update_status_with_dependent_statuses(removing=active)
    assert task.status.code == "RTS"
    task.update_status_with_dependent_statuses()
    assert task.status.code == "WFD"


def test_drev_to_hrev_extends_a_task_with_no_time_left(world):
    upstream = world.task("U", start=dt(2014, 3, 3, 9), schedule_timing=1)
    task = world.task(
        "T", depends_on=[upstream], start=dt(2014, 3, 3, 10), schedule_timing=2
    )
    world.set_status(task, "RTS")
    task.create_time_log(world.user(), dt(2014, 3, 3, 10), dt(2014, 3, 3, 12))
    assert task.remaining_seconds == 0
    world.set_status(task, "DREV")
    world.set_status(upstream, "CMPL")
    task.update_status_with_dependent_statuses()
    assert task.status.code == "HREV"
    assert (task.schedule_timing, task.schedule_unit) == (3, "h")


def test_drev_to_hrev_uses_the_resolution_at_call_time(world):
    upstream = world.task("U", start=dt(2014, 3, 3, 9), schedule_timing=1)
    task = world.task(
        "T", depends_on=[upstream], start=dt(2014, 3, 3, 10), schedule_timing=1
    )
    world.set_status(task, "RTS")
    task.create_time_log(world.user(), dt(2014, 3, 3, 10), dt(2014, 3, 3, 11))
    world.set_status(task, "DREV")
    world.set_status(upstream, "STOP")
    stalker.defaults.timing_resolution = datetime.timedelta(minutes=30)
    task.update_status_with_dependent_statuses()
    assert (task.schedule_timing, task.schedule_unit) == (90, "min")


def test_drev_to_hrev_keeps_a_task_with_time_left(world):
    upstream = world.task("U")
    task = world.task("T", depends_on=[upstream], schedule_timing=3)
    world.set_status(task, "DREV")
    world.set_status(upstream, "CMPL")
    task.update_status_with_dependent_statuses()
    assert task.status.code == "HREV"
    assert (task.schedule_timing, task.schedule_unit) == (3, "h")


def test_other_tasks_status_assignment_does_not_re_evaluate(world):
    upstream = world.task("U")
    task = world.task("T", depends_on=[upstream])
    world.set_status(upstream, "CMPL")
    assert task.status.code == "WFD"


# =============================================================================
# §9.4 containers
# =============================================================================


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        (("CMPL",), "CMPL"),
        (("STOP",), "CMPL"),
        (("CMPL", "STOP"), "CMPL"),
        (("WFD",), "WFD"),
        (("WFD", "STOP"), "WFD"),
        (("RTS",), "RTS"),
        (("RTS", "STOP"), "RTS"),
        (("WFD", "RTS"), "RTS"),
        (("WFD", "RTS", "STOP"), "RTS"),
        (("WIP",), "WIP"),
        (("PREV",), "WIP"),
        (("HREV",), "WIP"),
        (("DREV",), "WIP"),
        (("OH",), "WIP"),
        (("RTS", "CMPL"), "WIP"),
        (("WFD", "CMPL"), "WIP"),
        (("WFD", "WIP"), "WIP"),
        (("CMPL", "OH", "STOP"), "WIP"),
    ],
    ids=lambda value: "+".join(value) if isinstance(value, tuple) else value,
)
def test_container_status_from_children(world, children, expected):
    container = world.task("Container")
    for index, code in enumerate(children):
        world.set_status(world.task(f"C{index}", parent=container), code)
    container.update_status_with_children_statuses()
    assert container.status.code == expected


def test_container_update_climbs_to_the_root(world):
    root = world.task("Root")
    mid = world.task("Mid", parent=root)
    leaf = world.task("Leaf", parent=mid)
    world.task("Other", parent=root)
    world.set_status(leaf, "WIP")
    mid.update_status_with_children_statuses()
    assert codes(mid, root) == ["WIP", "WIP"]
    world.set_status(leaf, "CMPL")
    leaf.update_parent_statuses()
    assert codes(mid, root) == ["CMPL", "WIP"]


def test_leaf_ignores_children_evaluation(world):
    leaf = world.task("Leaf")
    world.set_status(leaf, "OH")
    leaf.update_status_with_children_statuses()
    assert leaf.status.code == "OH"


def test_update_parent_statuses_of_a_root_does_nothing(world):
    root = world.task("Root")
    root.update_parent_statuses()
    assert root.status.code == "RTS"


# =============================================================================
# §9.2 side effects of the leaf actions
# =============================================================================


@pytest.mark.parametrize("code", ["WIP", "DREV", "OH"])
def test_hold_sets_priority_zero_and_keeps_the_schedule(world, code):
    task = world.task("T", priority=800, schedule_timing=5, schedule_unit="d")
    world.set_status(task, code)
    task.hold()
    assert task.status.code == "OH"
    assert task.priority == 0
    assert (task.schedule_timing, task.schedule_unit) == (5, "d")


def test_hold_does_not_update_parents_or_dependents(world):
    parent = world.task("P")
    task = world.task("T", parent=parent)
    dependent = world.task("D", depends_on=[task])
    world.set_status(task, "WIP")
    world.set_status(parent, "WIP")
    task.hold()
    assert codes(parent, dependent) == ["WIP", "WFD"]


def test_stop_sets_the_timing_from_the_logged_time(world):
    task = world.task(
        "T", start=dt(2014, 3, 3, 9), schedule_timing=5, schedule_unit="d"
    )
    user = world.user()
    task.create_time_log(user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    task.create_time_log(user, dt(2014, 3, 3, 11), dt(2014, 3, 3, 12))
    task.stop()
    assert task.status.code == "STOP"
    assert (task.schedule_timing, task.schedule_unit) == (2, "h")


def test_stop_updates_parents_and_dependents(world):
    parent = world.task("P")
    task = world.task("T", parent=parent, start=dt(2014, 3, 3, 9), schedule_timing=5)
    dependent = world.task("D", depends_on=[task])
    task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    assert codes(task, parent, dependent) == ["WIP", "WIP", "WFD"]
    task.stop()
    assert codes(task, parent, dependent) == ["STOP", "CMPL", "RTS"]


@pytest.mark.parametrize("start", ["OH", "STOP"])
def test_resume_without_logs_or_dependencies_is_rts(world, start):
    task = world.task("T")
    world.set_status(task, start)
    task.resume()
    assert task.status.code == "RTS"


@pytest.mark.parametrize("start", ["OH", "STOP"])
def test_resume_with_logs_is_wip(world, start):
    task = world.task("T", start=dt(2014, 3, 3, 9), schedule_timing=5)
    task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    world.set_status(task, start)
    task.resume()
    assert task.status.code == "WIP"


def test_resume_with_active_dependencies_is_drev(world):
    upstream = world.task("U")
    task = world.task("T", depends_on=[upstream])
    world.set_status(upstream, "HREV")
    world.set_status(task, "OH")
    task.resume()
    assert task.status.code == "DREV"


def test_resume_with_done_dependencies_is_wip(world):
    upstream = world.task("U")
    task = world.task("T", depends_on=[upstream])
    world.set_status(upstream, "CMPL")
    world.set_status(task, "STOP")
    task.resume()
    assert task.status.code == "WIP"


def test_resume_updates_the_parents(world):
    parent = world.task("P")
    task = world.task("T", parent=parent, start=dt(2014, 3, 3, 9), schedule_timing=5)
    task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    task.stop()
    assert parent.status.code == "CMPL"
    task.resume()
    assert parent.status.code == "WIP"


def test_request_review_without_responsible_returns_nothing(world):
    task = world.task("T")
    world.set_status(task, "WIP")
    assert task.request_review() == []
    assert task.status.code == "PREV"


def test_request_review_creates_one_review_per_responsible(session):
    world = TaskWorld(session)
    leads = [world.user("lead1"), world.user("lead2")]
    parent = world.task("P", responsible=leads)
    task = world.task("T", parent=parent)
    world.set_status(task, "WIP")
    world.set_status(parent, "WIP")
    reviews = task.request_review()
    assert [review.reviewer for review in reviews] == leads
    assert all(isinstance(review, Review) for review in reviews)
    assert all(review.task is task for review in reviews)
    assert {review.status.code for review in reviews} == {"NEW"}
    assert {review.review_number for review in reviews} == {1}
    assert task.reviews == reviews
    assert parent.status.code == "WIP"


def test_request_revision_needs_a_reviewer(session):
    world = TaskWorld(session)
    task = world.task("T")
    world.set_status(task, "CMPL")
    with pytest.raises(TypeError):
        task.request_revision(reviewer=None)


def test_request_revision_replaces_new_reviews(session):
    world = TaskWorld(session)
    task = world.task("T", responsible=[world.user("lead1"), world.user("lead2")])
    world.set_status(task, "WIP")
    pending = task.request_review()
    world.flush()
    session.commit()
    pending_ids = [review.id for review in pending]
    revision = task.request_revision(
        reviewer=world.user("sup"), description="more", schedule_timing=2
    )
    session.commit()
    assert task.reviews == [revision]
    assert revision.status.code == "RREV"
    assert revision.description == "more"
    assert task.status.code == "HREV"
    assert all(session.get(Review, review_id) is None for review_id in pending_ids)


@pytest.mark.parametrize(
    ("action", "code"),
    [("hold", "RTS"), ("stop", "CMPL"), ("resume", "WIP"), ("request_review", "RTS")],
)
def test_status_error_names_task_and_code(world, action, code):
    task = world.task("Named Task")
    world.set_status(task, code)
    with pytest.raises(StatusError) as info:
        getattr(task, action)()
    assert "Named Task" in str(info.value) and code in str(info.value)


# =============================================================================
# §12 worked scenario
# =============================================================================


def test_worked_scenario(session):
    world = TaskWorld(session)
    u1, u2 = world.user("u1"), world.user("u2")
    a = Task(
        name="A",
        project=world.project,
        resources=[u1],
        responsible=[u2],
        status_list=world.status_list,
        start=dt(2014, 3, 3, 9),
        schedule_timing=2,
        schedule_unit="h",
    )
    assert a.status.code == "RTS"
    assert (a.start, a.end) == (dt(2014, 3, 3, 9), dt(2014, 3, 3, 11))
    b = Task(
        name="B",
        project=world.project,
        depends_on=[a],
        resources=[u1],
        status_list=world.status_list,
    )
    assert b.status.code == "WFD"
    world.flush()

    # 2. logs on a
    a.create_time_log(u1, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    assert a.status.code == "WIP"
    with pytest.raises(OverBookedError):
        a.create_time_log(u1, dt(2014, 3, 3, 9, 20), dt(2014, 3, 3, 11))
    assert len(a.time_logs) == 1 and len(u1.time_logs) == 1

    # 3. b is still waiting
    with pytest.raises(StatusError):
        b.create_time_log(u1, dt(2014, 3, 3, 10), dt(2014, 3, 3, 11))
    assert b.time_logs == []

    # 4. review and approval
    reviews = a.request_review()
    assert len(reviews) == 1
    assert reviews[0].reviewer is u2 and reviews[0].review_number == 1
    assert a.status.code == "PREV"
    reviews[0].approve()
    assert a.status.code == "CMPL"
    assert (a.schedule_timing, a.schedule_unit) == (1, "h")
    assert a.end == dt(2014, 3, 3, 10)
    assert a.review_number == 1
    assert b.status.code == "RTS"

    # 5. dependency rule, then a touching log
    with pytest.raises(DependencyViolationError):
        b.create_time_log(u1, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    b.create_time_log(u1, dt(2014, 3, 3, 10), dt(2014, 3, 3, 11))
    assert b.status.code == "WIP"
    world.flush()
    session.commit()

    # 6. a revision reopens a
    revision = a.request_revision(reviewer=u2, schedule_timing=3, schedule_unit="h")
    assert revision.review_number == 2 and revision.status.code == "RREV"
    assert a.status.code == "HREV"
    assert (a.schedule_timing, a.schedule_unit) == (4, "h")
    assert a.review_number == 2
    assert b.status.code == "DREV"
    dependency = b.task_depends_on[0]
    assert isinstance(dependency, TaskDependency)
    assert dependency.dependency_target == "onstart"

    # 7. hold and resume
    b.hold()
    assert b.status.code == "OH" and b.priority == 0
    b.resume()
    assert b.status.code == "DREV"
    session.commit()
    session.expire_all()
    assert codes(a, b) == ["HREV", "DREV"]
    assert len(a.time_logs) == 1 and len(b.time_logs) == 1
