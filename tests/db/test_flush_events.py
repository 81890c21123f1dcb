"""The fast flush keeps SQLAlchemy's documented Session and Mapper events.

Each scenario registers listeners the way a studio's hooks would, runs the
same work with the fast path on and off, and compares what the listeners saw:
which events fired, in which order, with which objects and values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event

from stalker import Note, Project, Task
from stalker.db import bulk_flush
from stalker.db.session import DBSession

Observations = list[tuple[Any, ...]]


def _names(objects: Any) -> tuple[str, ...]:
    return tuple(sorted(type(obj).__name__ for obj in objects))


class Listeners:
    """Listeners added during a scenario, removed afterwards."""

    def __init__(self) -> None:
        self.added: list[tuple[Any, str, Callable[..., Any], dict[str, Any]]] = []

    def add(self, target: Any, name: str, fn: Callable[..., Any], **kw: Any) -> None:
        event.listen(target, name, fn, **kw)
        self.added.append((target, name, fn, kw))

    def remove_all(self) -> None:
        for target, name, fn, _ in reversed(self.added):
            event.remove(target, name, fn)


def _project_with_tasks(count: int, prefix: str = "T") -> Project:
    project = Project(name=f"{prefix} project", code=f"{prefix}P")
    for index in range(count):
        Task(name=f"{prefix}{index}", project=project)
    return project


def session_events(session: Any, listeners: Listeners, seen: Observations) -> None:
    def before_flush(flush_session: Any, context: Any, instances: Any) -> None:
        seen.append(("before_flush", _names(flush_session.new)))

    def after_flush(flush_session: Any, context: Any) -> None:
        seen.append(("after_flush", _names(flush_session.new)))

    def after_flush_postexec(flush_session: Any, context: Any) -> None:
        seen.append(("after_flush_postexec", len(flush_session.new)))

    listeners.add(DBSession, "before_flush", before_flush)
    listeners.add(DBSession, "after_flush", after_flush)
    listeners.add(DBSession, "after_flush_postexec", after_flush_postexec)
    session.add(_project_with_tasks(3))
    session.commit()


def audit_in_before_flush(
    session: Any, listeners: Listeners, seen: Observations
) -> None:
    """The documented recipe: add records for the new objects in before_flush."""

    def audit(flush_session: Any, context: Any, instances: Any) -> None:
        for obj in list(flush_session.new):
            if isinstance(obj, Task):
                flush_session.add(Note(content=f"created {obj.name}"))

    before = {note.id for note in Note.query.all()}
    listeners.add(DBSession, "before_flush", audit)
    session.add(_project_with_tasks(2))
    session.commit()
    notes = [note for note in Note.query.all() if note.id not in before]
    seen.append(("notes", sorted(note.content for note in notes)))


def mapper_events_added_after_the_first_flush(
    session: Any, listeners: Listeners, seen: Observations
) -> None:
    session.add(_project_with_tasks(2, "A"))
    session.commit()  # the first flush of Task, with no listener yet

    def before_insert(mapper: Any, connection: Any, target: Any) -> None:
        id_kind = type(target.id).__name__  # handed out early on SQLite only
        seen.append(("before_insert", type(target).__name__, target.name, id_kind))

    def after_insert(mapper: Any, connection: Any, target: Any) -> None:
        seen.append(
            ("after_insert", type(target).__name__, target.name, target.id is not None)
        )

    listeners.add(Task, "before_insert", before_insert, propagate=True)
    listeners.add(Task, "after_insert", after_insert, propagate=True)
    session.add(_project_with_tasks(2, "B"))
    session.commit()


def flush_then_query_in_after_flush(
    session: Any, listeners: Listeners, seen: Observations
) -> None:
    def after_flush(flush_session: Any, context: Any) -> None:
        for obj in flush_session.new:
            if isinstance(obj, Task):
                seen.append(("task id known", obj.name, obj.id is not None))

    listeners.add(DBSession, "after_flush", after_flush)
    session.add(_project_with_tasks(2))
    session.flush()
    seen.append(("after flush", _names(session.new)))
    session.commit()


SCENARIOS = [
    session_events,
    audit_in_before_flush,
    mapper_events_added_after_the_first_flush,
    flush_then_query_in_after_flush,
]


@pytest.fixture
def listeners() -> Iterator[Listeners]:
    added = Listeners()
    yield added
    added.remove_all()


def _observe(
    session: Any, scenario: Callable[..., None], threshold: int
) -> Observations:
    seen: Observations = []
    added = Listeners()
    saved = bulk_flush.BULK_THRESHOLD
    bulk_flush.BULK_THRESHOLD = threshold
    try:
        scenario(session, added, seen)
    finally:
        bulk_flush.BULK_THRESHOLD = saved
        added.remove_all()
    return seen


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_the_fast_path_and_the_unit_of_work_show_listeners_the_same(session, scenario):
    fast = _observe(session, scenario, threshold=1)
    session.rollback()
    slow = _observe(session, scenario, threshold=10**8)
    assert fast, "the scenario observed nothing"
    assert fast == slow


def test_the_listeners_see_the_new_objects(session):
    seen = _observe(session, session_events, threshold=1)
    assert seen[0] == ("before_flush", ("Project", "Task", "Task", "Task"))
    assert ("after_flush", ("Project", "Task", "Task", "Task")) in seen
    assert seen[-1] == ("after_flush_postexec", 0)


def test_insert_listeners_added_after_the_first_flush_fire(session):
    seen = _observe(session, mapper_events_added_after_the_first_flush, threshold=1)
    assert [entry[0] for entry in seen].count("before_insert") == 2
    assert ("after_insert", "Task", "B0", True) in seen


def _count_fast_flushes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = bulk_flush._run_in_flush_transaction

    def counting(session: Any, plan: Any) -> None:
        calls.append(len(plan.states))
        original(session, plan)

    monkeypatch.setattr(bulk_flush, "_run_in_flush_transaction", counting)
    monkeypatch.setattr(bulk_flush, "BULK_THRESHOLD", 1)
    return calls


def test_without_outside_listeners_the_fast_path_still_runs(session, monkeypatch):
    calls = _count_fast_flushes(monkeypatch)
    session.add(_project_with_tasks(3))
    session.commit()
    assert calls == [4]


def test_a_listener_makes_the_fast_path_step_aside_until_it_is_removed(
    session, monkeypatch, listeners
):
    calls = _count_fast_flushes(monkeypatch)

    def watcher(flush_session: Any, context: Any) -> None:
        pass

    listeners.add(DBSession, "after_flush_postexec", watcher)
    session.add(_project_with_tasks(2, "W"))
    session.commit()
    assert calls == []
    listeners.remove_all()
    listeners.added.clear()
    session.add(_project_with_tasks(2, "X"))
    session.commit()
    assert calls == [3]
    assert Task.query.filter(Task.name.in_(["W0", "W1", "X0", "X1"])).count() == 4
