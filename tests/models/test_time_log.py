"""TimeLog (spec 07 §8, D8): checks, overbooking, dependency rule, atomicity."""

from __future__ import annotations

import datetime

import pytest

import stalker
from stalker import Task, TimeLog, User
from stalker.exceptions import (
    DependencyViolationError,
    OverBookedError,
    StatusError,
)

from ..task_factories import TaskWorld, dt

H = datetime.timedelta(hours=1)


@pytest.fixture
def world():
    return TaskWorld()


@pytest.fixture
def task(world):
    return world.task("T", start=dt(2014, 3, 3, 9), schedule_timing=10)


def make_log(via, task, resource, start, end):
    if via == "constructor":
        return TimeLog(task=task, resource=resource, start=start, end=end)
    return task.create_time_log(resource, start, end)


VIA = ["constructor", "create_time_log"]


# --- construction ----------------------------------------------------------------


@pytest.mark.parametrize("via", VIA)
def test_log_is_attached_to_task_and_resource(world, task, via):
    user = world.user()
    log = make_log(via, task, user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 12))
    assert isinstance(log, TimeLog)
    assert log.task is task and log.resource is user
    assert task.time_logs == [log]
    assert user.time_logs == [log]
    assert (log.start, log.end) == (dt(2014, 3, 3, 9), dt(2014, 3, 3, 12))
    assert log.total_seconds == 3 * 3600


def test_name_is_generated(world, task):
    log = task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    assert log.name.startswith("TimeLog_")


def test_dates_are_rounded(world, task):
    log = task.create_time_log(world.user(), dt(2014, 3, 3, 9, 20), dt(2014, 3, 3, 11))
    assert (log.start, log.end) == (dt(2014, 3, 3, 9), dt(2014, 3, 3, 11))


def test_resource_need_not_be_a_task_resource(world):
    task = world.task("T", resources=[world.user("assigned")])
    stranger = world.user("stranger")
    log = task.create_time_log(stranger, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    assert log in stranger.time_logs


def test_end_after_start_check_constraint_exists():
    texts = [str(getattr(c, "sqltext", "")) for c in TimeLog.__table__.constraints]
    assert any("start" in text and "end" in text and ">" in text for text in texts)


def test_no_automatic_extension_of_the_task_timing(world, task):
    task.schedule_timing = 2
    task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 14))
    assert (task.schedule_timing, task.schedule_unit) == (2, "h")
    assert task.remaining_seconds == -3 * 3600


def test_equality(world, task):
    user = world.user()
    log = task.create_time_log(user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    other = task.create_time_log(user, dt(2014, 3, 3, 10), dt(2014, 3, 3, 11))
    assert log == log
    assert log != other
    assert log != "log"


# --- task checks -----------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, "task", 1])
def test_task_must_be_a_task(world, bad):
    with pytest.raises(TypeError, match=r"TimeLog\.task"):
        TimeLog(task=bad, resource=world.user(), start=dt(2014, 3, 3, 9))


def test_task_must_be_a_leaf(world):
    container = world.task("Container")
    world.task("Child", parent=container)
    with pytest.raises(ValueError, match="Container"):
        TimeLog(task=container, resource=world.user(), start=dt(2014, 3, 3, 9))
    assert container.time_logs == []


@pytest.mark.parametrize(
    ("code", "after"),
    [
        ("RTS", "WIP"),
        ("HREV", "WIP"),
        ("WIP", "WIP"),
        ("PREV", "PREV"),
        ("DREV", "DREV"),
    ],
)
def test_accepting_statuses(world, task, code, after):
    world.set_status(task, code)
    task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    assert task.status.code == after
    assert len(task.time_logs) == 1


@pytest.mark.parametrize("code", ["WFD", "OH", "STOP", "CMPL"])
def test_refusing_statuses(world, task, code):
    world.set_status(task, code)
    with pytest.raises(StatusError) as info:
        task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    assert "T" in str(info.value) and code in str(info.value)
    assert task.status.code == code
    assert task.time_logs == []


@pytest.fixture
def dependency_pair(world):
    """b depends on a; a runs 2014-03-03 09:00-11:00; b is made RTS."""
    a = world.task("Alpha", start=dt(2014, 3, 3, 9), schedule_timing=2)
    b = world.task("Beta", depends_on=[a], start=dt(2014, 3, 3, 12))
    world.set_status(b, "RTS")
    return a, b


def test_onend_dependency_limit(world, dependency_pair):
    _, b = dependency_pair
    user = world.user()
    with pytest.raises(DependencyViolationError) as info:
        b.create_time_log(user, dt(2014, 3, 3, 10), dt(2014, 3, 3, 12))
    message = str(info.value)
    assert "Alpha" in message and "Beta" in message and "2014-03-03" in message
    assert b.time_logs == []
    log = b.create_time_log(user, dt(2014, 3, 3, 11), dt(2014, 3, 3, 12))
    assert b.time_logs == [log]


def test_onstart_dependency_limit(world, dependency_pair):
    _, b = dependency_pair
    b.task_depends_on[0].dependency_target = "onstart"
    user = world.user()
    with pytest.raises(DependencyViolationError):
        b.create_time_log(user, dt(2014, 3, 3, 8), dt(2014, 3, 3, 10))
    log = b.create_time_log(user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    assert b.time_logs == [log]


def test_every_dependency_is_checked(world, dependency_pair):
    _, b = dependency_pair
    late = world.task("Late", start=dt(2014, 3, 5, 9), schedule_timing=2)
    world.set_status(late, "CMPL")
    b.depends_on.append(late)
    with pytest.raises(DependencyViolationError, match="Late"):
        b.create_time_log(world.user(), dt(2014, 3, 4, 9), dt(2014, 3, 4, 10))


def test_task_checks_come_before_resource_checks(world, dependency_pair):
    _, b = dependency_pair
    with pytest.raises(DependencyViolationError):
        TimeLog(task=b, resource="nobody", start=dt(2014, 3, 3, 9))
    world.set_status(b, "WFD")
    with pytest.raises(StatusError):
        TimeLog(task=b, resource=None, start=dt(2014, 3, 3, 9))


def test_container_check_comes_before_status_check(world):
    container = world.task("Container")
    world.task("Child", parent=container)
    world.set_status(container, "CMPL")
    with pytest.raises(ValueError):
        TimeLog(task=container, resource=world.user(), start=dt(2014, 3, 3, 9))


def test_dates_are_checked_first(world, task):
    with pytest.raises(TypeError, match=r"TimeLog\.start"):
        TimeLog(task=None, resource=None, start=datetime.datetime(2014, 3, 3, 9))


# --- resource checks -------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, "user", 3])
def test_resource_must_be_a_user(task, bad):
    with pytest.raises(TypeError, match=r"TimeLog\.resource"):
        TimeLog(task=task, resource=bad, start=dt(2014, 3, 3, 9))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((10, 0), (12, 0)),  # identical
        ((9, 0), (11, 0)),  # overlaps the beginning
        ((11, 0), (13, 0)),  # overlaps the end
        ((10, 0), (11, 0)),  # inside, same start
        ((11, 0), (12, 0)),  # inside, same end
        ((9, 0), (13, 0)),  # strictly contains the existing log
    ],
    ids=["identical", "head", "tail", "inside-start", "inside-end", "containing"],
)
def test_overbooking(world, start, end):
    user = world.user()
    first = world.task("First", start=dt(2014, 3, 3, 9), schedule_timing=10)
    second = world.task("Second", start=dt(2014, 3, 3, 9), schedule_timing=10)
    first.create_time_log(user, dt(2014, 3, 3, 10), dt(2014, 3, 3, 12))
    with pytest.raises(OverBookedError) as info:
        second.create_time_log(user, dt(2014, 3, 3, *start), dt(2014, 3, 3, *end))
    assert str(info.value)
    assert second.time_logs == [] and len(user.time_logs) == 1


def test_strictly_inside_is_overbooked(world):
    stalker.defaults.timing_resolution = datetime.timedelta(minutes=30)
    user = world.user()
    first = world.task("First", start=dt(2014, 3, 3, 9), schedule_timing=10)
    first.create_time_log(user, dt(2014, 3, 3, 10), dt(2014, 3, 3, 12))
    with pytest.raises(OverBookedError):
        first.create_time_log(user, dt(2014, 3, 3, 10, 30), dt(2014, 3, 3, 11, 30))


@pytest.mark.parametrize(
    ("start", "end"), [(8, 10), (12, 14)], ids=["ends-at-start", "starts-at-end"]
)
def test_touching_logs_are_allowed(world, start, end):
    user = world.user()
    task = world.task("T", start=dt(2014, 3, 3, 8), schedule_timing=10)
    task.create_time_log(user, dt(2014, 3, 3, 10), dt(2014, 3, 3, 12))
    task.create_time_log(user, dt(2014, 3, 3, start), dt(2014, 3, 3, end))
    assert len(user.time_logs) == 2


def test_other_resources_may_overlap(world, task):
    task.create_time_log(world.user("u1"), dt(2014, 3, 3, 10), dt(2014, 3, 3, 12))
    task.create_time_log(world.user("u2"), dt(2014, 3, 3, 10), dt(2014, 3, 3, 12))
    assert len(task.time_logs) == 2


def test_re_adding_the_same_log_is_not_overbooking(world, task):
    user = world.user()
    log = task.create_time_log(user, dt(2014, 3, 3, 10), dt(2014, 3, 3, 12))
    log.resource = user
    user.time_logs.append(log)
    assert log.resource is user
    assert log in user.time_logs


# --- effects on success ----------------------------------------------------------


def test_success_updates_parents(world):
    root = world.task("Root")
    mid = world.task("Mid", parent=root)
    leaf = world.task("Leaf", parent=mid, start=dt(2014, 3, 3, 9), schedule_timing=4)
    world.task("Sibling", parent=mid)
    leaf.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 11))
    assert mid.total_logged_seconds == 7200
    assert root.total_logged_seconds == 7200
    assert leaf.status.code == "WIP"
    assert mid.status.code == "WIP"
    assert root.status.code == "WIP"


def test_direct_append_to_time_logs_updates_the_parent(world):
    root = world.task("Root")
    leaf = world.task("Leaf", parent=root, start=dt(2014, 3, 3, 9), schedule_timing=4)
    other = world.task("Other", start=dt(2014, 3, 3, 9), schedule_timing=4)
    log = other.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 11))
    leaf.time_logs.append(log)
    assert log.task is leaf
    assert root.total_logged_seconds == 7200


# --- all-or-nothing (D8) ---------------------------------------------------------

FAILURES = ["status", "dependency", "overbooked", "resource_type", "container"]


def prepare_failure(world, kind):
    """Build a task under a parent that already has 1 h logged, primed to fail."""
    user = world.user()
    parent = world.task("Parent")
    logged = world.task(
        "Logged", parent=parent, start=dt(2014, 3, 3, 9), schedule_timing=9
    )
    logged.create_time_log(user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    target = world.task(
        "Target", parent=parent, start=dt(2014, 3, 4, 9), schedule_timing=9
    )
    start, end, resource = dt(2014, 3, 4, 9), dt(2014, 3, 4, 10), user
    expected = None
    if kind == "status":
        world.set_status(target, "WFD")
        expected = StatusError
    elif kind == "dependency":
        blocker = world.task("Blocker", start=dt(2014, 3, 5, 9), schedule_timing=2)
        target.depends_on.append(blocker)
        world.set_status(target, "RTS")
        expected = DependencyViolationError
    elif kind == "overbooked":
        start, end = dt(2014, 3, 3, 9), dt(2014, 3, 3, 11)
        expected = OverBookedError
    elif kind == "resource_type":
        resource = "not a user"
        expected = TypeError
    elif kind == "container":
        world.task("Grandchild", parent=target)
        expected = ValueError
    return {
        "user": user,
        "parent": parent,
        "target": target,
        "start": start,
        "end": end,
        "resource": resource,
        "expected": expected,
    }


def attempt(case, via):
    """Try the failing log and check that nothing changed (D8)."""
    target, parent, user = case["target"], case["parent"], case["user"]
    status_before = target.status.code
    parent_logged = parent.total_logged_seconds
    user_logs = list(user.time_logs)
    with pytest.raises(case["expected"]):
        if via == "constructor":
            TimeLog(
                task=target,
                resource=case["resource"],
                start=case["start"],
                end=case["end"],
            )
        else:
            target.create_time_log(case["resource"], case["start"], case["end"])
    assert target.time_logs == []
    assert user.time_logs == user_logs
    assert target.status.code == status_before
    assert parent.total_logged_seconds == parent_logged == 3600


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("kind", FAILURES)
def test_failed_log_changes_nothing_in_memory(world, kind, via):
    attempt(prepare_failure(world, kind), via)


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("kind", FAILURES)
@pytest.mark.parametrize("finish", ["commit", "rollback"])
def test_failed_log_changes_nothing_in_the_database(session, kind, via, finish):
    world = TaskWorld(session)
    case = prepare_failure(world, kind)
    world.flush()
    session.commit()
    target_id, user_id = case["target"].id, case["user"].id
    status_before = case["target"].status.code
    attempt(case, via)
    if finish == "commit":
        world.flush()
        session.commit()
    else:
        session.rollback()
    session.expire_all()
    assert session.query(TimeLog).count() == 1
    target = session.get(Task, target_id)
    assert target.time_logs == []
    assert target.status.code == status_before
    assert len(session.get(User, user_id).time_logs) == 1


def test_failed_task_reassignment_leaves_the_log(world):
    user = world.user()
    home = world.task("Home", start=dt(2014, 3, 3, 9), schedule_timing=9)
    closed = world.task("Closed", start=dt(2014, 3, 3, 9), schedule_timing=9)
    world.set_status(closed, "CMPL")
    log = home.create_time_log(user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    with pytest.raises(StatusError):
        log.task = closed
    assert log.task is home
    assert home.time_logs == [log] and closed.time_logs == []
    assert closed.status.code == "CMPL"


def test_failed_resource_reassignment_leaves_the_log(world, task):
    busy, free = world.user("busy"), world.user("free")
    other = world.task("Other", start=dt(2014, 3, 3, 9), schedule_timing=9)
    other.create_time_log(busy, dt(2014, 3, 3, 9), dt(2014, 3, 3, 12))
    log = task.create_time_log(free, dt(2014, 3, 3, 10), dt(2014, 3, 3, 11))
    with pytest.raises(OverBookedError):
        log.resource = busy
    assert log.resource is free
    assert free.time_logs == [log]
    assert log not in busy.time_logs


def test_successful_task_reassignment_moves_the_log(world):
    user = world.user()
    parent_a, parent_b = world.task("PA"), world.task("PB")
    a = world.task("A", parent=parent_a, start=dt(2014, 3, 3, 9), schedule_timing=9)
    b = world.task("B", parent=parent_b, start=dt(2014, 3, 3, 9), schedule_timing=9)
    log = a.create_time_log(user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 11))
    log.task = b
    assert a.time_logs == [] and b.time_logs == [log]
    assert parent_b.total_logged_seconds == 7200
    assert parent_a.total_logged_seconds == 0
    assert b.status.code == "WIP"


def test_persisted_log_round_trip(session):
    world = TaskWorld(session)
    task = world.task("T", start=dt(2014, 3, 3, 9), schedule_timing=9)
    log = task.create_time_log(world.user(), dt(2014, 3, 3, 9), dt(2014, 3, 3, 11))
    world.flush()
    session.commit()
    log_id = log.id
    session.expunge_all()
    loaded = session.get(TimeLog, log_id)
    assert (loaded.start, loaded.end) == (dt(2014, 3, 3, 9), dt(2014, 3, 3, 11))
    assert loaded.task.name == "T" and loaded.resource.login == "user1"
    assert loaded.task.status.code == "WIP"


def test_later_date_edits_are_checked_for_overbooking(world, task):
    """Issue 17: moving a log onto another one is refused like a new log."""
    user = world.user()
    first = task.create_time_log(user, dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    task.create_time_log(user, dt(2014, 3, 3, 11), dt(2014, 3, 3, 12))
    with pytest.raises(OverBookedError, match="already booked from"):
        first.end = dt(2014, 3, 3, 12)
    with pytest.raises(ValueError, match=r"TimeLog\.end should be a moment after"):
        first.start = dt(2014, 3, 3, 10, 30)  # after its own end
    assert (first.start, first.end) == (dt(2014, 3, 3, 9), dt(2014, 3, 3, 10))
    first.end = dt(2014, 3, 3, 11)  # up to the next one is fine
    assert first.end == dt(2014, 3, 3, 11)
    assert len(user.time_logs) == 2
