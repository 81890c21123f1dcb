"""Common lookups use keys and indexes: their query plans scan no big table.

SQLite's ``EXPLAIN QUERY PLAN`` and PostgreSQL's ``EXPLAIN`` are read on a
populated database.  On PostgreSQL sequential scans are priced out
(``enable_seqscan = off``), so a plan still scanning a table means no index
could serve the lookup; on a small table the planner would scan anyway.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from stalker import Project, Sequence, Shot, Task, User, Version
from stalker.models.shot import _taken_code_query

#: Tables that grow with the production; a lookup must not read them in full
#: once they hold more than a few pages of rows (below that SQLite rightly
#: prefers a scan, e.g. of the two users here).
GROWING_TABLES = ("SimpleEntities", "Entities", "Tasks", "Shots", "Versions", "Users")
BIG = 100


@pytest.fixture
def production(session: Any) -> dict[str, Any]:
    artist = User(name="Ann", login="ann", email="ann@example.com", password="pw")
    project = Project(name="Plans", code="PLN")
    sequence = Sequence(name="SEQ", code="SEQ", project=project)
    shots = []
    for number in range(150):
        shot = Shot(code=f"SH{number:03d}", project=project, sequences=[sequence])
        for name in ("Anim", "Comp"):
            Task(name=name, parent=shot, resources=[artist])
        shots.append(shot)
    session.add_all([artist, project])
    session.commit()
    comp = shots[75].children[1]
    for _ in range(3):
        session.add(Version(task=comp))
        session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("ANALYZE"))
    return {"project": project, "shot": shots[75], "task": comp, "user": artist}


def _plan(session: Any, statement: Any, parameters: dict[str, Any]) -> str:
    connection = session.connection()
    sql = str(
        statement.params(**parameters).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
    )
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(row[3] for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    try:
        rows = connection.exec_driver_sql(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in rows)
    finally:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")


def _big_tables(session: Any) -> list[str]:
    connection = session.connection()
    return [
        table
        for table in GROWING_TABLES
        if connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar() > BIG
    ]


def _scans(plan: str, big_tables: list[str]) -> list[str]:
    scans = []
    for table in big_tables:
        if f"SCAN {table}" in plan or f'Seq Scan on "{table}"' in plan:
            scans.append(table)
    return scans


def _lookups(found: dict[str, Any]) -> dict[str, tuple[Any, dict[str, Any]]]:
    project, shot, task, user = (
        found["project"],
        found["shot"],
        found["task"],
        found["user"],
    )
    return {
        "task by id": (select(Task).where(Task.task_id == task.id), {}),
        "user by login": (select(User).where(User.login == user.login), {}),
        "shot code free in its project": (
            _taken_code_query(False),
            {"project_id": project.id, "code": shot.code},
        ),
        "shot by code": (select(Shot).where(Shot.code == shot.code), {}),
        "children of a shot": (select(Task).where(Task.parent_id == shot.id), {}),
        "latest version of a task": (
            select(Version)
            .where(Version.task_id == task.id)
            .order_by(Version.version_number.desc())
            .limit(1),
            {},
        ),
    }


@pytest.mark.parametrize(
    "lookup",
    [
        "task by id",
        "user by login",
        "shot code free in its project",
        "shot by code",
        "children of a shot",
        "latest version of a task",
    ],
)
def test_lookup_reads_no_big_table_in_full(session, production, lookup):
    statement, parameters = _lookups(production)[lookup]
    big_tables = _big_tables(session)
    assert {"SimpleEntities", "Tasks", "Shots"} <= set(big_tables)
    plan = _plan(session, statement, parameters)
    assert _scans(plan, big_tables) == [], plan
