"""The bulk path writes exactly the rows the constructors write (both backends)."""

from __future__ import annotations

import io

from sqlalchemy import select

from stalker import Project, Repository, Shot, Task
from stalker.db.declarative import Base
from stalker.interchange.bulk import _clone_tables
from stalker.interchange.shot_list import import_shot_list

from .test_shot_list import EXPECTED_REFUSALS, GOOD_AND_BAD

MORE = GOOD_AND_BAD + (
    "SEQ03,SH080,1,1,,,Shot Chain,anim1\n"
    "SEQ03,SH090,7,,25,Plain,,anim1 anim2\n"
    "SEQ03,SH010,1,2,,Duplicate,Shot Chain,\n"
)

SKIPPED = {"id", "date_created", "date_updated", "project_id"}


def rows_of(session, project):
    """Every row of every task of ``project``, ids replaced by task paths."""
    tasks = session.scalars(select(Task).where(Task.project_id == project.id)).all()
    names = {}
    for task in tasks:
        path, node = [], task
        while node is not None:
            path.append(node.name)
            node = node.parent
        names[task.id] = "/".join(reversed(path))
    connection = session.connection()
    result = {}
    for table in _clone_tables():
        id_columns = [
            fk.parent.name
            for fk in table.foreign_keys
            if fk.column.table.name
            in ("SimpleEntities", "Entities", "Tasks", "Shots", "Sequences")
        ]
        key_column = "id" if "id" in table.c else id_columns[0]
        for row in connection.execute(
            select(table).where(table.c[key_column].in_(list(names)))
        ):
            values = {
                k: names.get(v, v) if k in id_columns or k == "id" else v
                for k, v in row._mapping.items()
                if k not in SKIPPED
            }
            owner = names[row._mapping[key_column]]
            result.setdefault((table.name, owner), []).append(
                sorted(values.items(), key=str)
            )
    return {k: sorted(v, key=str) for k, v in result.items()}


def test_bulk_rows_equal_constructor_rows(session, studio):
    slow = import_shot_list(io.StringIO(MORE), studio["project"], bulk=False)
    other = Project(
        name="Other", code="OT", repositories=[Repository(name="R2", code="R2")], fps=24
    )
    session.add(other)
    session.commit()
    progress = []
    fast = import_shot_list(
        io.StringIO(MORE),
        other,
        bulk=True,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert fast.refused == slow.refused == EXPECTED_REFUSALS
    assert sorted(fast.created) == sorted(slow.created)
    assert sorted(fast.unchanged) == sorted(slow.unchanged)
    assert progress[-1] == (11, 11)
    session.expire_all()
    assert rows_of(session, other) == rows_of(session, studio["project"])
    shot = session.scalars(select(Shot).where(Shot.code == "SH080")).all()
    assert {s.project.code for s in shot} == {"FC", "OT"}
    # the new rows work with the ORM: a re-import creates nothing (only the
    # file's repeated SH010 row flips that shot back and forth)
    again = import_shot_list(io.StringIO(MORE), other, bulk=True)
    assert again.created == []
    assert {change.entity for change in again.updated} == {"Shot SH010"}
    # and new ORM objects get fresh ids after the bulk rows
    task = Task(name="After", project=other)
    session.commit()
    assert task.id > max(
        row.id for row in session.scalars(select(Task)) if row is not task
    )


def test_bulk_dry_run_writes_nothing(session, studio):
    before = session.scalars(select(Task.id)).all()
    report = import_shot_list(
        io.StringIO(MORE), studio["project"], bulk=True, dry_run=True
    )
    assert report.refused == EXPECTED_REFUSALS
    assert "Shot SH080" in report.created
    session.commit()
    assert session.scalars(select(Task.id)).all() == before
    assert Base.metadata.tables["Shot_Sequences"] is not None
