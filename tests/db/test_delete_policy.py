"""The delete policy: work records are never deleted without being asked (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from stalker import (
    Budget,
    Client,
    Daily,
    Invoice,
    Link,
    Payment,
    Project,
    Repository,
    Review,
    Sequence,
    Shot,
    Status,
    StatusList,
    Task,
    TaskDependency,
    Ticket,
    TicketLog,
    TimeLog,
    User,
    Version,
)
from stalker.db import delete_with_work_records
from stalker.db.declarative import Base
from stalker.exceptions import DeleteRefusedError
from tests.factories import make_user
from tests.task_factories import TaskWorld, codes, dt, make_status_list


def dump(session: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: two dumps differ iff the data differ."""
    connection = session.connection()
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in connection.execute(select(table))),
        )
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def world(session):
    return TaskWorld(session)


def worked_task(world, name="Animation", logs=1, versions=0, parent=None):
    """A leaf with ``logs`` one-hour time logs and ``versions`` versions."""
    artist = world.user("artist")
    kwargs = {"parent": parent} if parent is not None else {}
    task = world.task(name, resources=[artist], **kwargs)
    world.set_status(task, "RTS")
    for hour in range(logs):
        task.create_time_log(
            artist, dt(2013, 4, 17, 9 + hour), dt(2013, 4, 17, 10 + hour)
        )
    for _ in range(versions):
        Version(task=task)
    return task


def refused(session, obj, pattern):
    """Delete ``obj``, expect the commit refused, roll back; the refusal."""
    before = dump(session)
    session.delete(obj)
    with pytest.raises(DeleteRefusedError, match=pattern) as error:
        session.commit()
    session.rollback()
    assert dump(session) == before
    return error.value


# -- refused deletes --


def test_deleting_a_task_with_work_is_refused_and_named(session, world):
    task = worked_task(world, logs=3, versions=2)
    world.flush()
    session.commit()
    error = refused(
        session,
        task,
        rf"^Task 'Animation' \(id {task.id}\) cannot be deleted: it has 3 time logs "
        r"and 2 versions\. Nothing was deleted; stalker\.db\.delete_with_work_records",
    )
    assert isinstance(error, ValueError)
    assert error.refusals == [
        (
            f"Task 'Animation' (id {task.id})",
            f"Task 'Animation' (id {task.id})",
            "3 time logs and 2 versions",
        )
    ]
    assert len(task.time_logs) == 3 and session.get(Task, task.id) is task


def test_the_session_stays_usable_after_a_refused_delete(session, world):
    task = worked_task(world)
    world.flush()
    session.commit()
    refused(session, task, "1 time log")
    other = world.task("Other", project=world.project)
    session.commit()
    assert Task.query.filter_by(name="Other").one() is other
    assert TimeLog.query.one().task is task


def test_deleting_a_project_names_the_task_that_holds_the_work(session, world):
    parent = world.task("SH010")
    comp = worked_task(world, "Comp", logs=2, parent=parent)
    world.flush()
    Ticket(project=world.project)
    session.commit()
    project = world.project
    error = refused(session, project, r"^Project 'Test Project'")
    text = str(error)
    assert f"Task 'Comp' (id {comp.id}) has 2 time logs" in text
    assert "it has 1 ticket" in text
    assert Task.query.filter_by(name="SH010").one() is parent


def test_deleting_a_shot_with_worked_child_tasks_is_refused(session, world):
    sequence = Sequence(name="SEQ", code="SEQ", project=world.project)
    shot = Shot(name="SH010", code="SH010", project=world.project, sequences=[sequence])
    worked_task(world, "Comp", parent=shot)
    world.flush()
    session.commit()
    refused(session, shot, r"^Shot 'SH010' .*: Task 'Comp' \(id \d+\) has 1 time log")


def test_a_pending_time_log_on_a_deleted_task_is_refused(session, world):
    task = worked_task(world, logs=0)
    world.flush()
    session.commit()
    with session.no_autoflush:
        session.delete(task)
        TimeLog(
            task=task,
            resource=world.user("artist"),
            start=dt(2013, 4, 18, 9),
            end=dt(2013, 4, 18, 10),
        )
        with pytest.raises(DeleteRefusedError, match="1 time log"):
            session.commit()
    session.rollback()
    assert TimeLog.query.count() == 0 and session.get(Task, task.id) is task


def test_removing_a_worked_task_from_its_project_is_refused(session, world):
    task = worked_task(world)
    world.flush()
    session.commit()
    world.project.tasks.remove(task)
    with pytest.raises(DeleteRefusedError, match=r"Animation.*1 time log"):
        session.commit()
    session.rollback()
    assert TimeLog.query.one().task is task


def test_a_user_owning_tickets_is_refused_by_name(session, world):
    owner = make_user("owner")
    Ticket(project=world.project).owner = owner
    world.flush()
    session.add(owner)
    session.commit()
    refused(session, owner, rf"^User 'owner' \(id {owner.id}\) .*1 ticket it owns")


def test_a_user_with_time_logs_is_refused(session, world):
    worked_task(world, logs=2)
    world.flush()
    session.commit()
    artist = world.user("artist")
    refused(session, artist, r"^User 'artist' .*it has 2 time logs")


def test_a_repository_in_use_is_refused(session, world):
    repository = Repository(name="Main", code="MAIN", linux_path="/mnt/main")
    world.project.repositories = [repository]
    world.flush()
    session.commit()
    refused(session, repository, r"^Repository 'Main' .*1 project using it")
    assert world.project.repositories == [repository]


def test_a_status_in_a_list_is_refused(session):
    status = Status(name="Parked", code="PARK")
    parking = StatusList(name="Parking", target_entity_type="Clip", statuses=[status])
    session.add_all([status, parking])
    session.commit()
    refused(session, status, r"^Status 'Parked' .*1 status list using it")


def test_deleting_a_work_record_itself_is_allowed(session, world):
    task = worked_task(world, logs=2, versions=1)
    world.flush()
    session.commit()
    first_log, version = task.time_logs[0], task.versions[0]
    session.delete(first_log)
    session.delete(version)
    session.commit()
    assert TimeLog.query.count() == 1 and Version.query.count() == 0


def test_a_task_without_work_is_deleted_as_before(session, world):
    task = worked_task(world, logs=0)
    world.flush()
    session.commit()
    session.delete(task)
    session.commit()
    assert Task.query.filter_by(name="Animation").count() == 0


# -- dependencies --


def test_dependents_leave_wfd_when_their_dependency_is_deleted(session, world):
    upstream = world.task("Up")
    downstream = world.task("Down", depends_on=[upstream])
    other = world.task("Other")
    waiting = world.task("Waiting", depends_on=[upstream, other])
    world.flush()
    session.commit()
    assert codes(downstream, waiting) == ["WFD", "WFD"]
    session.delete(upstream)
    session.commit()
    assert codes(downstream, waiting) == ["RTS", "WFD"]
    assert downstream.depends_on == [] and waiting.depends_on == [other]
    session.expire_all()
    assert codes(downstream, waiting) == ["RTS", "WFD"]
    assert TaskDependency.query.count() == 1


def test_deleting_a_dependency_link_releases_its_task(session, world):
    upstream = world.task("Up")
    downstream = world.task("Down", depends_on=[upstream])
    world.flush()
    session.commit()
    session.delete(downstream.task_depends_on[0])
    session.commit()
    session.expire_all()
    assert codes(downstream) == ["RTS"] and downstream.depends_on == []


# -- deleting on purpose --


def test_delete_with_work_records_removes_task_and_work(session, world):
    task = worked_task(world, logs=2, versions=2)
    reviewer = world.user("lead")
    world.flush()
    Review(task=task, reviewer=reviewer)
    session.commit()
    ids = [log.id for log in task.time_logs] + [v.id for v in task.versions]
    delete_with_work_records(task)
    session.commit()
    session.expire_all()
    assert Task.query.filter_by(name="Animation").count() == 0
    assert (TimeLog.query.count(), Version.query.count(), Review.query.count()) == (
        0,
        0,
        0,
    )
    assert all(session.get(TimeLog, i) is None for i in ids[:2])
    assert User.query.filter_by(login="artist").one() is world.user("artist")


def test_delete_with_work_records_takes_a_whole_project(session, world):
    parent = world.task("SH010")
    worked_task(world, "Comp", logs=2, versions=1, parent=parent)
    world.flush()
    Ticket(project=world.project).accept()
    session.commit()
    delete_with_work_records(world.project)
    session.commit()
    counts = [cls.query.count() for cls in (Task, TimeLog, Version, Ticket, TicketLog)]
    assert counts == [0, 0, 0, 0, 0]
    assert Project.query.filter_by(code="TP").count() == 0


def test_delete_with_work_records_refuses_other_references_and_changes_nothing(
    session, world
):
    task = worked_task(world)
    world.flush()
    session.commit()
    status = Status(name="Parked", code="PARK")
    parking = StatusList(name="Parking", target_entity_type="Clip", statuses=[status])
    session.add_all([status, parking])
    session.commit()
    before = dump(session)
    with pytest.raises(DeleteRefusedError, match="1 status list using it"):
        delete_with_work_records(status)
    assert list(session.deleted) == [] and not session.dirty
    session.commit()
    assert dump(session) == before and task.time_logs


@pytest.mark.parametrize("bad", [None, 1, "task", Link(full_path="/a")])
def test_delete_with_work_records_needs_a_saved_object(session, bad):
    with pytest.raises(ValueError, match="needs an object saved in a session"):
        delete_with_work_records(bad)


# -- version history --


def test_a_version_others_were_built_from_is_refused(session, world):
    task = worked_task(world, logs=0)
    v1 = Version(task=task)
    v2 = Version(task=task, parent=v1, inputs=[v1])
    world.flush()
    session.commit()
    refused(session, v1, r"1 child version and 1 version using it as an input")
    assert v2.parent is v1 and v2.inputs == [v1]


def test_a_deliberately_deleted_version_hands_its_children_to_its_parent(
    session, world
):
    task = worked_task(world, logs=0)
    plate = Link(full_path="/plates/a.exr")
    v1 = Version(task=task)
    v2 = Version(task=task, parent=v1, inputs=[plate])
    v3 = Version(task=task, parent=v2, inputs=[v2, plate])
    world.flush()
    session.commit()
    delete_with_work_records(v2)
    session.commit()
    session.expire_all()
    assert v3.parent is v1 and v1.children == [v3]
    assert v3.inputs == [plate]
    assert Version.query.count() == 2 and session.get(Link, plate.id) is plate


def test_an_invoice_with_payments_is_refused(session, world):
    client = Client(name="Big Client")
    budget = Budget(
        name="B",
        project=world.project,
        status_list=make_status_list("Budget", ("PLAN", "APP"), ("Planning", "Ok")),
    )
    invoice = Invoice(budget=budget, client=client, amount=100)
    Payment(invoice=invoice, amount=40)
    world.flush()
    session.add(client)
    session.commit()
    refused(session, invoice, r"^Invoice .*: it has 1 payment\.")
    delete_with_work_records(invoice)
    session.commit()
    assert (Invoice.query.count(), Payment.query.count()) == (0, 0)
    assert Budget.query.one() is budget


def test_a_deliberate_delete_does_not_excuse_earlier_pending_deletes(session, world):
    kept = worked_task(world, "Kept")
    dropped = worked_task(world, "Dropped", logs=0)
    Version(task=dropped)
    world.flush()
    session.commit()
    session.delete(kept)  # still holds a time log
    delete_with_work_records(dropped)
    with pytest.raises(DeleteRefusedError, match=r"Task 'Kept' .* has 1 time log"):
        session.commit()
    session.rollback()
    assert Task.query.filter(Task.name.in_(["Kept", "Dropped"])).count() == 2
    assert Version.query.count() == 1


def test_a_time_log_another_session_committed_meanwhile_refuses_the_delete(
    empty_database_settings,
):
    """The check reads the database, not the deleting session's stale lists."""
    from sqlalchemy.orm import Session

    from stalker import db
    from stalker.db.session import DBSession

    db.setup(empty_database_settings)
    db.init()
    world = TaskWorld(DBSession)
    artist = world.user("artist")
    task = world.task("Animation", resources=[artist])
    world.set_status(task, "RTS")
    world.flush()
    DBSession.commit()
    task_id, artist_id = task.id, artist.id
    engine = DBSession.get_bind()
    DBSession.remove()
    deleter = Session(bind=engine, expire_on_commit=False)
    other = Session(bind=engine)
    try:
        stale = deleter.get(Task, task_id)
        assert stale.time_logs == []  # loaded before the other session logs time
        deleter.commit()
        logged = other.get(Task, task_id)
        logged.create_time_log(
            other.get(User, artist_id), dt(2013, 4, 17, 9), dt(2013, 4, 17, 10)
        )
        other.commit()
        deleter.delete(stale)
        with pytest.raises(DeleteRefusedError, match=r"'Animation' .* 1 time log"):
            deleter.commit()
        deleter.rollback()
        assert other.get(Task, task_id).time_logs[0].resource.id == artist_id
    finally:
        deleter.close()
        other.close()


def test_a_deliberate_delete_does_not_take_the_work_of_another_pending_delete(
    session, world
):
    worked_task(world, "Kept")
    dropped = worked_task(world, "Dropped", logs=0)
    world.flush()
    session.commit()
    artist = world.user("artist")
    session.delete(artist)  # logged time on Kept: not this call's business
    delete_with_work_records(dropped)
    with pytest.raises(DeleteRefusedError, match=r"User 'artist' .* 1 time log"):
        session.commit()
    session.rollback()
    assert TimeLog.query.one().task.name == "Kept"


def test_a_version_shown_in_a_daily_is_refused(session, world):
    task = worked_task(world, logs=0)
    version = Version(task=task)
    world.flush()
    daily = Daily(name="Monday", project=world.project, links=[version])
    session.add(daily)
    session.commit()
    refused(session, version, r"^Version .*: it has 1 daily showing it\.$")
    assert daily.links == [version]
