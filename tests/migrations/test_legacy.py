"""Moving studios made by the ORIGINAL Stalker (from PyPI) into ours.

The source databases are built by ``tools/original_stalker/make_source_db.py``
run inside cached venvs holding the original package; each is then moved and
compared with the source table by table (counts and values).
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stalker.migrations import runner
from stalker.migrations.legacy import MoveReport, main, move_legacy, take_for_revision
from stalker.migrations.legacy.plan import CLASS_RENAMES
from stalker.migrations.legacy.source import read_source

from ..support.pg_server import create_database, drop_database, get_test_postgres_url

TOOLS = Path(__file__).resolve().parents[2] / "tools" / "original_stalker"
sys.path.insert(0, str(TOOLS))
import build  # noqa: E402

UTC = datetime.timezone.utc

#: Original versions the move is verified against.
ORIGINALS = ["0.2.28", "1.1.2.1"]

#: What the report must list as not carried over, per original version.
EXPECTED_NOT_CARRIED = {
    "0.2.28": set(),
    "1.1.2.1": {"EntityTypes 'Task'", "Tasks (1.x Scenes)"},
}

_built: dict[tuple[str, str], str] = {}


@pytest.fixture
def new_database(backend: str, tmp_path_factory: Any) -> Iterator[Callable[[], str]]:
    """A factory of empty databases (URLs) of the backend under test."""
    created: list[str] = []

    def make() -> str:
        if backend == "sqlite":
            folder = tmp_path_factory.mktemp("legacy")
            return f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
        name = f"stalker_legacy_{uuid.uuid4().hex[:8]}"
        created.append(name)
        return create_database(get_test_postgres_url(), name)

    yield make
    for name in created:
        drop_database(get_test_postgres_url(), name)


def _original_url(url: str) -> str:
    """The original's venv talks to PostgreSQL through psycopg2."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def source_url(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: Any
) -> str:
    """The sample studio built by the original (once per version and backend)."""
    version = request.param
    key = (version, backend)
    if key not in _built:
        if backend == "sqlite":
            url = f"sqlite:///{_cached_sqlite_studio(version)}"
        else:
            name = f"stalker_original_{uuid.uuid4().hex[:8]}"
            url = create_database(get_test_postgres_url(), name)
            _make(version, url)
        _built[key] = url
    return _built[key]


def _make(version: str, url: str) -> None:
    try:
        build.make_source_db(version, _original_url(url))
    except subprocess.CalledProcessError as error:  # pragma: no cover
        pytest.fail(f"make_source_db.py failed:\n{error.stderr}")


def _cached_sqlite_studio(version: str) -> Path:
    """The SQLite studio, kept beside the venvs until the script or the day changes.

    (Its schedule starts the day it is built, so a day-old one is rebuilt.)
    """
    script = (TOOLS / "make_source_db.py").read_bytes()
    digest = hashlib.sha256(script).hexdigest()[:12]
    day = datetime.date.today().isoformat()
    path = build.cache_dir() / f"studio-{version}-{digest}-{day}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{uuid.uuid4().hex[:8]}.partial")
        _make(version, f"sqlite:///{partial}")
        partial.replace(path)
    return path


def _target_rows(url: str, table: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            return [dict(row) for row in result.mappings()]
    finally:
        engine.dispose()


def _utc(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _by_id(rows: list[dict[str, Any]], *columns: str) -> dict[Any, tuple[Any, ...]]:
    return {row["id"]: tuple(row[c] for c in columns) for row in rows}


def _print_comparison(report: MoveReport) -> None:
    print()
    print(report.as_table())


@pytest.mark.parametrize("source_url", ORIGINALS, indirect=True)
def test_a_studio_of_the_original_moves_with_every_row(source_url, new_database):
    target = new_database()
    before = read_source(source_url)
    report = move_legacy(source_url, target)
    _print_comparison(report)
    version = report.source_generation.split()[-1]

    assert report.rows_lost == 0
    for count in report.tables.values():
        assert count.moved_rows == count.source_rows, count
    assert {item.where for item in report.not_carried} == EXPECTED_NOT_CARRIED[version]
    assert all(item.rows == 1 for item in report.not_carried)
    assert report.classes["Task"][0] >= 200
    assert all(source == moved for source, moved in report.classes.values())
    assert read_source(source_url).tables == before.tables  # source untouched

    _compare_values(before.tables, target, version)


def _compare_values(
    source: dict[str, list[dict[str, Any]]], target: str, version: str
) -> None:
    """Ids, names, classes, dates in UTC, statuses, graph and paths agree."""
    legacy_1x = version.startswith("1.")
    renames = CLASS_RENAMES["1.1" if legacy_1x else "0.2"]
    scene_ids = {r["id"] for r in source["Scenes"]} if legacy_1x else set()
    for name in sorted(_TABLES_KEPT):
        expected = len(source[name])
        if name == "Tasks":
            expected -= len(scene_ids)
        if legacy_1x and name == "EntityTypes":
            expected -= 1  # Variant is our Task
        assert len(_target_rows(target, name)) == expected, name

    entities = _target_rows(target, "SimpleEntities")
    assert _by_id(entities, "name", "entity_type") == {
        r["id"]: (r["name"], renames.get(r["entity_type"], r["entity_type"]))
        for r in source["SimpleEntities"]
    }
    assert {r["id"]: _utc(r["date_created"]) for r in entities} == {
        r["id"]: _utc(r["date_created"]) for r in source["SimpleEntities"]
    }
    tasks = [r for r in source["Tasks"] if r["id"] not in scene_ids]
    moved_tasks = _target_rows(target, "Tasks")
    columns = ("parent_id", "project_id", "status_id", "schedule_timing")
    assert _by_id(moved_tasks, *columns) == _by_id(tasks, *columns)
    assert _schedule(moved_tasks) == _schedule(tasks)
    old_key = "depends_on_id" if legacy_1x else "depends_to_id"
    assert {
        (r["task_id"], r[old_key], r["dependency_target"], r["gap_timing"])
        for r in source["Task_Dependencies"]
    } == {
        (r["task_id"], r["depends_on_id"], r["dependency_target"], r["gap_timing"])
        for r in _target_rows(target, "Task_Dependencies")
    }
    _compare_versions(source, target, legacy_1x)


_TABLES_KEPT = {
    "SimpleEntities",
    "Entities",
    "Users",
    "Departments",
    "Groups",
    "Permissions",
    "Clients",
    "Studios",
    "WorkingHours",
    "Vacations",
    "Projects",
    "Repositories",
    "Structures",
    "FilenameTemplates",
    "ImageFormats",
    "Types",
    "Statuses",
    "StatusLists",
    "StatusList_Statuses",
    "Sequences",
    "Scenes",
    "Shots",
    "Assets",
    "Tasks",
    "Task_Dependencies",
    "Task_Resources",
    "Task_Alternative_Resources",
    "Task_Computed_Resources",
    "TimeLogs",
    "Reviews",
    "Dailies",
    "Versions",
    "Tickets",
    "TicketLogs",
    "Notes",
    "Tags",
    "Budgets",
    "BudgetEntries",
    "Goods",
    "PriceLists",
    "Invoices",
    "Payments",
    "Pages",
    "EntityTypes",
    "Roles",
}


def _schedule(rows: list[dict[str, Any]]) -> dict[Any, tuple[Any, Any]]:
    return {r["id"]: (_utc(r["computed_start"]), _utc(r["computed_end"])) for r in rows}


def _compare_versions(
    source: dict[str, list[dict[str, Any]]], target: str, legacy_1x: bool
) -> None:
    paths = {r["id"]: r["full_path"] for r in _target_rows(target, "Links")}
    moved = _by_id(
        _target_rows(target, "Versions"), "task_id", "take_name", "version_number"
    )
    if not legacy_1x:
        assert paths == {r["id"]: r["full_path"] for r in source["Links"]}
        assert moved == _by_id(
            source["Versions"], "task_id", "take_name", "version_number"
        )
        return
    files = {r["id"]: r for r in source["Files"]}
    assert {i: paths[i] for i in files} == {i: f["full_path"] for i, f in files.items()}
    first_file: dict[Any, str] = {}
    for row in source["Version_Files"]:
        first_file.setdefault(row["version_id"], files[row["file_id"]]["full_path"])
    for version_id, path in first_file.items():
        assert paths[version_id] == path
    assert all(paths[r["id"]] for r in source["Versions"])  # the rest rendered
    assert moved == {
        r["id"]: (
            r["task_id"],
            take_for_revision(r["revision_number"]),
            r["version_number"],
        )
        for r in source["Versions"]
    }
    assert {
        (r["shot_id"], r["sequence_id"]) for r in _target_rows(target, "Shot_Sequences")
    } == {(r["id"], r["sequence_id"]) for r in source["Shots"] if r["sequence_id"]}


@pytest.mark.parametrize("source_url", ORIGINALS, indirect=True)
def test_the_moved_studio_works_with_ours(source_url, new_database):
    """Passwords upgrade on login, and the studio schedules with our engine."""
    from stalker import Studio, Task, User, db
    from stalker.db.session import DBSession
    from stalker.models.schedulers import NativeScheduler

    target = new_database()
    move_legacy(source_url, target)
    db.setup({"sqlalchemy.url": target})
    try:
        user = User.query.filter_by(login="artist1").one()
        assert not user.password.startswith("$argon2")
        assert user.check_password("secret1")
        assert user.password.startswith("$argon2id$")
        studio = Studio.query.one()
        studio.scheduler = NativeScheduler()
        studio.schedule()
        DBSession.commit()
        leaf = Task.query.filter_by(name="Comp").first()
        assert leaf.computed_start is not None
        assert leaf.computed_start.tzinfo is not None
        # new rows get ids after the copied ones
        highest = DBSession.execute(text('SELECT max(id) FROM "SimpleEntities"'))
        assert _new_id(DBSession) > highest.scalar()
    finally:
        DBSession.remove()


@pytest.mark.tj3
@pytest.mark.parametrize("source_url", ORIGINALS, indirect=True)
def test_the_moved_studio_schedules_with_taskjuggler(source_url, new_database):
    from stalker import Studio, Task, db
    from stalker.db.session import DBSession
    from stalker.models.schedulers import TaskJugglerScheduler

    target = new_database()
    move_legacy(source_url, target)
    db.setup({"sqlalchemy.url": target})
    try:
        studio = Studio.query.one()
        studio.scheduler = TaskJugglerScheduler()
        studio.schedule()
        DBSession.commit()
        scheduled = Task.query.filter(Task.computed_start.isnot(None)).count()
        assert scheduled >= 200
    finally:
        DBSession.remove()


def _new_id(session: Any) -> int:
    from stalker import Tag

    tag = Tag(name=f"after the move {uuid.uuid4().hex[:6]}")
    session.add(tag)
    session.commit()
    return int(tag.id)


@pytest.mark.parametrize("source_url", ORIGINALS, indirect=True)
def test_the_target_must_be_empty_and_stays_as_it_was(source_url, new_database):
    target = new_database()
    runner.upgrade(target, "head")
    with pytest.raises(ValueError, match="target database should be empty"):
        move_legacy(source_url, target)
    assert runner.current(target) == runner.head()


def test_a_database_of_ours_is_not_a_legacy_source(new_database):
    source = new_database()
    runner.upgrade(source, "head")
    with pytest.raises(ValueError, match="upgraded with"):
        move_legacy(source, new_database())


@pytest.mark.parametrize("source_url", ORIGINALS, indirect=True)
def test_the_command_prints_the_report(source_url, new_database, capsys):
    target = new_database()
    assert main(["--from", source_url, "--to", target]) == 0
    out = capsys.readouterr().out
    assert "moved from Stalker " in out
    assert "Task_Dependencies" in out
    assert main(["--from", source_url, "--to", target]) == 1
    assert "should be empty" in capsys.readouterr().err


@pytest.mark.parametrize("source_url", ["0.2.28"], indirect=True)
def test_references_to_missing_rows_are_reported_not_dropped_silently(
    source_url, new_database, backend, tmp_path
):
    """A hand-edited original (a user deleted behind its back) still moves."""
    if backend != "sqlite":
        pytest.skip("edits a copy of the SQLite file")
    broken = tmp_path / "broken.db"
    shutil.copy(make_url(source_url).database, broken)
    with sqlite3.connect(broken) as connection:
        user_id = connection.execute(
            "SELECT id FROM Users WHERE login = 'artist5'"
        ).fetchone()[0]
        connection.execute("DELETE FROM Users WHERE id = ?", (user_id,))
    report = move_legacy(f"sqlite:///{broken}", new_database())
    places = {item.where: item.reason for item in report.not_carried}
    reason = places["Task_Resources.resource_id"]
    assert f"points to Users rows that were not carried (ids {user_id}" in reason
    assert reason.endswith("row left out")
    assert report.tables["Users"].moved_rows == report.tables["Users"].source_rows


def test_version_numbers_the_original_let_two_versions_share_are_renumbered():
    from stalker.migrations.legacy.plan import _unique_version_numbers
    from stalker.migrations.legacy.report import MoveReport as Report

    rows = [
        {"id": 1, "task_id": 9, "take_name": "Main", "version_number": 1},
        {"id": 2, "task_id": 9, "take_name": "Main", "version_number": 1},
        {"id": 3, "task_id": 9, "take_name": "Main", "version_number": 2},
        {"id": 4, "task_id": 9, "take_name": "Main_r2", "version_number": 1},
    ]
    report = Report("Stalker 1.1.2.1", None, "head")
    _unique_version_numbers({"Versions": rows}, report)
    assert [r["version_number"] for r in rows] == [1, 3, 2, 1]
    assert [(c.where, c.rows) for c in report.changed] == [
        ("Versions.version_number", 1)
    ]


def test_the_migrations_command_hands_move_legacy_its_options(capsys, monkeypatch):
    from stalker.migrations.__main__ import main as migrations_main

    monkeypatch.delenv("STALKER_DATABASE_URL", raising=False)
    assert migrations_main(["move-legacy", "--from", "sqlite:///nowhere.db"]) == 2
    assert "--to URL" in capsys.readouterr().err
    code = migrations_main(
        ["move-legacy", "--source", "sqlite:////no/such.db", "--target", "sqlite://"]
    )
    assert code == 1
    assert "does not exist" in capsys.readouterr().err


#: The seed tutorial each original generation was documented with.
SEEDS = next(
    (
        folder / "shared" / "seeds"
        for folder in Path(__file__).resolve().parents[2].parents
        if (folder / "shared" / "seeds").is_dir()
    ),
    Path("shared") / "seeds",
)
TUTORIALS = {
    "0.2.28": "000_4dc567454d2cf07f.txt",
    "1.1.2.1": "001_07429aa912e8c8b2.txt",
}


@pytest.mark.parametrize("version", ORIGINALS)
def test_the_seed_tutorial_made_by_the_original_opens_with_ours(version, new_database):
    """Same departments, task tree and version paths after the move."""
    from stalker import Department, Task, Version, db
    from stalker.db.session import DBSession

    tutorial = SEEDS / TUTORIALS[version]
    if not tutorial.exists():
        pytest.skip(f"the seed tutorials are not beside the repository ({SEEDS})")
    source = new_database()
    log = build.run_seed_tutorial(version, tutorial, _original_url(source))
    assert "tutorial run:" in log
    rows = read_source(source).tables
    move_legacy(source, (target := new_database()))
    db.setup({"sqlalchemy.url": target})
    try:
        names = {r["id"]: r["name"] for r in rows["SimpleEntities"]}
        assert sorted(d.name for d in Department.query.all()) == sorted(
            names[r["id"]] for r in rows["Departments"]
        )
        assert len(rows["Tasks"]) >= 5, log  # the tutorial built its task tree
        assert {(t.id, t.parent_id, t.name) for t in Task.query.all()} == {
            (r["id"], r["parent_id"], names[r["id"]]) for r in rows["Tasks"]
        }
        paths = {v.id: v.full_path for v in Version.query.all()}
        links = {r["id"]: r["full_path"] for r in rows.get("Links", [])}
        assert paths == {i: links[i] for i in (r["id"] for r in rows["Versions"])}
    finally:
        DBSession.remove()


@pytest.mark.parametrize("source_url", ["0.2.28"], indirect=True)
def test_a_move_that_fails_leaves_the_target_empty(
    source_url, new_database, monkeypatch
):
    from stalker.migrations.legacy import move as move_module

    def broken(*args: Any) -> None:
        raise RuntimeError("injected failure after the rows were written")

    target = new_database()
    monkeypatch.setattr(move_module, "_reset_sequences", broken)
    with pytest.raises(RuntimeError, match="injected failure"):
        move_legacy(source_url, target)
    assert runner.current(target) is None
    engine = create_engine(target)
    try:
        with engine.connect() as connection:
            assert not runner.has_stalker_tables(connection)
    finally:
        engine.dispose()
    monkeypatch.undo()
    report = move_legacy(source_url, target)  # and it can be run again
    assert report.rows_lost == 0
