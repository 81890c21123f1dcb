"""The bulk insert flush writes exactly what the unit of work would.

Each scenario is built twice in the same database, once through
``stalker.db.bulk_flush`` and once through SQLAlchemy's own unit of work,
and the rows are compared with ids replaced by names.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from stalker import (
    Asset,
    Repository,
    Sequence,
    Shot,
    Status,
    StatusList,
    Task,
    Type,
    User,
)
from stalker.db import bulk_flush
from stalker.db.declarative import Base
from stalker.models.status import default_status_list
from tests.factories import make_user
from tests.support.statements import recorded_statements
from tests.task_factories import make_project

COMPARED_TABLES = (
    "SimpleEntities",
    "Tasks",
    "Shots",
    "Assets",
    "Sequences",
    "Task_Dependencies",
    "Task_Resources",
    "Task_Computed_Resources",
    "Shot_Sequences",
)
ID_COLUMNS = {
    "id",
    "parent_id",
    "project_id",
    "status_id",
    "status_list_id",
    "task_id",
    "depends_on_id",
    "resource_id",
    "shot_id",
    "sequence_id",
    "type_id",
    "created_by_id",
    "updated_by_id",
}
SKIPPED_COLUMNS = {"date_created", "date_updated"}


@pytest.fixture
def bulk_counter(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the flushes the bulk path wrote."""
    taken = {"bulk": 0}
    original = bulk_flush._run_in_flush_transaction

    def counting(session: Any, plan: Any) -> None:
        taken["bulk"] += 1
        original(session, plan)

    monkeypatch.setattr(bulk_flush, "_run_in_flush_transaction", counting)
    return taken


def _use_bulk(monkeypatch: pytest.MonkeyPatch, enabled: bool) -> None:
    monkeypatch.setattr(bulk_flush, "BULK_THRESHOLD", 1 if enabled else 10**9)


def _production(session: Any, prefix: str) -> list[Any]:
    """Sequences, shots with dependent tasks, an asset with a new type."""
    artist = make_user(f"{prefix}artist")
    lead = make_user(f"{prefix}lead")
    session.add_all([artist, lead])
    session.commit()  # saved users: their task collections change pending
    project = make_project(f"{prefix} Project", f"{prefix}P", in_memory=False)
    sequence = Sequence(name=f"{prefix}SEQ", code=f"{prefix}SEQ", project=project)
    created: list[Any] = [project, sequence]
    for number in range(3):
        code = f"{prefix}SH{number}"
        shot = Shot(name=code, code=code, parent=sequence, sequences=[sequence])
        previous = None
        for name in ("Layout", "Anim", "Comp"):
            previous = Task(
                name=f"{prefix}{name}",
                parent=shot,
                resources=[artist],
                responsible=[lead],
                depends_on=[previous] if previous else None,
                schedule_timing=2,
                schedule_unit="d",
            )
            created.append(previous)
        created.append(shot)
    prop_type = Type(
        name=f"{prefix}Prop", code=f"{prefix}PROP", target_entity_type="Asset"
    )
    created.append(
        Asset(
            name=f"{prefix}Lamp", code=f"{prefix}LAMP", type=prop_type, project=project
        )
    )
    session.add_all(created)
    session.commit()
    return created


def _dump(session: Any, prefix: str) -> dict[str, list[tuple[Any, ...]]]:
    """Rows of the compared tables that belong to ``prefix``, ids as names."""
    connection = session.connection()
    names = dict(
        connection.execute(text('SELECT id, name FROM "SimpleEntities"')).all()
    )
    ours = {entity_id for entity_id, name in names.items() if name.startswith(prefix)}
    dump: dict[str, list[tuple[Any, ...]]] = {}
    for table_name in COMPARED_TABLES:
        table = Base.metadata.tables[table_name]
        rows = []
        for row in connection.execute(select(table)).mappings():
            first_id = next(row[c] for c in row if c in ID_COLUMNS)
            if first_id not in ours:
                continue
            rows.append(
                tuple(
                    (
                        column,
                        _unprefixed(
                            names.get(row[column])
                            if column in ID_COLUMNS
                            else row[column],
                            prefix,
                        ),
                    )
                    for column in sorted(row.keys())
                    if column not in SKIPPED_COLUMNS
                )
            )
        dump[table_name] = sorted(rows, key=repr)
    return dump


def _unprefixed(value: Any, prefix: str) -> Any:
    return value.removeprefix(prefix) if isinstance(value, str) else value


def test_bulk_rows_equal_unit_of_work_rows(session, monkeypatch, bulk_counter):
    _use_bulk(monkeypatch, enabled=False)
    _production(session, "UOW")
    assert bulk_counter["bulk"] == 0
    _use_bulk(monkeypatch, enabled=True)
    _production(session, "BLK")
    assert bulk_counter["bulk"] >= 2
    expected, written = _dump(session, "UOW"), _dump(session, "BLK")
    assert written == expected
    assert len(written["Tasks"]) == 1 + 3 + 9 + 1  # sequence, shots, tasks, asset
    assert len(written["Task_Dependencies"]) == 6


def test_objects_are_persistent_and_consistent_after_a_bulk_flush(
    session, monkeypatch, bulk_counter
):
    _use_bulk(monkeypatch, enabled=True)
    created = _production(session, "B")
    assert bulk_counter["bulk"] >= 2
    assert not session.new and not session.dirty
    project, sequence = created[0], created[1]
    session.expire_all()
    shots = sorted(sequence.children, key=lambda shot: shot.code)
    assert [shot.code for shot in shots] == ["BSH0", "BSH1", "BSH2"]
    layout, anim, comp = sorted(shots[0].children, key=lambda task: task.id)
    assert [task.name for task in (layout, anim, comp)] == ["BLayout", "BAnim", "BComp"]
    assert anim.depends_on == [layout] and comp.depends_on == [anim]
    assert [user.login for user in comp.resources] == ["bartist"]
    assert comp.project is project and comp.status.code == "WFD"
    assert layout.status.code == "RTS"
    assert shots[0].sequences == [sequence]
    lamp = Asset.query.filter_by(code="BLAMP").one()
    assert lamp.type.code == "BPROP"
    artist = User.query.filter_by(login="bartist").one()
    assert len(artist.tasks) == 9


def test_a_row_pointing_to_a_later_row_is_linked_by_update(
    session, monkeypatch, bulk_counter
):
    _use_bulk(monkeypatch, enabled=True)
    project = make_project("Late", "LATE", in_memory=False)
    child = Task(name="Child", project=project)
    parent = Task(name="Parent", project=project)
    child.parent = parent  # the child got the lower id
    creator = make_user("creator")
    thing_type = Type(name="Thing", code="THING", target_entity_type="Task")
    task_of_new_user = Task(
        name="Typed", project=project, created_by=creator, type=thing_type
    )
    session.add_all([project, child, parent, creator, task_of_new_user])
    session.commit()
    assert bulk_counter["bulk"] == 1
    assert child.id < parent.id
    row = session.execute(
        text('SELECT parent_id FROM "Tasks" WHERE id = :id'), {"id": child.id}
    ).one()
    assert row.parent_id == parent.id
    row = session.execute(
        text('SELECT created_by_id, type_id FROM "SimpleEntities" WHERE id = :id'),
        {"id": task_of_new_user.id},
    ).one()
    assert (row.created_by_id, row.type_id) == (creator.id, thing_type.id)


def test_a_type_of_a_type_keeps_both_ids_apart(session, monkeypatch):
    _use_bulk(monkeypatch, enabled=True)
    kind = Type(name="Kind", code="KIND", target_entity_type="Type")
    sub = Type(name="Sub", code="SUB", target_entity_type="Asset", type=kind)
    session.add_all([kind, sub])
    session.commit()
    session.expire_all()
    assert sub.type is kind and sub.id != kind.id
    assert sub.type_id == kind.id


def test_saved_collections_are_not_written_twice(session, monkeypatch, bulk_counter):
    artist = make_user("loaded")
    project = make_project("Saved", "SAVED", in_memory=False)
    session.add_all([artist, project])
    session.commit()
    assert artist.tasks == [] and project.tasks == []  # both collections loaded
    _use_bulk(monkeypatch, enabled=True)
    bulk_counter["bulk"] = 0
    tasks = [Task(name=f"T{i}", project=project, resources=[artist]) for i in range(5)]
    session.commit()
    assert bulk_counter["bulk"] == 1
    assert not session.dirty
    count = session.execute(
        text('SELECT count(*) FROM "Task_Resources" WHERE resource_id = :id'),
        {"id": artist.id},
    ).scalar()
    assert count == 5
    session.expire_all()
    assert sorted(task.name for task in artist.tasks) == [t.name for t in tasks]
    assert len(project.tasks) == 5


def test_a_failed_bulk_flush_leaves_nothing(session, monkeypatch, bulk_counter):
    _use_bulk(monkeypatch, enabled=True)
    before = session.execute(text('SELECT count(*) FROM "SimpleEntities"')).scalar()
    users = [make_user(f"dup{i}") for i in range(3)] + [make_user("dup0")]
    session.add_all(users)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    after = session.execute(text('SELECT count(*) FROM "SimpleEntities"')).scalar()
    assert after == before
    assert all(user not in session for user in users)
    session.add(make_user("fine"))
    session.commit()
    assert User.query.filter_by(login="fine").count() == 1


def test_objects_with_insert_events_take_the_normal_path(
    session, monkeypatch, bulk_counter
):
    _use_bulk(monkeypatch, enabled=True)
    repositories = [
        Repository(name=f"Repo {i}", code=f"R{i}", linux_path=f"/mnt/r{i}")
        for i in range(3)
    ]
    session.add_all(repositories)
    session.commit()
    assert bulk_counter["bulk"] == 0  # Repository publishes its paths after insert
    assert all(repository.id is not None for repository in repositories)
    assert os.environ[f"REPO{repositories[0].id}"].rstrip("/") == "/mnt/r0"


def test_a_new_status_list_is_found_after_a_bulk_flush(
    session, monkeypatch, bulk_counter
):
    assert default_status_list(["Gizmo"]) is None  # remembered as missing
    _use_bulk(monkeypatch, enabled=True)
    statuses = [Status(name="On", code="ON"), Status(name="Off", code="OFF")]
    gizmo_list = StatusList(
        name="Gizmo Statuses", target_entity_type="Gizmo", statuses=statuses
    )
    session.add(gizmo_list)
    session.commit()
    assert bulk_counter["bulk"] == 1
    assert default_status_list(["Gizmo"]) is gizmo_list


@pytest.fixture
def statements(session: Any) -> Iterator[list[str]]:
    with recorded_statements(session.get_bind().engine) as seen:
        yield seen


def test_many_tasks_take_one_insert_per_table(session, monkeypatch, statements):
    _use_bulk(monkeypatch, enabled=True)
    project = make_project("Many", "MANY", in_memory=False)
    artist = make_user("many")
    session.add_all([project, artist])
    session.commit()
    parent = Task(name="Parent", project=project)
    previous = None
    for number in range(200):
        previous = Task(
            name=f"T{number}",
            parent=parent,
            resources=[artist],
            depends_on=[previous] if previous else None,
        )
    statements.clear()
    session.commit()
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    tables = [s.split('"')[1] for s in inserts]
    assert sorted(tables) == sorted(set(tables))  # one statement per table
    assert set(tables) == {
        "SimpleEntities",
        "Entities",
        "Tasks",
        "Task_Dependencies",
        "Task_Resources",
        "Task_Computed_Resources",
    }


def _scratch_table(session: Any) -> Any:
    """A table of its own (created inside the test's transaction) for _insert."""
    from sqlalchemy import Column, Integer, MetaData, String, Table

    from stalker.db.types import GenericDateTime

    table = Table(
        "BulkScratch",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("label", String(32), default=lambda: "computed"),
        Column("moment", GenericDateTime),
    )
    table.create(session.connection())
    return table


def test_insert_converts_values_for_the_driver(session):
    import datetime

    table = _scratch_table(session)
    moment = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.timezone.utc)
    rows = [{"id": i, "label": f"L{i}", "moment": moment} for i in (1, 2)]
    bulk_flush._insert(session.connection(), table, rows)
    stored = session.connection().execute(select(table).order_by(table.c.id)).all()
    assert [(r.id, r.label, r.moment) for r in stored] == [
        (1, "L1", moment),
        (2, "L2", moment),
    ]


def test_insert_lets_sqlalchemy_compute_python_defaults(session):
    table = _scratch_table(session)
    bulk_flush._insert(session.connection(), table, [{"id": 7, "moment": None}])
    stored = session.connection().execute(select(table)).one()
    assert (stored.id, stored.label, stored.moment) == (7, "computed", None)


def test_objects_of_another_model_keep_sqlalchemys_unit_of_work(monkeypatch):
    """The hook sees every Session of the process, not only Stalker's."""
    from sqlalchemy import Integer, String, create_engine
    from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

    class Other(DeclarativeBase):
        pass

    class Item(Other):
        __tablename__ = "items"
        id = mapped_column(Integer, primary_key=True)
        name = mapped_column(String(20))

    monkeypatch.setattr(bulk_flush, "BULK_THRESHOLD", 1)
    touched = []
    for name in ("_plan_bulk_insert", "_hand_out_sqlite_ids"):
        monkeypatch.setattr(bulk_flush, name, lambda *args, n=name: touched.append(n))
    engine = create_engine("sqlite://")
    Other.metadata.create_all(engine)
    with Session(engine) as other_session:
        items = [Item(name=f"item {i}") for i in range(3)]
        other_session.add_all(items)
        other_session.commit()
        assert sorted(item.id for item in items) == [1, 2, 3]
    assert touched == []
    engine.dispose()


def test_a_big_sqlite_flush_gives_every_table_planner_statistics(session, monkeypatch):
    """Not only the tables with an index: a status by code scans Statuses."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's planner statistics")
    monkeypatch.setattr(bulk_flush, "BULK_THRESHOLD", 1)
    monkeypatch.setattr(bulk_flush, "SQLITE_STATISTICS_ROWS", 100)
    project = make_project(in_memory=False)
    session.add_all([Task(name=f"task {i}", project=project) for i in range(60)])
    session.commit()
    analyzed = set(session.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
    assert {"SimpleEntities", "Entities", "Tasks", "Statuses", "Users"} <= analyzed
    statement = select(Status).where(Status.code == "WIP")
    plan = session.execute(
        text(
            "EXPLAIN QUERY PLAN "
            + str(
                statement.compile(
                    session.get_bind(), compile_kwargs={"literal_binds": True}
                )
            )
        )
    ).all()
    assert "SCAN Statuses" in [row[-1] for row in plan]
    assert session.execute(text("PRAGMA analysis_limit")).scalar() == 0
