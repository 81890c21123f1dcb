"""stalker.db: setup(), init() default data, sessions, column types."""

import datetime
import os
import time
import zoneinfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.exc import IntegrityError, OperationalError

import stalker
from stalker import (
    Department,
    EntityType,
    Group,
    Permission,
    SimpleEntity,
    Status,
    StatusList,
    Tag,
    Type,
    User,
    db,
)
from stalker.db.declarative import mapped_class
from stalker.db.session import DBSession, take_sqlite_write_lock
from stalker.db.types import GenericDateTime, GenericJSON
from tests.conftest import TEST_ADMIN_PASSWORD
from tests.support.statements import recorded_statements

EXPECTED_STATUSES = [
    ("New", "NEW"),
    ("Accepted", "ACP"),
    ("Assigned", "ASG"),
    ("Reopened", "ROP"),
    ("Closed", "CLS"),
    ("Open", "OPEN"),
    ("Ready To Start", "RTS"),
    ("Work In Progress", "WIP"),
    ("Completed", "CMPL"),
    ("Waiting For Dependency", "WFD"),
    ("Pending Review", "PREV"),
    ("Has Revision", "HREV"),
    ("Dependency Has Revision", "DREV"),
    ("On Hold", "OH"),
    ("Stopped", "STOP"),
    ("Requested Revision", "RREV"),
    ("Approved", "APP"),
]
TASK_CODES = ["RTS", "WIP", "CMPL", "WFD", "PREV", "HREV", "DREV", "OH", "STOP"]
EXPECTED_LISTS = [
    ("Ticket Statuses", "Ticket", ["NEW", "ACP", "ASG", "ROP", "CLS"]),
    ("Daily Statuses", "Daily", ["CLS", "OPEN"]),
    ("Project Statuses", "Project", ["RTS", "WIP", "CMPL"]),
    ("Task Statuses", "Task", TASK_CODES),
    ("Asset Statuses", "Asset", TASK_CODES),
    ("Shot Statuses", "Shot", TASK_CODES),
    ("Sequence Statuses", "Sequence", TASK_CODES),
    ("Review Statuses", "Review", ["NEW", "RREV", "APP"]),
]


def _snapshot():
    """Every row init() creates, in a comparable form."""
    return {
        "users": [(u.name, u.login, u.email) for u in User.query.all()],
        "departments": [d.name for d in Department.query.all()],
        "groups": [g.name for g in Group.query.all()],
        "statuses": [(s.name, s.code) for s in Status.query.order_by(Status.id)],
        "lists": [
            (sl.name, sl.target_entity_type, [s.code for s in sl.statuses])
            for sl in StatusList.query.order_by(StatusList.id)
        ],
        "types": sorted((t.name, t.code, t.target_entity_type) for t in Type.query),
        "entity_types": sorted(e.name for e in EntityType.query),
        "permissions": Permission.query.count(),
        "alembic": db.get_alembic_version(),
    }


@pytest.fixture
def fresh_db(empty_database_settings):
    db.setup(empty_database_settings)
    db.init()
    return DBSession


def test_setup_without_settings_is_in_memory_sqlite():
    db.setup()
    try:
        assert str(DBSession.get_bind().url) == "sqlite://"
        assert "SimpleEntities" in db.table_names()
        assert User.query.count() == 0  # setup() inserts nothing
    finally:
        DBSession.remove()


def test_init_creates_exactly_the_default_data(fresh_db):
    data = _snapshot()
    assert data["users"] == [("admin", "admin", "admin@admin.com")]
    assert data["departments"] == ["admins"]
    assert data["groups"] == ["admins"]
    assert data["statuses"] == EXPECTED_STATUSES
    assert data["lists"] == EXPECTED_LISTS
    assert data["types"] == [
        ("Defect", "Defect", "Ticket"),
        ("Enhancement", "Enhancement", "Ticket"),
    ]
    assert data["entity_types"] == sorted(db.DEFAULT_ENTITY_TYPE_NAMES)
    assert len(data["entity_types"]) == 42
    assert data["permissions"] == 420
    assert data["alembic"] == db.alembic_version


def test_admin_is_complete(fresh_db):
    admin = User.query.filter_by(login="admin").one()
    assert admin.check_password(TEST_ADMIN_PASSWORD)
    assert not admin.check_password("admin")  # no well-known default (issue 18)
    assert TEST_ADMIN_PASSWORD not in admin.password
    assert admin.created_by is admin and admin.updated_by is admin
    assert [d.name for d in admin.departments] == ["admins"]
    assert [g.name for g in admin.groups] == ["admins"]
    admins = Department.query.filter_by(name="admins").one()
    assert admins.created_by is admin
    assert Status.query.filter_by(code="WIP").one().created_by is admin


def test_init_is_idempotent(fresh_db):
    before = _snapshot()
    db.init()
    db.init()
    assert _snapshot() == before


def test_setup_again_keeps_the_data(empty_database_settings):
    db.setup(empty_database_settings)
    db.init()
    before = _snapshot()
    db.setup(empty_database_settings)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("name", "flags"),
    [
        ("Task", (True, True, True, True)),
        ("Project", (True, True, False, True)),
        ("Review", (True, False, True, False)),
        ("Studio", (False, True, False, False)),
        ("Ticket", (True, False, False, False)),
        ("User", (False, False, False, False)),
    ],
)
def test_default_entity_type_flags(fresh_db, name, flags):
    entity_type = EntityType.query.filter_by(name=name).one()
    assert (
        entity_type.statusable,
        entity_type.dateable,
        entity_type.schedulable,
        entity_type.accepts_references,
    ) == flags


def test_default_flags_agree_with_the_classes_mixins():
    defaults = db._default_entity_types()
    for name, flags in defaults.items():
        try:
            class_ = mapped_class(name)
        except LookupError:
            continue  # a class of a later part of the object model
        assert db.entity_type_flags(class_) == flags, name


def test_no_admin_when_auto_create_admin_is_off(empty_database_settings):
    stalker.defaults.auto_create_admin = False
    db.setup(empty_database_settings)
    db.init()
    assert User.query.count() == 0
    assert Status.query.count() == len(EXPECTED_STATUSES)


def test_register_adds_entity_type_and_ten_permissions(session):
    class Gadget:
        pass

    db.register(Gadget)
    assert EntityType.query.filter_by(name="Gadget").count() == 1
    permissions = Permission.query.filter(Permission._class_name == "Gadget").all()
    assert len(permissions) == 10
    assert {(p.access, p.action) for p in permissions} == {
        (access, action)
        for access in ("Allow", "Deny")
        for action in stalker.defaults.actions
    }
    db.register(Gadget)
    assert Permission.query.filter(Permission._class_name == "Gadget").count() == 10


def test_register_refuses_non_classes(session):
    with pytest.raises(TypeError, match="a class"):
        db.register("Gadget")


def test_create_entity_statuses_needs_its_arguments(session):
    with pytest.raises(ValueError, match="entity_type"):
        db.create_entity_statuses("", ["A"], ["A"])
    with pytest.raises(ValueError):
        db.create_entity_statuses("Clip", None, ["A"])


def test_create_entity_statuses_reuses_and_extends(session):
    db.create_entity_statuses("Clip", ["New", "Brand New"], ["NEW", "BNEW"])
    clip_list = StatusList.query.filter_by(target_entity_type="Clip").one()
    assert clip_list.name == "Clip Statuses"
    assert [s.code for s in clip_list.statuses] == ["NEW", "BNEW"]
    assert Status.query.filter_by(code="NEW").count() == 1


def test_create_entity_statuses_uses_the_oldest_list(session):
    """D1: several lists may target a class; the oldest one is extended."""
    old = StatusList(name="Old", target_entity_type="Clip", statuses=[])
    session.add(old)
    session.commit()
    session.add(StatusList(name="Newer", target_entity_type="Clip", statuses=[]))
    session.commit()
    db.create_entity_statuses("Clip", ["Open"], ["OPEN"])
    assert [s.code for s in old.statuses] == ["OPEN"]


def test_second_status_list_for_a_class_commits(session):
    """Seed 001 adds a Project list next to init()'s: not unique (D1)."""
    statuses = Status.query.filter(Status.code.in_(["RTS", "WIP", "CMPL"])).all()
    session.add(
        StatusList(
            name="Project Status List", statuses=statuses, target_entity_type="Project"
        )
    )
    session.commit()
    assert StatusList.query.filter_by(target_entity_type="Project").count() == 2


def test_alembic_version_mismatch_is_refused(empty_database_settings):
    db.setup(empty_database_settings)
    db.init()
    DBSession.execute(db._alembic_table.update().values(version_num="ancient"))
    DBSession.commit()
    with pytest.raises(ValueError, match="ancient"):
        db.setup(empty_database_settings)


def test_create_alembic_table_never_overwrites(fresh_db):
    DBSession.execute(db._alembic_table.update().values(version_num="custom"))
    DBSession.commit()
    db.create_alembic_table()
    assert db.get_alembic_version() == "custom"


def test_get_alembic_version_without_table_is_none(empty_database_settings):
    # setup() stamps a new database, so bind the session to one by hand
    engine = db.create_engine_from_settings(empty_database_settings)
    DBSession.remove()
    DBSession.configure(bind=engine)
    assert db.get_alembic_version() is None


# -- session --------------------------------------------------------------------


def test_db_dbsession_is_the_session_module_object():
    assert db.DBSession is DBSession


def test_save_adds_one_or_many_and_commits(session):
    session.save(Tag(name="one"))
    session.save([Tag(name="two"), Tag(name="three")])
    session.save()
    names = {t.name for t in Tag.query.all()}
    assert {"one", "two", "three"} <= names


def test_query_property(session):
    assert Department.query.filter_by(name="admins").first().name == "admins"
    assert Status.query.filter_by(code="NEW").first().name == "New"


def test_failed_commit_leaves_the_database_unchanged(session):
    before = User.query.count()
    session.add(Tag(name="should vanish"))
    session.add(User(name="A", login="dup", email="a@x.com", password="p"))
    session.add(User(name="B", login="dup", email="b@x.com", password="p"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert User.query.count() == before
    assert Tag.query.filter_by(name="should vanish").count() == 0


def test_foreign_keys_are_enforced_on_both_backends(session):
    session.add(Tag(name="orphan"))
    session.flush()
    tag = Tag.query.filter_by(name="orphan").one()
    with pytest.raises(IntegrityError):
        session.execute(
            SimpleEntity.__table__.update()
            .where(SimpleEntity.id == tag.id)
            .values(created_by_id=999_999)
        )
        session.flush()


# -- column types -----------------------------------------------------------------


def test_datetimes_round_trip_aware_on_both_backends(session):
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    moment = datetime.datetime(2026, 3, 1, 9, 30, tzinfo=tokyo)
    tag = Tag(name="dated", date_created=moment, date_updated=moment)
    session.add(tag)
    session.commit()
    tag_id = tag.id
    session.expunge_all()
    loaded = session.get(Tag, tag_id)
    assert loaded.date_created.tzinfo is not None
    assert loaded.date_created == moment
    assert (
        loaded.date_created.utcoffset()
        == datetime.datetime.now().astimezone().utcoffset()
    )


def test_datetimes_come_back_in_the_zone_the_process_has_now(session):
    moment = datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.timezone.utc)
    tag = Tag(name="dated", date_created=moment)
    session.add(tag)
    session.commit()
    offsets = {}
    original = os.environ.get("TZ")
    try:
        for zone in ("Asia/Tokyo", "America/New_York", "Asia/Tokyo"):
            os.environ["TZ"] = zone
            time.tzset()
            session.expire(tag, ["date_created"])
            offsets[zone] = tag.date_created.utcoffset()
            assert tag.date_created == moment
    finally:
        if original is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = original
        time.tzset()
    assert offsets == {
        "Asia/Tokyo": datetime.timedelta(hours=9),
        "America/New_York": datetime.timedelta(hours=-4),  # daylight time
    }


def _scratch_table(session, name, column_type):
    """A two-column table created inside the test's transaction."""
    table = Table(
        name,
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("value", column_type),
    )
    connection = session.connection()
    table.create(connection)
    return table, connection


def test_naive_datetimes_are_refused_by_the_column_type(session):
    table, connection = _scratch_table(session, "TestNaive", GenericDateTime)
    with pytest.raises(Exception, match="naive"):
        connection.execute(table.insert().values(value=datetime.datetime(2020, 1, 1)))


def test_json_round_trip_on_both_backends(session):
    table, connection = _scratch_table(session, "TestJSON", GenericJSON)
    data = {"mon": [[540, 1080]], "sat": [], "nested": {"a": 1.5, "b": None}}
    connection.execute(table.insert().values(id=1, value=data))
    assert connection.execute(select(table.c.value)).scalar() == data


def _pragma(name):
    return DBSession.connection().exec_driver_sql(f"PRAGMA {name}").scalar()


def test_a_sqlite_file_keeps_a_write_ahead_log_and_syncs_normally(tmp_path):
    db.setup({"sqlalchemy.url": f"sqlite:///{tmp_path / 'studio.db'}"})
    try:
        assert _pragma("journal_mode") == "wal"
        assert _pragma("synchronous") == 1  # NORMAL
    finally:
        DBSession.remove()


def test_sqlite_journal_settings_are_honoured(tmp_path):
    # the autouse fixture restores stalker.defaults after each test
    stalker.defaults["sqlite_journal_mode"] = "DELETE"
    stalker.defaults["sqlite_synchronous"] = "full"
    db.setup({"sqlalchemy.url": f"sqlite:///{tmp_path / 'studio.db'}"})
    try:
        assert _pragma("journal_mode") == "delete"
        assert _pragma("synchronous") == 2  # FULL
    finally:
        DBSession.remove()


@pytest.mark.parametrize(
    ("key", "value"),
    [("sqlite_journal_mode", "wal; DROP TABLE x"), ("sqlite_synchronous", "fast")],
)
def test_unknown_sqlite_journal_settings_are_refused(tmp_path, key, value):
    stalker.defaults[key] = value
    with pytest.raises(ValueError, match=f"stalker.defaults.{key} should be one of"):
        db.setup({"sqlalchemy.url": f"sqlite:///{tmp_path / 'studio.db'}"})
    DBSession.remove()


def test_the_sqlite_write_lock_is_taken_once_per_transaction(tmp_path):
    engine = db.create_engine_from_settings(
        {"sqlalchemy.url": f"sqlite:///{tmp_path / 'lock.db'}"}
    )
    Table("SimpleEntities", MetaData(), Column("id", Integer, primary_key=True)).create(
        engine
    )
    with recorded_statements(engine) as statements:
        for _ in range(2):  # a second transaction must lock again
            with engine.begin() as connection:
                take_sqlite_write_lock(connection)
                take_sqlite_write_lock(connection)
                with connection.begin_nested():
                    take_sqlite_write_lock(connection)  # the same transaction
    locks = [s for s in statements if s == "BEGIN IMMEDIATE"]
    assert len(locks) == 2
    engine.dispose()


def test_another_connection_cannot_write_while_the_lock_is_held(tmp_path):
    url = f"sqlite:///{tmp_path / 'lock.db'}?timeout=0.05"
    engine = db.create_engine_from_settings({"sqlalchemy.url": url})
    table = Table("SimpleEntities", MetaData(), Column("id", Integer, primary_key=True))
    table.create(engine)
    with engine.begin() as holder:
        take_sqlite_write_lock(holder)
        with (
            pytest.raises(OperationalError, match="locked"),
            engine.begin() as other,
        ):
            other.execute(table.insert().values(id=1))
    engine.dispose()
