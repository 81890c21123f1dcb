"""Tests of the private PostgreSQL server tooling (independent of stalker)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from . import pg_server
from .pg_server import (
    PostgresServer,
    create_database,
    drop_database,
    find_pg_bin_dir,
    get_test_postgres_url,
)

needs_postgres = pytest.mark.skipif(
    find_pg_bin_dir() is None, reason="PostgreSQL server binaries not installed"
)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_with_database_replaces_only_the_database() -> None:
    url = "postgresql+psycopg://u:p%40ss@127.0.0.1:5433/postgres?sslmode=disable"
    assert pg_server._with_database(url, 'we"ird db') == (
        "postgresql+psycopg://u:p%40ss@127.0.0.1:5433/we%22ird%20db?sslmode=disable"
    )
    assert pg_server._libpq_url(url).startswith("postgresql://u:p%40ss@")


def test_env_var_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://someone@db.example:5432/postgres"
    monkeypatch.setenv(pg_server.ENV_URL, url)
    assert get_test_postgres_url() == url


def test_missing_binaries_error_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pg_server.ENV_URL, raising=False)
    monkeypatch.setattr(pg_server, "_server", None)
    monkeypatch.setattr(pg_server, "find_pg_bin_dir", lambda: None)
    with pytest.raises(RuntimeError, match=r"postgresql.*make test"):
        get_test_postgres_url()


@needs_postgres
def test_find_pg_bin_dir_holds_server_binaries() -> None:
    bin_dir = find_pg_bin_dir()
    assert bin_dir is not None
    for name in ("initdb", "pg_ctl", "postgres"):
        assert (bin_dir / name).exists()


@needs_postgres
def test_server_lifecycle_and_database_helpers() -> None:
    psycopg = pytest.importorskip("psycopg")
    server = PostgresServer()
    with server:
        base_dir = server.base_dir
        assert isinstance(base_dir, Path) and base_dir.is_dir()
        assert server.url.startswith(
            f"postgresql+psycopg://{server.db_user}@127.0.0.1:"
        )
        assert server.url.endswith("/postgres")
        port = server.port
        assert port is not None

        with psycopg.connect(_libpq(server.url)) as conn:
            row = conn.execute(
                "SELECT current_user, current_setting('fsync'),"
                " current_setting('server_encoding')"
            ).fetchone()
        assert row == (server.db_user, "off", "UTF8")

        template_url = create_database(server.url, 'template "one"')
        with psycopg.connect(_libpq(template_url), autocommit=True) as conn:
            conn.execute("CREATE TABLE t (a int)")
            conn.execute("INSERT INTO t VALUES (42)")

        clone_url = create_database(server.url, "clone", template='template "one"')
        assert clone_url.endswith("/clone")
        # An open session must not stop the drop (WITH (FORCE)).
        conn = psycopg.connect(_libpq(clone_url))
        assert conn.execute("SELECT a FROM t").fetchone() == (42,)
        drop_database(server.url, "clone")
        conn.close()
        drop_database(server.url, "clone")  # IF EXISTS: no error the second time
        drop_database(server.url, 'template "one"')

        with psycopg.connect(_libpq(server.url)) as conn:
            names = {
                r[0] for r in conn.execute("SELECT datname FROM pg_database").fetchall()
            }
        assert names.isdisjoint({"clone", 'template "one"'})

    assert not server.running
    assert not base_dir.exists()
    assert not _port_open(port)
    server.stop()  # idempotent


@needs_postgres
def test_get_test_postgres_url_reuses_one_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    psycopg = pytest.importorskip("psycopg")
    monkeypatch.delenv(pg_server.ENV_URL, raising=False)
    first = get_test_postgres_url()
    server = pg_server._server
    assert get_test_postgres_url() == first
    assert pg_server._server is server
    with psycopg.connect(_libpq(first)) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
