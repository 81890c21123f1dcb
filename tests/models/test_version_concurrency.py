"""Two artists publishing versions of one task at once (spec 08 §2.3, D10).

Real concurrent sessions on a real database: PostgreSQL, and SQLite on a
file (an in-memory SQLite database has a single connection, so nothing would
run concurrently).
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stalker import (
    FilenameTemplate,
    Project,
    Repository,
    Shot,
    Structure,
    Task,
    Version,
    db,
)
from stalker.db.session import DBSession

WRITERS = 2
VERSIONS_EACH = 50


@pytest.fixture
def comp_task_id(empty_database_settings, tmp_path):
    """A saved shot task whose project renders version paths; returns its id."""
    db.setup(empty_database_settings)
    db.init()
    template = FilenameTemplate(
        name="Task Template",
        target_entity_type="Task",
        path="$REPO{{project.repository.id}}/{{project.code}}/"
        "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}",
        filename='{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'
        "{{extension}}",
    )
    project = Project(
        name="Fancy Commercial",
        code="FC",
        repositories=[Repository(name="Repo", linux_path=str(tmp_path))],
        structure=Structure(name="Structure", templates=[template]),
    )
    shot = Shot(name="SH001", code="SH001", project=project)
    comp = Task(name="comp", parent=shot)
    DBSession.add(project)
    DBSession.commit()
    task_id = comp.id
    DBSession.remove()
    return task_id


def _publish(task_id: int, count: int, start: threading.Barrier, errors: list) -> None:
    """One artist: load the task once, then create, render and commit versions."""
    try:
        task = DBSession.get(Task, task_id)
        DBSession.commit()
        start.wait()
        for _ in range(count):
            version = Version(task=task)
            version.update_paths()
            version.extension = ".ma"
            DBSession.commit()
    except Exception as error:  # reported by the main thread
        errors.append(error)
        DBSession.rollback()
    finally:
        DBSession.remove()


def _stored_versions(task_id: int) -> list[Version]:
    return (
        Version.query.filter_by(task_id=task_id).order_by(Version.version_number).all()
    )


def test_concurrent_publishers_get_distinct_consecutive_numbers(comp_task_id):
    start = threading.Barrier(WRITERS)
    errors: list[Exception] = []
    threads = [
        threading.Thread(
            target=_publish, args=(comp_task_id, VERSIONS_EACH, start, errors)
        )
        for _ in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    versions = _stored_versions(comp_task_id)
    numbers = [v.version_number for v in versions]
    assert numbers == list(range(1, WRITERS * VERSIONS_EACH + 1))
    for version in versions:
        assert version.filename == f"SH001_comp_Main_v{version.version_number:03d}.ma"
        assert version.path.endswith("/FC/SH001/comp")


def test_unique_constraint_refuses_a_duplicate_number(comp_task_id):
    """The database itself refuses what the library never writes."""
    engine = DBSession.get_bind()
    first = DBSession.get(Task, comp_task_id)
    DBSession.add(Version(task=first))
    DBSession.commit()
    table = Version.__table__
    row = DBSession.execute(table.select()).mappings().one()
    with Session(engine) as other, pytest.raises(IntegrityError):
        link = Version(task=other.get(Task, comp_task_id), name="copy")
        other.add(link)
        other.flush()
        other.execute(
            table.update()
            .where(table.c.id == link.id)
            .values(version_number=row["version_number"])
        )


def test_on_sqlite_the_second_publisher_waits_for_the_first(comp_task_id, backend):
    """A version built first in a transaction takes SQLite's write lock."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL numbers under an advisory lock at commit instead")
    engine = DBSession.get_bind()
    second: dict[str, int] = {}

    def publish_second() -> None:
        with Session(engine) as other:
            task = other.get(Task, comp_task_id)
            other.commit()
            version = Version(task=task)  # waits here for the first commit
            other.commit()
            second["number"] = version.version_number

    with Session(engine) as one:
        task = one.get(Task, comp_task_id)
        one.commit()
        first = Version(task=task)
        first.update_paths()
        waiting = threading.Thread(target=publish_second)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive()  # blocked by our write lock
        one.commit()
        first_number = first.version_number
    waiting.join(timeout=10)
    assert (first_number, second["number"]) == (1, 2)


def test_late_publisher_is_renumbered_and_renamed(comp_task_id, backend):
    """A number taken by another session meanwhile moves to the next free one."""
    if backend == "sqlite":
        pytest.skip("SQLite makes the second publisher wait for the first")
    engine = DBSession.get_bind()
    with Session(engine) as late, Session(engine) as early:
        slow = Version(task=late.get(Task, comp_task_id))
        slow.update_paths()
        slow.extension = ".ma"
        assert slow.version_number == 1
        fast = Version(task=early.get(Task, comp_task_id))
        fast.update_paths()
        assert fast.version_number == 1
        early.commit()
        late.commit()
        assert (fast.version_number, slow.version_number) == (1, 2)
        assert fast.filename == "SH001_comp_Main_v001"
        assert slow.filename == "SH001_comp_Main_v002.ma"


def test_renumbering_keeps_a_hand_written_path(comp_task_id, backend):
    if backend == "sqlite":
        pytest.skip("SQLite makes the second publisher wait for the first")
    engine = DBSession.get_bind()
    with Session(engine) as late, Session(engine) as early:
        slow = Version(task=late.get(Task, comp_task_id), full_path="/tmp/x/mine.ma")
        early.add(Version(task=early.get(Task, comp_task_id)))
        early.commit()
        late.commit()
        assert slow.version_number == 2
        assert slow.full_path == "/tmp/x/mine.ma"


def test_sessions_of_their_own_engine_also_serialise(comp_task_id):
    """Numbering does not depend on DBSession: any Session gets it."""
    url = DBSession.get_bind().url
    engine = create_engine(url)
    try:
        with Session(engine) as one:
            task = one.get(Task, comp_task_id)
            versions = [Version(task=task) for _ in range(3)]
            one.commit()
            assert [v.version_number for v in versions] == [1, 2, 3]
    finally:
        engine.dispose()
