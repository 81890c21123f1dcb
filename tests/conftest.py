"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

The schema and ``db.init()`` data are created once per backend and session;
each test then runs inside a transaction that is rolled back afterwards
(the test's own commits become SAVEPOINT releases), so resetting costs a
rollback, not a rebuild.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# A new Studio takes the machine's time zone; the expected .tjp files and
# dates of the tests are written for a UTC studio, so the suite pins the zone
# (tests of other zones set theirs explicitly or through monkeypatch).
os.environ["TZ"] = "UTC"

from sqlalchemy import Engine
from sqlalchemy.pool import StaticPool

import stalker
from stalker import db
from stalker.db.session import DBSession
from stalker.models.status import clear_status_list_cache

from .support.pg_server import create_database, drop_database, get_test_postgres_url

ALL_BACKENDS = ("sqlite", "postgresql")

#: The administrator password of the test databases (issue 18: db.init()
#: has no well-known default any more), given the way a studio would.
TEST_ADMIN_PASSWORD = "test-admin-pw-7e1c"
stalker.defaults.admin_password = TEST_ADMIN_PASSWORD


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        action="store",
        default="all",
        choices=("all", *ALL_BACKENDS),
        help="run the database tests on one backend only (default: both)",
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Skip the ``tj3``-marked tests, with the reason, when tj3 is not installed."""
    from stalker.models.schedulers import tj3_installed

    if tj3_installed():
        return
    skip = pytest.mark.skip(
        reason="tj3 (TaskJuggler) is not installed: apt-get install tj3, or set "
        "tj_command in $STALKER_PATH/config.py"
    )
    for item in items:
        if "tj3" in item.keywords:
            item.add_marker(skip)


def _selected_backends(config: pytest.Config) -> tuple[str, ...]:
    choice = config.getoption("--backend")
    return ALL_BACKENDS if choice == "all" else (choice,)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize(
            "backend", _selected_backends(metafunc.config), scope="session"
        )


def _postgres_admin_url() -> str:
    return get_test_postgres_url()


def _new_engine(backend: str, url: str | None = None) -> Engine:
    if backend == "sqlite":
        settings: dict[str, Any] = {"sqlalchemy.url": url or "sqlite://"}
        if url is None:  # one shared in-memory database for the whole session
            settings["sqlalchemy.poolclass"] = StaticPool
            settings["sqlalchemy.connect_args"] = {"check_same_thread": False}
        return db.create_engine_from_settings(settings)
    return db.create_engine_from_settings({"sqlalchemy.url": url})


@pytest.fixture(scope="session")
def initialised_engine(backend: str) -> Iterator[Engine]:
    """One engine per backend whose database holds the schema and init() data."""
    url = None
    database_name = None
    if backend == "postgresql":
        database_name = f"stalker_test_{uuid.uuid4().hex[:8]}"
        url = create_database(_postgres_admin_url(), database_name)
    engine = _new_engine(backend, url)
    saved_defaults = copy.deepcopy(stalker.defaults.config_values)
    db.create_tables(engine)
    DBSession.remove()
    DBSession.configure(bind=engine)
    clear_status_list_cache()
    db.init()
    DBSession.remove()
    stalker.defaults.config_values = saved_defaults
    yield engine
    engine.dispose()
    if database_name is not None:
        drop_database(_postgres_admin_url(), database_name)


@pytest.fixture(autouse=True)
def _restore_global_state() -> Iterator[None]:
    """Tests may change ``stalker.defaults`` and ``os.environ``; undo that."""
    defaults = stalker.defaults
    saved_values = copy.deepcopy(defaults.config_values)
    saved_environ = dict(os.environ)
    yield
    stalker.defaults = defaults
    defaults.config_values = saved_values
    os.environ.clear()
    os.environ.update(saved_environ)


@pytest.fixture
def session(initialised_engine: Engine) -> Iterator[Any]:
    """``DBSession`` bound to a fresh copy of the initialised database."""
    connection = initialised_engine.connect()
    transaction = connection.begin()
    DBSession.remove()
    DBSession.configure(bind=connection, join_transaction_mode="create_savepoint")
    clear_status_list_cache()
    try:
        yield DBSession
    finally:
        DBSession.remove()
        DBSession.session_factory.kw.pop("join_transaction_mode", None)
        DBSession.configure(bind=None)
        clear_status_list_cache()
        transaction.rollback()
        connection.close()


@pytest.fixture
def empty_database_settings(backend: str, tmp_path: Any) -> Iterator[dict[str, Any]]:
    """``db.setup()`` settings of a new, empty database (for tests of setup/init)."""
    if backend == "sqlite":
        yield {"sqlalchemy.url": f"sqlite:///{tmp_path / 'studio.db'}"}
    else:
        admin_url = _postgres_admin_url()
        name = f"stalker_empty_{uuid.uuid4().hex[:8]}"
        url = create_database(admin_url, name)
        yield {"sqlalchemy.url": url}
        DBSession.remove()
        bind = DBSession.session_factory.kw.get("bind")
        if isinstance(bind, Engine):
            bind.dispose()
        drop_database(admin_url, name)
    DBSession.remove()
    clear_status_list_cache()


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once per test run (``pip wheel --no-deps``)."""
    out = tmp_path_factory.mktemp("wheel")
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            str(root),
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("*.whl")
    return built
