"""Writing finished tasks while the engine plans the others (StreamingWrite).

NativeScheduler streams on PostgreSQL (psycopg's pipeline mode); the writer
is tested there: the same rows as ``write_back``, nothing written after any
error, the session still usable.  What the scheduler does with an error is
tested on both backends.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import stalker.scheduling.writeback as writeback
from stalker import NativeScheduler, Studio
from stalker.scheduling import ConstraintError, SchedulingError
from stalker.scheduling.data import gather_schedule_data, table
from stalker.scheduling.engine import schedule
from stalker.scheduling.native import gather_constraints, studio_calendar
from stalker.scheduling.writeback import (
    ComputedSchedule,
    StreamingWrite,
    can_stream,
    write_back,
)

from ..factories import make_user
from ..task_factories import TaskWorld, dt

START = dt(2031, 3, 3, 9)


def build(session: Any) -> dict[str, Any]:
    """Six shots of three chained tasks, two artists with an alternative each."""
    studio = Studio(
        name="Streams",
        start=START,
        end=START + datetime.timedelta(days=120),
        now=START,
        timing_resolution=datetime.timedelta(hours=1),
    )
    users = [make_user("ann"), make_user("bob"), make_user("cid")]
    session.add_all([studio, *users])
    session.flush()
    world = TaskWorld(session)
    tasks: dict[str, Any] = {}
    for number in range(1, 7):
        shot = world.task(f"SH{number:03d}")
        previous = None
        for name, hours in (("Layout", 6), ("Anim", 12), ("Comp", 5)):
            who = users[number % 2]
            task = world.task(name, parent=shot, schedule_timing=hours, resources=[who])
            task.alternative_resources = [users[2]]
            if previous is not None:
                task.depends_on = [previous]
            previous = task
            tasks[f"{shot.name}/{name}"] = task
    world.flush()
    session.commit()
    return {"studio": studio, "tasks": tasks, "project_id": world.project.id}


def stored(session: Any, project_id: int) -> tuple[list[tuple], list[tuple]]:
    """Every task's stored dates and the computed resources of the project."""
    tasks, link = table("Tasks"), table("Task_Computed_Resources")
    dates = session.execute(
        select(
            tasks.c.id,
            tasks.c.start,
            tasks.c.end,
            tasks.c.duration,
            tasks.c.computed_start,
            tasks.c.computed_end,
        )
        .where(tasks.c.project_id == project_id)
        .order_by(tasks.c.id)
    ).all()
    links = session.execute(
        select(link.c.task_id, link.c.resource_id)
        .join(tasks, tasks.c.id == link.c.task_id)
        .where(tasks.c.project_id == project_id)
        .order_by(link.c.task_id, link.c.resource_id)
    ).all()
    return [tuple(row) for row in dates], [tuple(row) for row in links]


def gathered(session: Any, studio: Studio) -> tuple[Any, Any, Any]:
    data = gather_schedule_data(session(), None)
    return data, studio_calendar(studio, data), gather_constraints(session(), data)


def project_rows(plan: Any) -> list[ComputedSchedule]:
    return [ComputedSchedule(i, s, e) for i, (s, e) in plan.projects.items()]


def in_pipeline(session: Any) -> bool:
    """Whether the session's psycopg connection is still in pipeline mode."""
    pgconn = getattr(session.connection().connection.driver_connection, "pgconn", None)
    return pgconn is not None and int(pgconn.pipeline_status) != 0


def pipelines_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("pipeline mode is psycopg's: SQLite writes after the engine")


def test_streamed_rows_are_the_write_backs(session, backend):
    pipelines_only(backend)
    world = build(session)
    comp = world["tasks"]["SH001/Comp"]
    comp.schedule_constraint = 2  # a pinned end the plan ends well before
    comp.end = START + datetime.timedelta(days=90)
    session.commit()
    data, calendar, constraints = gathered(session, world["studio"])
    stream = StreamingWrite(session(), data, True, batch=4)
    plan = schedule(data, calendar, constraints, sink=stream)
    stream.finish(project_rows(plan))
    streamed = stored(session, world["project_id"])
    pinned = next(row for row in streamed[0] if row[0] == comp.id)
    assert pinned[2] == START + datetime.timedelta(days=90)  # end stays pinned
    assert pinned[5] == plan.tasks[comp.id].end < pinned[2]  # computed_end: plan
    assert pinned[3] == pinned[2] - pinned[1]  # the duration follows
    assert stream.pipeline is None
    session.rollback()
    before = stored(session, world["project_id"])
    assert before != streamed
    write_back(session(), data, plan.computed(), compute_resources=True)
    assert stored(session, world["project_id"]) == streamed
    dates, links = streamed
    assert all(row[4] is not None for row in dates)
    everyone = {user.id for user in world["tasks"]["SH001/Anim"].alternative_resources}
    everyone |= {task.resources[0].id for task in world["tasks"].values()}
    assert links and {user for _, user in links} <= everyone
    # the loaded objects show the new rows
    comp = world["tasks"]["SH006/Comp"]
    assert comp.computed_end == plan.tasks[comp.id].end


def test_an_error_while_writing_rolls_every_batch_back(session, monkeypatch, backend):
    pipelines_only(backend)
    world = build(session)
    before = stored(session, world["project_id"])
    data, calendar, constraints = gathered(session, world["studio"])
    real = writeback._write_tasks
    calls: list[int] = []

    def failing(connection, data, rows, *args):
        calls.append(len(rows))
        real(connection, data, rows, *args)  # written, then the error
        raise ValueError("the disk is full")

    monkeypatch.setattr(writeback, "_write_tasks", failing)
    stream = StreamingWrite(session(), data, True, batch=2)
    with pytest.raises(ValueError, match="the disk is full"):
        plan = schedule(data, calendar, constraints, sink=stream)
        stream.finish(project_rows(plan))
    stream.abort()  # what the scheduler does with any error
    assert stream.pipeline is None
    assert calls
    assert stored(session, world["project_id"]) == before
    assert session.scalar(select(Studio.name)) == "Streams"  # still usable


def test_discard_forgets_what_was_written(session, backend):
    pipelines_only(backend)
    world = build(session)
    before = stored(session, world["project_id"])
    data, calendar, constraints = gathered(session, world["studio"])
    plan = schedule(data, calendar, constraints)
    stream = StreamingWrite(session(), data, True, batch=3)
    for row in plan.computed():
        if row.entity_id in data.tasks:
            stream.add(row)
    stream.discard()
    stream.finish([])
    assert stored(session, world["project_id"]) == before


def test_a_missed_pinned_date_writes_nothing(session):
    world = build(session)
    comp = world["tasks"]["SH003/Comp"]
    comp.schedule_constraint = 2  # its end is pinned ...
    comp.end = START + datetime.timedelta(hours=2)  # ... before its work can end
    session.commit()
    before = stored(session, world["project_id"])
    studio = world["studio"]
    studio.scheduler = NativeScheduler(compute_resources=True)
    with pytest.raises(ConstraintError, match="SH003 / Comp"):
        studio.schedule()
    assert not in_pipeline(session)
    assert stored(session, world["project_id"]) == before


def test_an_interrupted_run_writes_nothing(session):
    world = build(session)
    before = stored(session, world["project_id"])
    seen: list[tuple[int, int]] = []

    def interrupt(done: int, total: int) -> None:
        seen.append((done, total))
        raise KeyboardInterrupt

    studio = world["studio"]
    studio.scheduler = NativeScheduler(compute_resources=True, callback=interrupt)
    with pytest.raises(KeyboardInterrupt):
        studio.schedule()
    assert seen and not in_pipeline(session)
    assert stored(session, world["project_id"]) == before
    studio.scheduler = NativeScheduler(compute_resources=True)
    studio.schedule()  # the session goes on
    assert stored(session, world["project_id"]) != before


def test_the_scheduler_streams_on_postgresql_only(session, backend, caplog):
    world = build(session)
    streams: list[StreamingWrite] = []
    real_init = StreamingWrite.__init__

    def spy(self, *args, **kwargs):
        streams.append(self)
        real_init(self, *args, **kwargs)

    studio = world["studio"]
    studio.scheduler = NativeScheduler(compute_resources=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StreamingWrite, "__init__", spy)
        with caplog.at_level("WARNING", logger="stalker.scheduling.writeback"):
            studio.schedule()
    assert caplog.text == ""  # the engine handed over every task
    assert len(streams) == (1 if backend == "postgresql" else 0)
    plan = studio.scheduler.plan
    dates, links = stored(session, world["project_id"])
    assert {row[0]: (row[4], row[5]) for row in dates} == {
        task_id: (p.start, p.end) for task_id, p in plan.tasks.items()
    }
    assert links


def test_a_cycle_found_at_the_end_writes_nothing(session, backend):
    pipelines_only(backend)
    world = build(session)
    tasks = world["tasks"]
    before = stored(session, world["project_id"])
    data, calendar, constraints = gathered(session, world["studio"])
    # a cycle the gathered rows carry (the models refuse one): the engine
    # finds it only at the end, after it sent the tasks outside it
    layout, comp = tasks["SH004/Layout"].id, tasks["SH004/Comp"].id
    edge = dataclasses.replace(
        data.dependencies[comp][0], task_id=layout, depends_on_id=comp
    )
    data.dependencies.setdefault(layout, []).append(edge)
    stream = StreamingWrite(session(), data, True, batch=2)
    with pytest.raises(SchedulingError):
        try:
            plan = schedule(data, calendar, constraints, sink=stream)
            stream.finish(project_rows(plan))
        except BaseException:
            stream.abort()
            raise
    assert stored(session, world["project_id"]) == before


def test_a_re_plan_leaves_unchanged_computed_resources_alone(session):
    from sqlalchemy import event

    world = build(session)
    studio = world["studio"]
    studio.scheduler = NativeScheduler(compute_resources=True)
    studio.schedule()
    session.commit()
    first = stored(session, world["project_id"])
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):
        if "Task_Computed_Resources" in statement and not statement.startswith(
            "SELECT"
        ):
            statements.append(statement)

    engine = session.connection().engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        studio.schedule()  # nothing changed
        session.commit()
        assert statements == []
        assert stored(session, world["project_id"]) == first
        # one task's artist changes: its rows alone are replaced
        anim = world["tasks"]["SH002/Anim"]
        cid = anim.alternative_resources[0]
        anim.alternative_resources = []
        anim.resources = [cid]
        session.commit()
        studio.schedule()
        session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert any(s.lstrip().startswith("DELETE") for s in statements)
    _, links = stored(session, world["project_id"])
    assert [user for task, user in links if task == anim.id] == [cid.id]
    # the same links as a run that replaces every task's rows
    data = gathered(session, studio)[0]
    plan = studio.scheduler.plan
    write_back(session(), data, plan.computed(), compute_resources=True)
    assert stored(session, world["project_id"])[1] == links


@pytest.mark.parametrize("batch", [2, 10_000])  # found while adding, at the end
def test_a_server_error_in_a_sent_batch_rolls_everything_back(session, backend, batch):
    """A key the server refuses: an IntegrityError, nothing written."""
    pipelines_only(backend)
    world = build(session)
    before = stored(session, world["project_id"])
    data, calendar, constraints = gathered(session, world["studio"])
    plan = schedule(data, calendar, constraints)
    rows = [row for row in plan.computed() if row.entity_id in data.tasks]
    ghost = 987654  # no such user: the computed-resources key check fails
    victim = next(row for row in rows if row.resource_ids)
    data.resources[victim.entity_id] = [*data.resources[victim.entity_id], ghost]
    rows[rows.index(victim)] = dataclasses.replace(
        victim, resource_ids=(*victim.resource_ids, ghost)
    )
    stream = StreamingWrite(session(), data, True, batch=batch)
    with pytest.raises(IntegrityError, match="foreign key"):
        try:
            for row in rows:
                stream.add(row)
            stream.finish(project_rows(plan))
        except BaseException:
            stream.abort()
            raise
    assert stream.pipeline is None
    assert stored(session, world["project_id"]) == before
    assert session.scalar(select(Studio.name)) == "Streams"  # still usable


def test_rows_the_engine_did_not_hand_over_are_written_at_the_end(
    session, caplog, backend
):
    pipelines_only(backend)
    world = build(session)
    data, calendar, constraints = gathered(session, world["studio"])
    plan = schedule(data, calendar, constraints)
    task_rows = [row for row in plan.computed() if row.entity_id in data.tasks]
    stream = StreamingWrite(session(), data, True, batch=3)
    for row in task_rows[::2]:  # half of them only
        stream.add(row)
    with caplog.at_level("WARNING", logger="stalker.scheduling.writeback"):
        stream.finish(project_rows(plan), task_rows[1::2])
    missing = len(task_rows) - len(task_rows[::2])
    assert f"did not hand over {missing} planned tasks" in caplog.text
    streamed = stored(session, world["project_id"])
    session.rollback()
    write_back(session(), data, plan.computed(), compute_resources=True)
    assert stored(session, world["project_id"]) == streamed


def test_streaming_needs_psycopg_pipelines(session, backend):
    assert can_stream(session.connection()) is (backend == "postgresql")

    class Psycopg2Like:  # no pipeline mode
        pass

    class Connection:  # the shape of a SQLAlchemy Connection
        class dialect:
            name = "postgresql"

        class connection:
            driver_connection = Psycopg2Like()

    assert not can_stream(Connection())
