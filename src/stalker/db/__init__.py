"""Connecting to the database (``setup``) and filling it with defaults (``init``)."""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Engine,
    MetaData,
    String,
    Table,
    engine_from_config,
    event,
    inspect,
    select,
)
from sqlalchemy.exc import OperationalError, ProgrammingError

import stalker
from stalker.db.declarative import Base, mapped_class
from stalker.db.deletion import delete_with_work_records
from stalker.db.session import DBSession, lock_before_sqlite_write

if TYPE_CHECKING:
    from stalker.migrations.runner import RevisionInfo, Target

logger = logging.getLogger(__name__)

_alembic_metadata = MetaData()
_alembic_table = Table(
    "alembic_version",
    _alembic_metadata,
    Column("version_num", String(32), primary_key=True),
)

#: Classes ``init()`` registers, in the order it registers them.
DEFAULT_ENTITY_TYPE_NAMES = [
    "Asset",
    "AuthenticationLog",
    "Budget",
    "BudgetEntry",
    "Client",
    "Daily",
    "Department",
    "Entity",
    "EntityGroup",
    "FilenameTemplate",
    "Good",
    "Group",
    "ImageFormat",
    "Invoice",
    "Link",
    "Message",
    "Note",
    "Page",
    "Payment",
    "Permission",
    "PriceList",
    "Project",
    "Repository",
    "Review",
    "Role",
    "Scene",
    "Sequence",
    "Shot",
    "SimpleEntity",
    "Status",
    "StatusList",
    "Structure",
    "Studio",
    "Tag",
    "Task",
    "Ticket",
    "TicketLog",
    "TimeLog",
    "Type",
    "User",
    "Vacation",
    "Version",
]

#: Classes given a StatusList by ``init()`` (config keys ``<name>_status_*``).
_STATUSED_CLASSES = (
    ("Daily", "daily"),
    ("Project", "project"),
    ("Task", "task"),
    ("Asset", "task"),
    ("Shot", "task"),
    ("Sequence", "task"),
    ("Review", "review"),
)


_JOURNAL_MODES = ("delete", "truncate", "persist", "memory", "wal", "off")
_SYNCHRONOUS_LEVELS = ("off", "normal", "full", "extra")


def _journal_pragmas() -> list[str]:
    """The journal and sync PRAGMAs the settings ask for (checked: they are SQL).

    An in-memory database keeps its own "memory" journal whatever is asked.
    """
    chosen = []
    for key, allowed, pragma in (
        ("sqlite_journal_mode", _JOURNAL_MODES, "journal_mode"),
        ("sqlite_synchronous", _SYNCHRONOUS_LEVELS, "synchronous"),
    ):
        value = str(stalker.defaults[key]).lower()
        if value not in allowed:
            raise ValueError(
                f"stalker.defaults.{key} should be one of {', '.join(allowed)}, "
                f"not {stalker.defaults[key]!r}"
            )
        chosen.append(f"PRAGMA {pragma}={value}")
    return chosen


def _busy_timeout_pragma() -> str:
    """``PRAGMA busy_timeout`` from ``defaults.sqlite_busy_timeout`` (seconds)."""
    value = stalker.defaults["sqlite_busy_timeout"]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            "stalker.defaults.sqlite_busy_timeout should be a number of seconds, "
            f"not {type(value).__name__} {value!r}"
        )
    if not 0 <= value < 2**31 / 1000:  # also refuses NaN
        raise ValueError(
            "stalker.defaults.sqlite_busy_timeout should be between 0 and "
            f"2147483 seconds, not {value!r}"
        )
    return f"PRAGMA busy_timeout={round(value * 1000)}"


def _driver_timeout_given(engine: Engine, settings: dict[str, Any]) -> bool:
    """True when the URL or ``connect_args`` set sqlite3's own ``timeout``."""
    connect_args = settings.get("sqlalchemy.connect_args") or {}
    return "timeout" in engine.url.query or "timeout" in connect_args


def _configure_sqlite(engine: Engine, settings: dict[str, Any]) -> None:
    """Make SQLite enforce foreign keys and queue its writers like PostgreSQL.

    The stdlib driver ignores foreign keys unless asked and opens transactions
    lazily, which breaks SAVEPOINTs; SQLAlchemy's documented recipe is to turn
    the driver's own handling off and emit BEGIN ourselves.  A plain BEGIN
    keeps readers concurrent; the first write of a transaction takes the
    write lock (``BEGIN IMMEDIATE``, see
    :func:`stalker.db.session.take_sqlite_write_lock`), so a second writer
    waits up to ``defaults.sqlite_busy_timeout`` seconds instead of failing.
    """
    if engine.dialect.name != "sqlite":
        return

    pragmas = ["PRAGMA foreign_keys=ON", *_journal_pragmas()]
    if not _driver_timeout_given(engine, settings):  # the caller's own timeout wins
        pragmas.append(_busy_timeout_pragma())

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    event.listen(engine, "before_cursor_execute", lock_before_sqlite_write)


def create_engine_from_settings(settings: dict[str, Any]) -> Engine:
    """An engine from ``sqlalchemy.*`` keys that behaves alike on every backend."""
    # bound parameters (password hashes ...) stay out of logs and error
    # texts unless the caller asks for them
    settings = {"sqlalchemy.hide_parameters": True, **settings}
    engine = engine_from_config(settings, prefix="sqlalchemy.")
    _configure_sqlite(engine, settings)
    return engine


def setup(settings: dict[str, Any] | None = None) -> None:
    """Connect ``DBSession`` to a database whose schema this code can use.

    A new database gets the schema and is stamped with the head revision; one
    at an older revision of ours is upgraded only when asked (the setting
    ``"stalker.auto_upgrade": True`` or ``defaults.database_auto_upgrade``),
    otherwise refused with the way to upgrade it.  No rows are inserted (see
    :func:`init`).  Calling it again rebinds the session to the new database;
    a refused database leaves the session bound where it was.
    """
    from stalker.models.status import clear_status_list_cache

    if settings is None:
        settings = stalker.defaults.database_engine_settings
    auto_upgrade = _auto_upgrade(settings)
    engine = create_engine_from_settings(settings)
    DBSession.remove()
    try:
        prepare_schema(engine, auto_upgrade=auto_upgrade)
    except Exception:
        engine.dispose()
        raise
    DBSession.configure(bind=engine, **stalker.defaults.database_session_settings)
    clear_status_list_cache()
    create_repo_vars()


_TRUE_WORDS = ("true", "yes", "on", "1")
_FALSE_WORDS = ("false", "no", "off", "0")


def _auto_upgrade(settings: dict[str, Any]) -> bool:
    """The ``stalker.auto_upgrade`` setting, else ``defaults.database_auto_upgrade``.

    Settings often come from ini files, so the usual words are accepted too.
    """
    if "stalker.auto_upgrade" in settings:
        name, value = "stalker.auto_upgrade", settings["stalker.auto_upgrade"]
    else:
        name = "stalker.defaults.database_auto_upgrade"
        value = stalker.defaults["database_auto_upgrade"]
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise TypeError(
            f"db.setup: the {name} setting should be a bool (or 'true'/'false'), "
            f"not {type(value).__name__} {value!r}"
        )
    word = value.strip().lower()
    if word not in _TRUE_WORDS + _FALSE_WORDS:
        raise ValueError(
            f"db.setup: the {name} setting should be one of "
            f"{', '.join(_TRUE_WORDS + _FALSE_WORDS)}, not {value!r}"
        )
    return word in _TRUE_WORDS


def create_tables(bind: Any, tables: Sequence[Table] | None = None) -> None:
    """``Base.metadata.create_all``, leaving the constraints as they were.

    On a backend with ALTER, create_all adds the ``use_alter`` foreign keys
    through ``AddConstraint``, which marks each constraint to be left out of
    every later CREATE TABLE, whatever the dialect: a SQLite database created
    afterwards in the same process would silently lack those keys.
    """
    chosen = Base.metadata.sorted_tables if tables is None else tables
    rules = [
        (constraint, constraint._create_rule)
        for table in chosen
        for constraint in table.constraints
    ]
    try:
        Base.metadata.create_all(bind, tables=tables)
    finally:
        for constraint, rule in rules:
            constraint._create_rule = rule


def prepare_schema(engine: Engine, auto_upgrade: bool = False) -> None:
    """Make the database's schema the head revision, or refuse; one transaction.

    Empty: every table is created (faster than replaying the revisions) and
    the head revision stamped.  Ours but older: upgraded if ``auto_upgrade``.
    Unstamped with Stalker tables, newer, unknown or the original Stalker's:
    refused, nothing changed.  Tables of users' own classes are then created.
    """
    from alembic import command

    from stalker.migrations import runner

    with runner.migration_connection(engine) as connection:
        current = runner.current_revision(connection)
        if current is None:
            if runner.has_stalker_tables(connection):
                raise runner.SchemaVersionError(runner.unstamped_problem())
            create_tables(connection)
            command.stamp(runner.make_config(connection), "head")
            return
        problem = runner.revision_problem(current)
        if problem is not None:
            if not (auto_upgrade and current in runner.known_revisions()):
                raise runner.SchemaVersionError(problem)
            logger.info("upgrading the database from %s to head", current)
            command.upgrade(runner.make_config(connection), "head")
        create_tables(connection)


def init() -> None:
    """Create the default data Stalker relies on; calling it twice adds nothing."""
    _register_names(_default_entity_types())
    admin = __create_admin__() if stalker.defaults.auto_create_admin else None
    create_ticket_statuses()
    for class_name, config_prefix in _STATUSED_CLASSES:
        create_entity_statuses(
            entity_type=class_name,
            status_names=stalker.defaults[f"{config_prefix}_status_names"],
            status_codes=stalker.defaults[f"{config_prefix}_status_codes"],
            user=admin,
        )
    create_alembic_table()
    _create_database_id()
    logger.debug("database initialised")


def _create_database_id() -> None:
    """Give the database its own random id once (LocalSession files name it)."""
    from stalker.models.auth import database_id

    session = DBSession()
    database_id(session, create=True)
    session.commit()


def register(class_: type) -> None:
    """Record ``class_`` as an EntityType and create its Allow/Deny permissions."""
    if not isinstance(class_, type):
        from stalker.models.validation import type_error

        raise type_error("db", "register.class_", "a class", class_)
    _register_names({class_.__name__: entity_type_flags(class_)})


def entity_type_flags(class_: type) -> dict[str, bool]:
    """What a class supports, read from the mixins it derives from."""
    from stalker.models import mixins

    def derives_from(mixin_name: str) -> bool:
        mixin = getattr(mixins, mixin_name, None)
        return mixin is not None and issubclass(class_, mixin)

    return {
        "statusable": derives_from("StatusMixin"),
        "dateable": derives_from("DateRangeMixin"),
        "schedulable": derives_from("ScheduleMixin"),
        "accepts_references": derives_from("ReferenceMixin"),
    }


def _default_entity_types() -> dict[str, dict[str, bool]]:
    """The 42 default class names with their flags, in registration order.

    The flags are the default data of the spec; a test checks they agree
    with :func:`entity_type_flags` for every class of the object model.
    """
    statusable = {"Asset", "Budget", "Daily", "Message", "Project", "Review"}
    statusable |= {"Sequence", "Shot", "Task", "Ticket"}
    dateable = {"Asset", "Project", "Sequence", "Shot", "Studio", "Task"}
    dateable |= {"TimeLog", "Vacation"}
    schedulable = {"Asset", "Review", "Sequence", "Shot", "Task"}
    referencing = {"Asset", "Project", "Sequence", "Shot", "Task"}
    return {
        name: {
            "statusable": name in statusable,
            "dateable": name in dateable,
            "schedulable": name in schedulable,
            "accepts_references": name in referencing,
        }
        for name in DEFAULT_ENTITY_TYPE_NAMES
    }


def _register_names(flags_by_name: dict[str, dict[str, bool]]) -> None:
    """Add the EntityTypes and Permissions missing for these names; one commit."""
    from stalker.models.auth import Permission
    from stalker.models.type import EntityType

    session = DBSession()
    names = list(flags_by_name)
    with session.no_autoflush:
        known_types = set(
            session.scalars(select(EntityType.name).where(EntityType.name.in_(names)))
        )
        known_permissions: set[tuple[str, str, str]] = {
            tuple(row)  # type: ignore[misc]
            for row in session.execute(
                select(
                    Permission._access, Permission._action, Permission._class_name
                ).where(Permission._class_name.in_(names))
            )
        }
    for name, flags in flags_by_name.items():
        if name not in known_types:
            entity_type = EntityType(name=name)
            for flag, value in flags.items():
                setattr(entity_type, flag, value)
            session.add(entity_type)
        for access in ("Allow", "Deny"):
            for action in stalker.defaults.actions:
                if (access, action, name) not in known_permissions:
                    session.add(Permission(access, action, name))
    session.commit()


ADMIN_PASSWORD_VARIABLE = "STALKER_ADMIN_PASSWORD"


def _admin_password() -> str:
    """The first administrator's password: environment, config, or a new one.

    ``$STALKER_ADMIN_PASSWORD`` wins, then ``defaults.admin_password``; with
    neither, a random password is made and printed once to stderr (never
    logged): a well-known default password would open every new database.
    """
    chosen = os.environ.get(ADMIN_PASSWORD_VARIABLE) or stalker.defaults.admin_password
    if chosen:
        return str(chosen)
    generated = secrets.token_urlsafe(12)
    print(
        f"stalker: created the administrator {stalker.defaults.admin_login!r} "
        f"with the password {generated!r}; it is shown only now, change it "
        f"(or set {ADMIN_PASSWORD_VARIABLE} before the first db.init())",
        file=sys.stderr,
    )
    return generated


def __create_admin__() -> Any:
    """Get or create the ``admins`` department and group and the admin user."""
    from stalker.models.auth import Group, User
    from stalker.models.department import Department

    session = DBSession()
    defaults = stalker.defaults
    with session.no_autoflush:
        department = session.scalars(
            select(Department).where(Department.name == defaults.admin_department_name)
        ).first()
        group = session.scalars(
            select(Group).where(Group.name == defaults.admin_group_name)
        ).first()
        admin = session.scalars(
            select(User).where(User.name == defaults.admin_name)
        ).first()
    if department is None:
        department = Department(name=defaults.admin_department_name)
        session.add(department)
    if group is None:
        group = Group(name=defaults.admin_group_name)
        session.add(group)
    if admin is None:
        admin = User(
            name=defaults.admin_name,
            login=defaults.admin_login,
            password=_admin_password(),
            email=defaults.admin_email,
            departments=[department],
            groups=[group],
        )
        session.add(admin)
        session.flush()
        for entity in (admin, department, group):
            entity.created_by = admin
            entity.updated_by = admin
    session.commit()
    return admin


def _admin_user() -> Any:
    from stalker.models.auth import User

    return (
        DBSession()
        .scalars(select(User).where(User.name == stalker.defaults.admin_name))
        .first()
    )


def create_entity_statuses(
    entity_type: str = "",
    status_names: Sequence[str] | None = None,
    status_codes: Sequence[str] | None = None,
    user: Any = None,
) -> None:
    """Make sure a StatusList for ``entity_type`` holds the named statuses."""
    from stalker.models.status import Status, StatusList

    session = DBSession()
    if not entity_type or not status_names or not status_codes:
        session.rollback()
        raise ValueError(
            "create_entity_statuses needs an entity_type, status_names and "
            f"status_codes, not {entity_type!r}, {status_names!r}, {status_codes!r}"
        )
    with session.no_autoflush:
        existing = list(
            session.scalars(
                select(Status)
                .where(Status.name.in_(status_names))
                .order_by(Status.status_id)
            )
        )
        existing_names = {status.name for status in existing}
        created = [
            Status(name=name, code=code, created_by=user, updated_by=user)
            for name, code in zip(status_names, status_codes, strict=True)
            if name not in existing_names
        ]
        status_list = session.scalars(
            select(StatusList)
            .where(StatusList._target_entity_type == entity_type)
            .order_by(StatusList.status_list_id)
        ).first()
    if status_list is None:
        status_list = StatusList(
            name=f"{entity_type} Statuses",
            target_entity_type=entity_type,
            created_by=user,
            updated_by=user,
        )
        session.add(status_list)
    wanted = existing + created
    if [id(status) for status in status_list.statuses] != [id(s) for s in wanted]:
        status_list.statuses = wanted
    session.add_all(created)
    session.commit()


def create_ticket_statuses() -> None:
    """Ticket statuses and the ``Defect``/``Enhancement`` ticket Types."""
    from stalker.models.type import Type

    admin = _admin_user()
    defaults = stalker.defaults
    create_entity_statuses(
        "Ticket", defaults.ticket_status_names, defaults.ticket_status_codes, admin
    )
    session = DBSession()
    with session.no_autoflush:
        existing = set(
            session.scalars(
                select(Type.name).where(Type._target_entity_type == "Ticket")
            )
        )
    for name in ("Defect", "Enhancement"):
        if name not in existing:
            session.add(
                Type(
                    name=name,
                    code=name,
                    target_entity_type="Ticket",
                    created_by=admin,
                    updated_by=admin,
                )
            )
    session.commit()


def get_alembic_version() -> str | None:
    """The schema revision recorded in the database, or None."""
    session = DBSession()
    try:
        with session.no_autoflush:
            return session.execute(select(_alembic_table.c.version_num)).scalar()
    except (OperationalError, ProgrammingError):
        session.rollback()
        return None


def check_alembic_version() -> None:
    """Refuse a database whose schema revision is not the one this code expects."""
    from stalker.migrations import runner

    problem = runner.revision_problem(get_alembic_version())
    if problem is not None:
        DBSession.connection().invalidate()
        raise runner.SchemaVersionError(problem)


def create_alembic_table() -> None:
    """Record our schema revision (never overwriting one already there)."""
    session = DBSession()
    connection = session.connection()
    _alembic_metadata.create_all(connection)
    if session.execute(select(_alembic_table.c.version_num)).first() is None:
        session.execute(_alembic_table.insert().values(version_num=_head()))
    session.commit()


def update_defaults_with_studio() -> None:
    """Make the bound database's studio figures the process-wide defaults.

    Only when called: ``setup()`` and loading a Studio leave
    ``stalker.defaults`` alone, so two databases in one process keep their
    own settings (the schedulers read the studio itself).
    """
    try:
        studio_class = mapped_class("Studio")
    except LookupError:
        return
    studio = DBSession().scalars(select(studio_class).limit(1)).first()
    if studio is not None:
        studio.update_defaults()


def create_repo_vars() -> None:
    """Publish every repository's path for this OS as ``REPO<code>``/``REPO<id>``."""
    try:
        repository_class = mapped_class("Repository")
    except LookupError:
        return
    for repository in DBSession().scalars(select(repository_class)):
        _publish_repository(repository)


def _publish_repository(repository: Any) -> None:
    path = repository.path
    if path is None:
        return
    defaults = stalker.defaults
    if repository.code:
        os.environ[defaults.repo_env_var_template % {"code": repository.code}] = path
    os.environ[defaults.repo_env_var_template_old % {"id": repository.id}] = path


def table_names() -> Iterable[str]:
    """Names of the tables in the bound database (handy in tests and tools)."""
    return inspect(DBSession.connection()).get_table_names()


def _head() -> str:
    from stalker.migrations import runner

    return runner.head()


def __getattr__(name: str) -> Any:
    """``alembic_version``: the head of the revisions shipped in the package."""
    if name == "alembic_version":
        return _head()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def upgrade(target: Target = None, revision: str = "head") -> None:
    """Upgrade a database (URL, settings dict or Engine) to ``revision``."""
    from stalker.migrations import runner

    runner.upgrade(target, revision)


def downgrade(target: Target = None, revision: str = "-1") -> None:
    """Downgrade a database (URL, settings dict or Engine) to ``revision``."""
    from stalker.migrations import runner

    runner.downgrade(target, revision)


def stamp(target: Target = None, revision: str = "head") -> None:
    """Record ``revision`` in a database without migrating it."""
    from stalker.migrations import runner

    runner.stamp(target, revision)


def current(target: Target = None) -> str | None:
    """The schema revision a database is at (None: not stamped)."""
    from stalker.migrations import runner

    return runner.current(target)


def history() -> list[RevisionInfo]:
    """Our revisions, oldest first (``RevisionInfo`` tuples)."""
    from stalker.migrations import runner

    return runner.history()


__all__ = [
    "DBSession",
    "alembic_version",
    "check_alembic_version",
    "create_alembic_table",
    "create_entity_statuses",
    "create_repo_vars",
    "create_tables",
    "create_ticket_statuses",
    "current",
    "delete_with_work_records",
    "downgrade",
    "get_alembic_version",
    "history",
    "init",
    "prepare_schema",
    "register",
    "setup",
    "stamp",
    "update_defaults_with_studio",
    "upgrade",
]


def _keep_setup_a_function() -> None:
    """Import the 1.x module ``stalker.db.setup`` now, and keep ``db.setup`` the call.

    Importing a submodule sets the package attribute of that name to the
    module; done here, once, the function is put back, and a later
    ``import stalker.db.setup`` changes nothing.  ``stalker.db.setup.init()``
    (the 1.x module spelling) works too: the function carries both calls.
    """
    global setup
    module = importlib.import_module("stalker.db.setup")
    setup = module.setup
    setattr(setup, "setup", setup)  # noqa: B010
    setattr(setup, "init", module.init)  # noqa: B010


_keep_setup_a_function()
