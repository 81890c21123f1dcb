"""stalker.migrations: revisions, their round trips, and setup()'s use of them.

Every test runs on SQLite and on PostgreSQL.  Test-only revisions are written
into a temporary folder added to Alembic's version locations, so the chain
the package ships is tested as it is, plus one step on top of its head.
"""

from __future__ import annotations

import datetime
import itertools
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic import op
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect, select, text

import stalker
from stalker import (
    Department,
    Note,
    Project,
    Repository,
    Sequence,
    Shot,
    Studio,
    Tag,
    Task,
    Ticket,
    TimeLog,
    User,
    Version,
    db,
)
from stalker.db.session import DBSession
from stalker.migrations import __main__ as cli
from stalker.migrations import runner
from stalker.models.status import clear_status_list_cache

from ..conftest import _postgres_admin_url
from ..support.pg_server import create_database, drop_database

UTC = datetime.timezone.utc
TEST_REVISION = "test_9001"


# -- fixtures ---------------------------------------------------------------------


@pytest.fixture
def new_database(backend: str, tmp_path: Any) -> Iterator[Callable[[], str]]:
    """A factory of empty databases (URLs) of the backend under test."""
    created: list[str] = []

    def make() -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'db_{uuid.uuid4().hex[:8]}.db'}"
        name = f"stalker_mig_{uuid.uuid4().hex[:8]}"
        created.append(name)
        return create_database(_postgres_admin_url(), name)

    yield make
    bind = DBSession.session_factory.kw.get("bind")
    DBSession.remove()
    if isinstance(bind, Engine):
        bind.dispose()
    DBSession.configure(bind=None)
    clear_status_list_cache()
    for name in created:
        drop_database(_postgres_admin_url(), name)


@pytest.fixture
def url(new_database: Callable[[], str]) -> str:
    return new_database()


def _revision_source(revision: str, down_revision: str, fail_in: str) -> str:
    """A revision that rebuilds the populated Users table (batch on SQLite).

    ``fail_in`` names the function ("upgrade"/"downgrade") that raises after
    its changes, or is empty.
    """
    up_failure, down_failure = (
        'raise RuntimeError("injected failure")' if fail_in == step else "pass"
        for step in ("upgrade", "downgrade")
    )
    return f'''"""Test only: a nickname column on Users."""
import sqlalchemy as sa
from alembic import op

revision = {revision!r}
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("Users") as batch_op:
        batch_op.add_column(sa.Column("test_nickname", sa.String(64)))
        batch_op.create_index("ix_Users_test_nickname", ["test_nickname"])
    op.execute(sa.text("UPDATE \\"Users\\" SET test_nickname = 'nick'"))
    {up_failure}


def downgrade():
    with op.batch_alter_table("Users") as batch_op:
        batch_op.drop_index("ix_Users_test_nickname")
        batch_op.drop_column("test_nickname")
    {down_failure}
'''


@pytest.fixture
def extra_revision(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Add a test-only revision on top of the shipped head; returns its id."""
    shipped_head = runner.head()
    folder = tmp_path / "extra_versions"
    folder.mkdir()
    make_config = runner.make_config

    def with_extra_folder(connection: Any = None) -> Any:
        config = make_config(connection)
        shipped = runner.MIGRATIONS_DIR / "versions"
        config.set_main_option("version_locations", f"{shipped}:{folder}")
        return config

    def add(fail_in: str = "") -> str:
        source = _revision_source(TEST_REVISION, shipped_head, fail_in)
        (folder / f"{TEST_REVISION}.py").write_text(source)
        monkeypatch.setattr(runner, "make_config", with_extra_folder)
        return TEST_REVISION

    return add


def _populate(settings: dict[str, Any]) -> None:
    """A small studio touching most tables (users, tasks, logs, versions...)."""
    db.setup(settings)
    db.init()
    tag = Tag(name="hero")
    user = User(
        name="Ann", login="ann", email="ann@example.com", password="pw", tags=[tag]
    )
    department = Department(name="Animation", users=[user])
    repository = Repository(
        name="Main", code="MAIN", linux_path="/mnt/main", windows_path="M:/"
    )
    project = Project(name="Film", code="FILM", repositories=[repository])
    sequence = Sequence(name="SEQ01", code="SEQ01", project=project)
    shot = Shot(code="SH010", project=project, sequences=[sequence])
    anim = Task(name="Anim", parent=shot, resources=[user], schedule_timing=2)
    light = Task(name="Light", parent=shot, resources=[user], depends_on=[anim])
    start = datetime.datetime(2026, 1, 5, 9, tzinfo=UTC)
    log = TimeLog(
        task=anim, resource=user, start=start, end=start + datetime.timedelta(hours=3)
    )
    anim.notes.append(Note(content="looks good"))
    DBSession.add_all(
        [Studio(name="Studio"), department, project, light, log, Version(task=anim)]
    )
    DBSession.add(Ticket(project=project, summary="broken rig"))
    DBSession.commit()
    _release_session()


def _release_session() -> None:
    bind = DBSession.session_factory.kw.get("bind")
    DBSession.remove()
    if isinstance(bind, Engine):
        bind.dispose()


def _dump(url: str, skip_columns: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every table's rows (sorted), read without the models: comparable dumps.

    Columns are read in name order: a migration adds a column at the end of
    its table, where a freshly created table may have it in the middle.
    """
    with runner.migration_connection(url, lock=False) as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        dump = {}
        for name, table in sorted(metadata.tables.items()):
            if name == "alembic_version":
                continue
            columns = sorted(
                (c for c in table.columns if c.name not in skip_columns),
                key=lambda column: column.name,
            )
            rows = connection.execute(select(*columns)).all()
            dump[name] = sorted((tuple(row) for row in rows), key=repr)
        return dump


def _tables(url: str) -> set[str]:
    with runner.migration_connection(url, lock=False) as connection:
        return set(inspect(connection).get_table_names())


def _schema(url: str) -> dict[str, set[str]]:
    """Each table's column names, read in one connection."""
    with runner.migration_connection(url, lock=False) as connection:
        inspector = inspect(connection)
        return {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in inspector.get_table_names()
        }


def _columns(url: str, table: str) -> set[str]:
    with runner.migration_connection(url, lock=False) as connection:
        return {column["name"] for column in inspect(connection).get_columns(table)}


# -- the chain --------------------------------------------------------------------


def test_the_revisions_form_one_linear_chain_from_stalker_0001():
    chain = runner.history()
    assert chain[0].revision == runner.FIRST_REVISION == "stalker_0001"
    assert chain[0].down_revision is None
    for older, newer in itertools.pairwise(chain):
        assert newer.down_revision == older.revision
    assert runner.head() == chain[-1].revision == db.alembic_version
    numbers = []
    for info in chain:
        assert re.fullmatch(r"stalker_\d{4}", info.revision), info.revision
        numbers.append(int(info.revision.removeprefix("stalker_")))
        assert info.message  # every revision says what it changes
    assert numbers == sorted(set(numbers))  # numbered in the order they apply


def test_every_revision_file_has_upgrade_and_downgrade():
    scripts = list(runner.script_directory().walk_revisions())
    assert scripts
    for script in scripts:
        assert callable(script.module.upgrade), script.revision
        assert callable(script.module.downgrade), script.revision


def test_the_migrations_ship_inside_the_package():
    folder = runner.MIGRATIONS_DIR
    assert folder == __import__("pathlib").Path(stalker.__file__).parent / "migrations"
    for name in ("env.py", "script.py.mako"):
        assert (folder / name).is_file()
    assert any((folder / "versions").glob("stalker_0001_*.py"))


# -- models agree with the migrations ---------------------------------------------


def test_models_and_migrations_agree(url):
    runner.upgrade(url, "head")
    with runner.migration_connection(url, lock=False) as connection:
        options = runner.context_options(connection)
        context = MigrationContext.configure(connection, opts=options)
        differences = compare_metadata(context, options["target_metadata"])
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert tables - {"alembic_version"} == runner.stalker_table_names()


def test_the_comparison_does_see_a_model_change(url):
    """The agreement test is not blind: a column the models lack is reported."""
    runner.upgrade(url, "head")
    engine = db.create_engine_from_settings({"sqlalchemy.url": url})
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.exec_driver_sql('ALTER TABLE "Tasks" ADD COLUMN extra INTEGER')
            options = runner.context_options(connection)
            context = MigrationContext.configure(connection, opts=options)
            differences = compare_metadata(context, options["target_metadata"])
            transaction.rollback()
    finally:
        engine.dispose()
    assert [(d[0], d[2], d[3].name) for d in differences] == [
        ("remove_column", "Tasks", "extra")
    ]


def _catalog(url: str) -> dict[str, Any]:
    """Everything the database says about its schema, in comparable form.

    Alembic's comparison skips what it cannot reflect (exclusion constraints,
    triggers, enum values); the catalog shows them, so two databases built two
    ways can be compared in full.
    """
    with runner.migration_connection(url, lock=False) as connection:
        inspector = inspect(connection)
        catalog: dict[str, Any] = {}
        for table in sorted(inspector.get_table_names()):
            if table == "alembic_version":
                continue
            catalog[table] = {
                "columns": sorted(
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in inspector.get_columns(table)
                ),
                "primary_key": inspector.get_pk_constraint(table)[
                    "constrained_columns"
                ],
                "foreign_keys": _sorted(inspector.get_foreign_keys(table)),
                "indexes": _sorted(inspector.get_indexes(table)),
                "unique": _sorted(inspector.get_unique_constraints(table)),
                "checks": _sorted(inspector.get_check_constraints(table)),
            }
        if connection.dialect.name == "postgresql":
            for name, query in _PG_CATALOG_QUERIES.items():
                catalog[name] = sorted(map(tuple, connection.execute(text(query))))
        else:
            catalog["triggers"] = sorted(
                connection.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                ).all()
            )
        return catalog


def _sorted(items: list[dict[str, Any]]) -> list[str]:
    return sorted(repr(sorted(item.items())) for item in items)


_PG_CATALOG_QUERIES = {
    "constraints": (
        "SELECT conrelid::regclass::text, conname, contype, "
        "pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace "
        "AND conrelid::regclass::text <> 'alembic_version'"
    ),
    "indexes_sql": (
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version'"
    ),
    "enums": (
        "SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) "
        "FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname"
    ),
    "triggers": (
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
    ),
    "functions": (
        "SELECT proname, pg_get_functiondef(oid) FROM pg_proc "
        "WHERE pronamespace = 'public'::regnamespace AND prokind = 'f'"
    ),
    "extensions": "SELECT extname FROM pg_extension",
}


def test_upgrade_head_builds_what_create_all_builds(new_database):
    """Both ways to make a database give one schema, down to the catalog.

    Only Stalker's own tables: other test modules map classes of their own,
    which setup() would create too (as it does for users' classes).
    """
    by_create_all, by_upgrade = new_database(), new_database()
    engine = db.create_engine_from_settings({"sqlalchemy.url": by_create_all})
    ours = [db.Base.metadata.tables[name] for name in runner.stalker_table_names()]
    db.create_tables(engine, tables=ours)
    engine.dispose()
    runner.upgrade(by_upgrade, "head")
    built, migrated = _catalog(by_create_all), _catalog(by_upgrade)
    assert set(built) == set(migrated)
    for name in built:
        assert migrated[name] == built[name], name


def test_a_postgresql_schema_does_not_strip_keys_from_a_later_sqlite_one(
    backend, new_database, tmp_path
):
    """create_all on PostgreSQL marks the use_alter keys "added by ALTER";
    a SQLite database created next in the same process still gets them."""
    first = db.create_engine_from_settings({"sqlalchemy.url": new_database()})
    db.create_tables(first)
    first.dispose()
    sqlite_url = f"sqlite:///{tmp_path / 'after.db'}"
    second = db.create_engine_from_settings({"sqlalchemy.url": sqlite_url})
    db.create_tables(second)
    keys = {fk["name"] for fk in inspect(second).get_foreign_keys("SimpleEntities")}
    second.dispose()
    assert {
        "fk_SimpleEntities_created_by_id",
        "fk_SimpleEntities_updated_by_id",
        "fk_SimpleEntities_type_id",
        "fk_SimpleEntities_thumbnail_id",
    } <= keys, backend


# -- round trips --------------------------------------------------------------------


def test_round_trip_on_an_empty_database(url):
    runner.upgrade(url, "head")
    schema = _schema(url)
    assert runner.stalker_table_names() <= set(schema)
    runner.downgrade(url, "-1")
    previous = runner.history()[-2].revision if len(runner.history()) > 1 else None
    assert runner.current(url) == previous
    runner.upgrade(url, "head")
    assert runner.current(url) == runner.head()
    assert _schema(url) == schema


def test_downgrading_revision_1_drops_everything(url, backend):
    runner.upgrade(url, "head")
    runner.downgrade(url, "base")
    assert runner.current(url) is None
    assert _tables(url) <= {"alembic_version"}
    if backend == "postgresql":
        with runner.migration_connection(url, lock=False) as connection:
            enums = connection.execute(
                text("SELECT typname FROM pg_type WHERE typtype = 'e'")
            ).all()
        assert enums == []
    runner.upgrade(url, "head")  # and it comes back from nothing
    assert runner.stalker_table_names() <= _tables(url)


def test_round_trip_on_a_populated_database_keeps_every_row(url, extra_revision):
    _populate({"sqlalchemy.url": url})
    before = _dump(url)
    assert len(before["Users"]) == 2 and len(before["TimeLogs"]) == 1
    revision = extra_revision()
    runner.upgrade(url, "head")
    assert runner.current(url) == revision
    upgraded = _dump(url, skip_columns=frozenset({"test_nickname"}))
    assert upgraded == before
    runner.downgrade(url, "-1")
    assert runner.current(url) == runner.history()[-2].revision
    assert "test_nickname" not in _columns(url, "Users")
    assert _dump(url) == before
    runner.upgrade(url, "head")
    assert _dump(url, skip_columns=frozenset({"test_nickname"})) == before


def test_the_shipped_head_upgrade_keeps_a_populated_database(url):
    """Revision by revision down to the first and back up, where a chain exists."""
    chain = runner.history()
    _populate({"sqlalchemy.url": url})
    # the database's random id is made anew: going below stalker_0003 drops
    # it with the sessions it identified (issue 18)
    random_id = frozenset({"value"})  # DatabaseSettings.value
    before = _dump(url, skip_columns=random_id)
    if len(chain) == 1:  # revision 1's downgrade drops everything, by design
        runner.stamp(url, "head")
        assert _dump(url, skip_columns=random_id) == before
        return
    runner.downgrade(url, runner.FIRST_REVISION)
    runner.upgrade(url, "head")
    assert runner.current(url) == runner.head()
    assert _dump(url, skip_columns=random_id) == before


# -- failures leave the previous revision -----------------------------------------


def test_a_revision_failing_part_way_leaves_the_previous_revision(url, extra_revision):
    _populate({"sqlalchemy.url": url})
    before = _dump(url)
    extra_revision(fail_in="upgrade")
    with pytest.raises(RuntimeError, match="injected failure"):
        runner.upgrade(url, "head")
    assert runner.current(url) == runner.history()[-2].revision
    assert "test_nickname" not in _columns(url, "Users")
    assert _dump(url) == before


def test_a_failing_downgrade_leaves_the_revision_it_had(url, extra_revision):
    _populate({"sqlalchemy.url": url})
    revision = extra_revision(fail_in="downgrade")
    runner.upgrade(url, "head")
    before = _dump(url)
    with pytest.raises(RuntimeError, match="injected failure"):
        runner.downgrade(url, "-1")
    assert runner.current(url) == revision
    assert "test_nickname" in _columns(url, "Users")
    assert _dump(url) == before


def test_one_upgrade_command_is_one_transaction(url, extra_revision):
    """From nothing through every revision: a failure in the last undoes all."""
    extra_revision(fail_in="upgrade")
    with pytest.raises(RuntimeError, match="injected failure"):
        runner.upgrade(url, "head")
    assert runner.current(url) is None
    assert _tables(url) <= {"alembic_version"}


def test_revision_1_failing_part_way_leaves_an_empty_database(url, monkeypatch):
    calls = []
    create_index = op.create_index

    def failing_create_index(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 3:
            raise RuntimeError("injected failure")
        return create_index(*args, **kwargs)

    monkeypatch.setattr(op, "create_index", failing_create_index)
    with pytest.raises(RuntimeError, match="injected failure"):
        runner.upgrade(url, "head")
    assert len(calls) == 3  # tables and indexes were created before the failure
    assert runner.current(url) is None
    assert _tables(url) <= {"alembic_version"}


def test_broken_foreign_keys_after_a_sqlite_rebuild_roll_back(url, backend):
    if backend != "sqlite":
        pytest.skip("the foreign-key check is SQLite's (keys stay on in PostgreSQL)")
    runner.upgrade(url, "head")
    engine = db.create_engine_from_settings({"sqlalchemy.url": url})
    try:
        with (
            pytest.raises(ValueError, match="foreign keys point nowhere"),
            runner.migration_connection(engine) as connection,
        ):
            # an Entities row without its SimpleEntities row
            connection.exec_driver_sql('INSERT INTO "Entities" (id) VALUES (424242)')
        with engine.connect() as connection:  # the same pooled connection
            count = connection.exec_driver_sql('SELECT count(*) FROM "Entities"')
            assert count.scalar() == 0
            pragma = connection.exec_driver_sql("PRAGMA foreign_keys")
            assert pragma.scalar() == 1  # enforcement is back on
    finally:
        engine.dispose()


def test_two_processes_upgrading_at_once_both_succeed(new_database):
    url = new_database()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            runner.upgrade(url, "head")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert runner.current(url) == runner.head()
    with runner.migration_connection(url, lock=False) as connection:
        stamps = connection.exec_driver_sql("SELECT count(*) FROM alembic_version")
        assert stamps.scalar() == 1


# -- db.setup() -------------------------------------------------------------------


def test_setup_creates_and_stamps_a_new_database(url):
    db.setup({"sqlalchemy.url": url})
    assert db.get_alembic_version() == runner.head()
    assert User.query.count() == 0  # still no rows of the object model
    _release_session()
    assert runner.current(url) == runner.head()
    assert runner.stalker_table_names() <= _tables(url)


def test_a_database_stamped_by_the_old_hand_made_table_is_revision_1(url):
    """Before migrations, init() wrote alembic_version itself: Alembic reads it."""
    runner.upgrade(url, runner.FIRST_REVISION)
    engine = db.create_engine_from_settings({"sqlalchemy.url": url})
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")
        db._alembic_metadata.create_all(connection)
        connection.execute(
            db._alembic_table.insert().values(version_num="stalker_0001")
        )
    engine.dispose()
    assert runner.current(url) == runner.FIRST_REVISION
    if runner.head() != runner.FIRST_REVISION:
        with pytest.raises(runner.SchemaVersionError, match="upgrade head"):
            db.setup({"sqlalchemy.url": url})
    db.setup({"sqlalchemy.url": url, "stalker.auto_upgrade": True})
    assert db.get_alembic_version() == runner.head()


def test_setup_refuses_an_older_revision_and_says_how_to_upgrade(url, extra_revision):
    _populate({"sqlalchemy.url": url})
    before = _dump(url)
    extra_revision()
    with pytest.raises(runner.SchemaVersionError) as caught:
        db.setup({"sqlalchemy.url": url})
    message = str(caught.value)
    assert "stalker.db.upgrade(" in message
    assert "python -m stalker.migrations upgrade head --url URL" in message
    assert "stalker.auto_upgrade" in message
    assert isinstance(caught.value, ValueError)
    assert runner.current(url) == runner.history()[-2].revision
    assert _dump(url) == before


@pytest.mark.parametrize("how", ["setting", "default", "string setting"])
def test_setup_upgrades_when_asked(url, extra_revision, how):
    populated = how == "setting"  # the data check once; the switch three ways
    if populated:
        _populate({"sqlalchemy.url": url})
    else:
        db.setup({"sqlalchemy.url": url})
        _release_session()
    before = _dump(url)
    revision = extra_revision()
    settings: dict[str, Any] = {"sqlalchemy.url": url}
    if how == "setting":
        settings["stalker.auto_upgrade"] = True
    elif how == "string setting":
        settings["stalker.auto_upgrade"] = " Yes "
    else:
        stalker.defaults.database_auto_upgrade = True
    db.setup(settings)
    assert db.get_alembic_version() == revision
    assert User.query.filter_by(login="ann").count() == int(populated)
    _release_session()
    assert _dump(url, skip_columns=frozenset({"test_nickname"})) == before


@pytest.mark.parametrize(
    ("value", "error"),
    [("maybe", ValueError), ("", ValueError), (2.5, TypeError), ([True], TypeError)],
)
def test_a_wrong_auto_upgrade_setting_is_refused_before_anything(url, value, error):
    with pytest.raises(error, match=r"stalker\.auto_upgrade"):
        db.setup({"sqlalchemy.url": url, "stalker.auto_upgrade": value})
    assert runner.current(url) is None
    assert not _tables(url) & runner.stalker_table_names()


def test_setup_refuses_a_newer_revision(url):
    db.setup({"sqlalchemy.url": url})
    _release_session()
    runner.stamp(url, "head")
    _restamp(url, "stalker_9999")
    with pytest.raises(runner.SchemaVersionError, match="does not know"):
        db.setup({"sqlalchemy.url": url, "stalker.auto_upgrade": True})
    with pytest.raises(runner.SchemaVersionError, match="does not know"):
        runner.upgrade(url, "head")
    assert runner.current(url) == "stalker_9999"


def _restamp(url: str, revision: str) -> None:
    with runner.migration_connection(url) as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :v"), {"v": revision}
        )


@pytest.mark.parametrize(
    ("revision", "origin"),
    [("9f9b88fef376", "Stalker 1.1.2.1"), ("bf67e6a234b4", "Stalker 0.2.28")],
)
def test_a_database_of_the_original_stalker_points_to_the_legacy_move(
    url, revision, origin
):
    db.setup({"sqlalchemy.url": url})
    _release_session()
    _restamp(url, revision)
    for attempt in (
        lambda: db.setup({"sqlalchemy.url": url, "stalker.auto_upgrade": True}),
        lambda: runner.upgrade(url, "head"),
        lambda: runner.downgrade(url, "-1"),
    ):
        with pytest.raises(runner.SchemaVersionError) as caught:
            attempt()
        assert origin in str(caught.value)
        assert runner.LEGACY_MOVE_COMMAND in str(caught.value)
    assert runner.current(url) == revision


def test_setup_refuses_stalker_tables_without_a_revision(url):
    engine = db.create_engine_from_settings({"sqlalchemy.url": url})
    db.Base.metadata.tables["SimpleEntities"].create(engine)
    engine.dispose()
    for attempt in (
        lambda: db.setup({"sqlalchemy.url": url}),
        lambda: runner.upgrade(url, "head"),
    ):
        with pytest.raises(runner.SchemaVersionError) as caught:
            attempt()
        assert "stamp stalker_0001" in str(caught.value)
        assert runner.LEGACY_MOVE_COMMAND in str(caught.value)
    assert runner.current(url) is None
    assert _tables(url) == {"SimpleEntities"}  # nothing was created


def test_a_refused_setup_leaves_the_session_on_its_database(new_database):
    good, bad = new_database(), new_database()
    db.setup({"sqlalchemy.url": bad})
    _release_session()
    _restamp(bad, "9f9b88fef376")
    db.setup({"sqlalchemy.url": good})
    db.init()
    with pytest.raises(runner.SchemaVersionError):
        db.setup({"sqlalchemy.url": bad})
    assert Department.query.filter_by(name="admins").count() == 1
    assert str(DBSession.get_bind().url) == str(
        db.create_engine_from_settings({"sqlalchemy.url": good}).url
    )


def test_setup_twice_on_one_database_changes_nothing(url):
    _populate({"sqlalchemy.url": url})
    before = _dump(url)
    db.setup({"sqlalchemy.url": url})
    _release_session()
    assert _dump(url) == before
    assert runner.current(url) == runner.head()


# -- the Python API and the command line -------------------------------------------


def test_db_functions_are_the_migrations_commands(url):
    db.upgrade(url, "head")
    assert db.current(url) == runner.head()
    assert [info.revision for info in db.history()] == runner.known_revisions()
    db.downgrade(url, "base")
    assert db.current({"sqlalchemy.url": url}) is None
    db.stamp(url, runner.FIRST_REVISION)
    assert db.current(url) == runner.FIRST_REVISION


@pytest.mark.parametrize("target", [42, b"sqlite://", ["sqlite://"]])
def test_a_wrong_database_argument_is_a_type_error(target):
    with pytest.raises(TypeError, match=r"a URL \(str\), a dict of sqlalchemy"):
        runner.upgrade(target, "head")


def test_a_sqlite_engine_without_our_transaction_handling_is_refused(tmp_path):
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        with pytest.raises(ValueError, match="create_engine_from_settings"):
            runner.upgrade(engine, "head")
    finally:
        engine.dispose()
    assert _tables(f"sqlite:///{tmp_path / 'plain.db'}") == set()


def test_the_command_line_upgrades_and_reports(url, capsys):
    assert cli.main(["upgrade", "head", "--url", url]) == 0
    assert capsys.readouterr().out.strip() == f"database at {runner.head()}"
    assert cli.main(["current", "--url", url]) == 0
    assert capsys.readouterr().out.strip() == runner.head()
    assert cli.main(["history"]) == 0
    assert f"<base> -> {runner.FIRST_REVISION}" in capsys.readouterr().out
    assert cli.main(["downgrade", "base", "--url", url]) == 0
    assert runner.current(url) is None


def test_the_command_line_reads_the_url_from_the_environment(url, monkeypatch, capsys):
    monkeypatch.setenv("STALKER_DATABASE_URL", url)
    assert cli.main(["upgrade"]) == 0
    assert runner.current(url) == runner.head()
    assert cli.main(["current"]) == 0
    assert capsys.readouterr().out.strip().endswith(runner.head())


def test_the_command_line_reports_errors_without_a_traceback(url, capsys):
    runner.upgrade(url, "head")
    _restamp(url, "bf67e6a234b4")
    assert cli.main(["upgrade", "head", "--url", url]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and runner.LEGACY_MOVE_COMMAND in error
    assert "Traceback" not in error


def test_python_m_works_from_a_folder_without_alembic_ini(url, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "stalker.migrations", "upgrade", "head", "--url", url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "alembic.ini").exists()
    assert runner.current(url) == runner.head()


def test_move_legacy_is_handed_to_the_legacy_module(monkeypatch):
    """``move-legacy`` keeps its own options: they reach legacy.main untouched."""
    import types

    received: list[list[str]] = []
    legacy = types.ModuleType("stalker.migrations.legacy")
    legacy.main = lambda argv: received.append(argv) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "stalker.migrations.legacy", legacy)
    arguments = ["--source", "sqlite:///old.db", "--target", "sqlite:///new.db"]
    assert cli.main(["move-legacy", *arguments]) == 0
    assert received == [arguments]


def test_setup_without_arguments_stamps_the_in_memory_database():
    db.setup()
    try:
        assert db.get_alembic_version() == runner.head()
        assert "SimpleEntities" in db.table_names()
    finally:
        DBSession.remove()
