"""Ticket numbers stay unique when sessions open tickets at once (D11).

These tests use a database of their own (not the rolled-back test
transaction) because several connections must see each other's commits.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from stalker import Project, StatusList, Ticket, db
from stalker.db.session import DBSession

from ..task_factories import make_project

WRITERS = 3
TICKETS_PER_WRITER = 30


@pytest.fixture
def shared_db(empty_database_settings: dict[str, Any]) -> Any:
    """A file/server database with the init() data and one saved project."""
    settings = dict(empty_database_settings)
    if settings["sqlalchemy.url"].startswith("sqlite"):
        # writers queue for SQLite's single write lock instead of giving up
        settings["sqlalchemy.connect_args"] = {"timeout": 60}
    db.setup(settings)
    db.init()
    project = make_project(in_memory=False)
    DBSession.add(project)
    DBSession.commit()
    engine, project_id = DBSession.get_bind(), project.id
    DBSession.remove()  # ends the read that fetched the id: SQLite would wait on it
    yield engine, project_id
    DBSession.remove()


def _worker_session(engine: Any) -> Session:
    # Objects stay loaded across commits, so a transaction's first statement
    # is its flush (see the ticket module about SQLite read-then-write).
    return Session(bind=engine, expire_on_commit=False)


def _load(session: Session, project_id: int) -> tuple[Project, StatusList]:
    project = session.get(Project, project_id)
    status_list = session.scalars(
        select(StatusList)
        .where(StatusList._target_entity_type == "Ticket")
        .order_by(StatusList.id)
    ).first()
    list(status_list.statuses)
    session.commit()
    return project, status_list


def _all_tickets(engine: Any) -> list[tuple[int, str, str]]:
    with Session(bind=engine) as session:
        return [
            (ticket.number, ticket.name, ticket.summary)
            for ticket in session.scalars(select(Ticket).order_by(Ticket.number))
        ]


def test_two_sessions_with_the_same_provisional_number_commit_distinct_numbers(
    shared_db,
):
    engine, project_id = shared_db
    first, second = _worker_session(engine), _worker_session(engine)
    project_a, list_a = _load(first, project_id)
    project_b, list_b = _load(second, project_id)

    ticket_a = Ticket(project=project_a, status_list=list_a, summary="a")
    ticket_b = Ticket(project=project_b, status_list=list_b, summary="b")
    assert ticket_a.number == ticket_b.number == 1  # neither sees the other yet

    first.commit()
    second.commit()  # would break the UNIQUE column without renumbering

    assert (ticket_a.number, ticket_a.name) == (1, "Ticket #1")
    assert (ticket_b.number, ticket_b.name) == (2, "Ticket #2")
    assert _all_tickets(engine) == [(1, "Ticket #1", "a"), (2, "Ticket #2", "b")]
    first.close()
    second.close()


def test_a_renumbered_batch_keeps_its_order_and_stays_consecutive(shared_db):
    engine, project_id = shared_db
    first, second = _worker_session(engine), _worker_session(engine)
    project_a, list_a = _load(first, project_id)
    project_b, list_b = _load(second, project_id)
    batch_a = [Ticket(project=project_a, status_list=list_a) for _ in range(3)]
    batch_b = [Ticket(project=project_b, status_list=list_b) for _ in range(2)]
    assert [t.number for t in batch_a] == [1, 2, 3]
    assert [t.number for t in batch_b] == [1, 2]

    second.commit()
    first.commit()

    assert [t.number for t in batch_b] == [1, 2]
    assert [t.number for t in batch_a] == [3, 4, 5]
    assert [t.name for t in batch_a] == ["Ticket #3", "Ticket #4", "Ticket #5"]
    first.close()
    second.close()


def test_concurrent_writers_never_commit_a_duplicate_number(shared_db):
    engine, project_id = shared_db
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write_tickets(writer: int) -> None:
        session = _worker_session(engine)
        try:
            project, status_list = _load(session, project_id)
            barrier.wait()
            for index in range(TICKETS_PER_WRITER):
                ticket = Ticket(
                    project=project,
                    status_list=status_list,
                    summary=f"{writer}-{index}",
                )
                assert ticket in session.new  # joined the project's session
                time.sleep(0.001)  # let the others read the same highest number
                session.commit()
        except BaseException as error:  # reported to the test thread below
            errors.append(error)
        finally:
            session.close()

    threads = [
        threading.Thread(target=write_tickets, args=(writer,))
        for writer in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    tickets = _all_tickets(engine)
    total = WRITERS * TICKETS_PER_WRITER
    assert [number for number, _, _ in tickets] == list(range(1, total + 1))
    assert all(name == f"Ticket #{number}" for number, name, _ in tickets)
    assert sorted(summary for _, _, summary in tickets) == sorted(
        f"{writer}-{index}"
        for writer in range(WRITERS)
        for index in range(TICKETS_PER_WRITER)
    )
