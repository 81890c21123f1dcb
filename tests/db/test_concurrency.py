"""Many writers at once: they queue, and what they leave is right (issue 17).

Each test works on a database of its own (committed data, not the rolled-back
test transaction) and runs its writers in threads, each with its own session
and connection, so the database itself arbitrates between them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

import stalker
from stalker import Project, Repository, Task, TimeLog, User, db
from stalker.db.session import DBSession
from stalker.exceptions import OverBookedError
from tests.task_factories import dt

WORKERS = 2


@pytest.fixture
def engine(empty_database_settings: dict[str, Any]) -> Iterator[Any]:
    """A new database with the init() data; every session gets its own connection."""
    db.setup(empty_database_settings)
    db.init()
    engine = DBSession.get_bind()
    DBSession.remove()
    yield engine


def run_at_once(work: list[Callable[[], Any]]) -> list[Any]:
    """Run each callable in its own thread; their results or exceptions, in order."""
    results: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        try:
            results[index] = work[index]()
        except Exception as error:  # reported to the test, not lost in the thread
            results[index] = error
        finally:
            DBSession.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def build_family(engine: Any, siblings: int = WORKERS) -> dict[str, Any]:
    """A parent with ``siblings`` children and a task depending on all of them."""
    session = DBSession()
    try:
        repository = Repository(name="Repo", code="R", linux_path="/mnt/r")
        project = Project(name="Film", code="FILM", repositories=[repository])
        users = [
            User(name=f"a{i}", login=f"a{i}", email=f"a{i}@x.com", password="pw")
            for i in range(siblings)
        ]
        parent = Task(name="Parent", project=project)
        children = [
            Task(name=f"Child {i}", parent=parent, resources=[u], responsible=[u])
            for i, u in enumerate(users)
        ]
        dependent = Task(
            name="Dependent", project=project, depends_on=children, resources=users
        )
        session.add_all([project, parent, dependent, *children, *users])
        session.commit()
        return {
            "parent": parent.id,
            "dependent": dependent.id,
            "children": [child.id for child in children],
            "users": [user.id for user in users],
        }
    finally:
        DBSession.remove()


def status_codes(engine: Any, *task_ids: int) -> list[str]:
    try:
        return [DBSession.get(Task, task_id).status.code for task_id in task_ids]
    finally:
        DBSession.remove()


def test_concurrent_sibling_completions_leave_the_roll_ups_right(engine):
    family = build_family(engine)
    barrier = threading.Barrier(WORKERS)

    def complete(index: int) -> Callable[[], str]:
        def work() -> str:
            session = DBSession()
            task = session.get(Task, family["children"][index])
            user = session.get(User, family["users"][index])
            # read the whole family first, as a user interface would
            [child.status.code for child in task.parent.children]
            [dependent.status.code for dependent in task.dependent_of]
            barrier.wait(timeout=30)
            TimeLog(
                task=task,
                resource=user,
                start=dt(2025, 1, 6, 9),
                end=dt(2025, 1, 6, 10),
            )
            for review in task.request_review():
                review.approve()
            session.commit()
            return task.status.code

        return work

    results = run_at_once([complete(i) for i in range(WORKERS)])

    assert results == ["CMPL"] * WORKERS
    assert status_codes(engine, family["dependent"], family["parent"]) == [
        "RTS",
        "CMPL",
    ]


def test_two_writers_that_read_first_both_commit(engine):
    """SQLite: no "database is locked" for a transaction that read before writing."""
    barrier = threading.Barrier(WORKERS)

    def publish(index: int) -> Callable[[], int]:
        def work() -> int:
            session = DBSession()
            session.scalars(select(User)).all()  # a read opens the snapshot
            barrier.wait(timeout=30)
            user = User(
                name=f"w{index}",
                login=f"w{index}",
                email=f"w{index}@x.com",
                password="pw",
            )
            session.add(user)
            session.commit()
            return user.id

        return work

    results = run_at_once([publish(i) for i in range(WORKERS)])

    assert all(isinstance(result, int) for result in results), results
    assert len(set(results)) == WORKERS


def book(task_id: int, user_id: int, start: Any, end: Any) -> int:
    """Commit one time log in a session of its own; its id."""
    session = DBSession()
    try:
        log = TimeLog(
            task=session.get(Task, task_id),
            resource=session.get(User, user_id),
            start=start,
            end=end,
        )
        session.commit()
        return log.id
    finally:
        DBSession.remove()


def stored_logs(user_id: int) -> list[tuple[Any, Any]]:
    try:
        table = TimeLog.__table__
        rows = DBSession.connection().execute(
            select(table.c.start, table.c.end)
            .where(table.c.resource_id == user_id)
            .order_by(table.c.start)
        )
        return [tuple(row) for row in rows]
    finally:
        DBSession.remove()


def test_concurrent_overlapping_time_logs_one_is_refused(engine):
    family = build_family(engine)
    user_id = family["users"][0]
    barrier = threading.Barrier(WORKERS)

    def log_on(task_id: int) -> Callable[[], int]:
        def work() -> int:
            session = DBSession()
            task = session.get(Task, task_id)
            user = session.get(User, user_id)
            list(user.time_logs)  # nothing booked yet, as far as it can see
            barrier.wait(timeout=30)
            log = TimeLog(
                task=task,
                resource=user,
                start=dt(2025, 2, 3, 9),
                end=dt(2025, 2, 3, 11),
            )
            session.commit()
            return log.id

        return work

    results = run_at_once([log_on(task_id) for task_id in family["children"]])

    refused = [r for r in results if isinstance(r, OverBookedError)]
    assert len(refused) == WORKERS - 1, results
    assert sum(isinstance(r, int) for r in results) == 1
    assert stored_logs(user_id) == [(dt(2025, 2, 3, 9), dt(2025, 2, 3, 11))]


def test_moving_a_log_onto_one_booked_meanwhile_is_refused(engine):
    family = build_family(engine)
    task_id, user_id = family["children"][0], family["users"][0]
    first = book(task_id, user_id, dt(2025, 2, 3, 9), dt(2025, 2, 3, 10))
    session = DBSession()
    log = session.get(TimeLog, first)
    list(log.resource.time_logs)  # what this session knows: only its own log
    other = threading.Thread(
        target=book, args=(task_id, user_id, dt(2025, 2, 3, 10), dt(2025, 2, 3, 11))
    )
    other.start()
    other.join(timeout=60)

    log.end = dt(2025, 2, 3, 10, 30)  # in memory it fits
    with pytest.raises(OverBookedError, match="already booked from"):
        session.commit()
    session.rollback()
    DBSession.remove()

    assert stored_logs(user_id) == [
        (dt(2025, 2, 3, 9), dt(2025, 2, 3, 10)),
        (dt(2025, 2, 3, 10), dt(2025, 2, 3, 11)),
    ]


def test_postgresql_itself_refuses_overlapping_rows(engine, backend):
    """The exclusion constraint holds even for writes that skip the models."""
    if backend != "postgresql":
        pytest.skip("SQLite checks at flush under its write lock instead")
    family = build_family(engine)
    task_id, user_id = family["children"][0], family["users"][0]
    first = book(task_id, user_id, dt(2025, 2, 3, 9), dt(2025, 2, 3, 10))
    table = TimeLog.__table__
    with engine.connect() as connection:
        row = connection.execute(select(table).where(table.c.id == first)).one()
        with pytest.raises(OverBookedError, match="time_log_no_overbooking"):
            connection.execute(
                table.update()
                .where(
                    table.c.id
                    == book(task_id, user_id, dt(2025, 2, 3, 12), dt(2025, 2, 3, 13))
                )
                .values(start=row.start, end=row.end)
            )


def test_the_migration_refuses_a_database_holding_overlaps(
    engine, backend, empty_database_settings
):
    """stalker_0002 lists the overlapping logs instead of failing half-way."""
    from stalker.migrations import runner

    if backend != "postgresql":
        pytest.skip("the constraint is PostgreSQL's; SQLite's upgrade adds nothing")
    url = empty_database_settings["sqlalchemy.url"]
    family = build_family(engine)
    task_id, user_id = family["children"][0], family["users"][0]
    first = book(task_id, user_id, dt(2025, 2, 3, 9), dt(2025, 2, 3, 10))
    second = book(task_id, user_id, dt(2025, 2, 3, 12), dt(2025, 2, 3, 13))
    engine.dispose()
    runner.downgrade(url, "stalker_0001")
    table = TimeLog.__table__
    with engine.begin() as connection:  # what an old version could store
        connection.execute(
            table.update()
            .where(table.c.id == second)
            .values(start=dt(2025, 2, 3, 9, 30), end=dt(2025, 2, 3, 10, 30))
        )
    engine.dispose()

    with pytest.raises(ValueError, match=rf"overlapping bookings .*ids {first} and"):
        runner.upgrade(url, "head")
    assert runner.current(url) == "stalker_0001"


def _busy_timeout(settings: dict[str, Any]) -> int:
    engine = db.create_engine_from_settings(settings)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar())
    finally:
        engine.dispose()


def test_sqlite_writers_wait_thirty_seconds_by_default(tmp_path):
    url = f"sqlite:///{tmp_path / 'studio.db'}"
    assert _busy_timeout({"sqlalchemy.url": url}) == 30_000


def test_the_sqlite_busy_timeout_setting_is_applied(tmp_path):
    stalker.defaults.sqlite_busy_timeout = 2.5
    url = f"sqlite:///{tmp_path / 'studio.db'}"
    assert _busy_timeout({"sqlalchemy.url": url}) == 2_500


def test_a_driver_timeout_in_the_url_wins_over_the_setting(tmp_path):
    url = f"sqlite:///{tmp_path / 'studio.db'}?timeout=5"
    assert _busy_timeout({"sqlalchemy.url": url}) == 5_000


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("30", TypeError),
        (True, TypeError),
        (-1, ValueError),
        (float("nan"), ValueError),
    ],
)
def test_a_wrong_busy_timeout_is_refused(tmp_path, value, error):
    stalker.defaults.sqlite_busy_timeout = value
    url = f"sqlite:///{tmp_path / 'studio.db'}"
    with pytest.raises(error, match="sqlite_busy_timeout should be"):
        db.create_engine_from_settings({"sqlalchemy.url": url})
