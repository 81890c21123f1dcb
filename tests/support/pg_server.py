"""Throwaway PostgreSQL servers for the test suite.

The suite must run against a real PostgreSQL without any setup by hand, so this
module starts a private server (``initdb`` + ``pg_ctl``) in a temporary folder on
a free loopback port and tears it down at exit. Durability is switched off: the
data is thrown away, and speed is what matters.

Set ``STALKER_TEST_POSTGRES_URL`` to use an existing server instead.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from psycopg import sql

__all__ = [
    "ENV_URL",
    "PostgresServer",
    "create_database",
    "drop_database",
    "find_pg_bin_dir",
    "get_test_postgres_url",
]

ENV_URL = "STALKER_TEST_POSTGRES_URL"
"""Environment variable naming an existing server to use instead of our own."""

_FALLBACK_OS_USER = "stalker-pg"
_SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
# Room for "/.s.PGSQL.65535" within the 107-byte limit of a unix socket path.
_MAX_SOCKET_DIR_LEN = 90
# Only throwaway data lives here, so trade every durability guarantee for speed.
_SERVER_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "shared_buffers": "128MB",
}


def _has_server_binaries(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in _SERVER_BINARIES)


def _version_key(path: Path) -> tuple[int, ...]:
    """Sort key for ``/usr/lib/postgresql/<major>``: ``"15"`` < ``"9.6"`` is wrong
    as text, so compare numerically."""
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def find_pg_bin_dir() -> Path | None:
    """Return the directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Debian keeps the server binaries off ``PATH`` in
    ``/usr/lib/postgresql/<major>/bin``, so look there first (newest major
    wins), then ask ``pg_config``, then fall back to ``PATH``.
    """
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True
    )
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                check=True,
                timeout=30,
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    initdb = shutil.which("initdb")
    if initdb:
        # Resolve symlinks (e.g. /usr/local/bin/initdb) so pg_ctl finds its
        # sibling `postgres` binary.
        candidates.append(Path(initdb).resolve().parent)
    return next((d for d in candidates if _has_server_binaries(d)), None)


def _which_admin(name: str) -> str | None:
    """``shutil.which`` that also looks in sbin, often missing from PATH."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def _ensure_os_user() -> str:
    """Return an unprivileged OS user to own the server when we are root.

    ``initdb`` and ``postgres`` refuse to run as root. Debian's package creates
    ``postgres``; elsewhere create a dedicated system user.
    """
    for name in ("postgres", _FALLBACK_OS_USER):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    useradd = _which_admin("useradd")
    if useradd is None:
        raise RuntimeError(
            "running as root, but there is neither a 'postgres' nor a "
            f"'{_FALLBACK_OS_USER}' OS user and `useradd` is missing: create an "
            "unprivileged user to run PostgreSQL, or run the tests as non-root"
        )
    result = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
         _FALLBACK_OS_USER],
        capture_output=True,
        text=True,
    )  # fmt: skip
    try:
        # Check the user database rather than the exit code: a parallel test
        # worker may have created the user first (useradd then exits 9).
        pwd.getpwnam(_FALLBACK_OS_USER)
    except KeyError:
        raise RuntimeError(
            f"could not create OS user {_FALLBACK_OS_USER!r} to run PostgreSQL: "
            f"{(result.stderr or result.stdout).strip()}"
        ) from None
    return _FALLBACK_OS_USER


def _world_searchable(path: Path) -> bool:
    """Whether another user can reach ``path`` (every ancestor has ``o+x``)."""
    return all(
        p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents) if p.exists()
    )


def _free_port() -> int:
    """Ask the kernel for a free loopback port.

    The port is released before the server binds it, so another process may
    grab it meanwhile; ``PostgresServer.start`` retries on that.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _conf_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class PostgresServer:
    """A private PostgreSQL cluster living in a temporary folder.

    Usable as a context manager. ``stop()`` is idempotent and registered with
    ``atexit``, so an aborted test run does not leave a server behind (except on
    SIGKILL, which nothing can catch).
    """

    def __init__(self, bin_dir: Path | None = None) -> None:
        found = bin_dir or find_pg_bin_dir()
        if found is None:
            raise RuntimeError(_missing_binaries_message())
        self.bin_dir = found
        self.os_user: str | None = None  # set when we must drop root privileges
        self.db_user = pwd.getpwuid(os.geteuid()).pw_name
        self.port: int | None = None
        self.base_dir: Path | None = None
        self._owner_pid: int | None = None

    @property
    def data_dir(self) -> Path:
        return self._require_base_dir() / "data"

    @property
    def log_file(self) -> Path:
        return self._require_base_dir() / "server.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database as the superuser."""
        if self.port is None:
            raise RuntimeError("PostgresServer is not running; call start() first")
        return (
            f"postgresql+psycopg://{quote(self.db_user)}@127.0.0.1:{self.port}/postgres"
        )

    @property
    def running(self) -> bool:
        return self.port is not None

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; return ``self``."""
        if self.running:
            return self
        if os.geteuid() == 0:
            self.os_user = _ensure_os_user()
            self.db_user = self.os_user
        self.base_dir = Path(
            tempfile.mkdtemp(prefix="stalker-pg-", dir=self._tmp_root())
        )
        self._owner_pid = os.getpid()
        atexit.register(self.stop)
        try:
            if self.os_user is not None:
                shutil.chown(self.base_dir, user=self.os_user)
            self._run(
                "initdb",
                "-D", str(self.data_dir),
                "-U", self.db_user,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )  # fmt: skip
            self._start_on_free_port()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Kill the server (no clean shutdown needed) and delete its folder."""
        if self.base_dir is None or self._owner_pid != os.getpid():
            # Never started, already stopped, or a forked child that must not
            # tear down its parent's server.
            return
        base_dir, self.base_dir = self.base_dir, None
        data_dir = base_dir / "data"
        try:
            if (data_dir / "postmaster.pid").exists():
                self._run(
                    "pg_ctl", "-D", str(data_dir), "-m", "immediate", "-w", "stop",
                    check=False,
                )  # fmt: skip
        finally:
            self.port = None
            atexit.unregister(self.stop)
            shutil.rmtree(base_dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _require_base_dir(self) -> Path:
        if self.base_dir is None:
            raise RuntimeError("PostgresServer is not started")
        return self.base_dir

    def _tmp_root(self) -> str:
        """Pick where the temporary folder goes.

        The server user must be able to reach it, and the unix socket path
        inside it must fit the kernel's length limit; ``/tmp`` satisfies both
        when ``TMPDIR`` does not.
        """
        root = Path(tempfile.gettempdir())
        too_long = len(str(root)) + len("/stalker-pg-xxxxxxxx") > _MAX_SOCKET_DIR_LEN
        hidden = self.os_user is not None and not _world_searchable(root)
        return "/tmp" if too_long or hidden else str(root)

    def _start_on_free_port(self, attempts: int = 3) -> None:
        """Start the server, retrying with a new port if another process took it."""
        base_dir = self._require_base_dir()
        conf = self.data_dir / "postgresql.conf"
        original_conf = conf.read_text()
        for attempt in range(1, attempts + 1):
            port = _free_port()
            settings = {
                **_SERVER_SETTINGS,
                "listen_addresses": _conf_quote("127.0.0.1"),
                "port": str(port),
                "unix_socket_directories": _conf_quote(str(base_dir)),
            }
            # Later lines win in postgresql.conf, so appending overrides defaults.
            conf.write_text(
                original_conf
                + "\n# stalker test server\n"
                + "".join(f"{key} = {value}\n" for key, value in settings.items())
            )
            result = self._run(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file),
                "-w", "-t", "60", "start",
                check=False,
            )  # fmt: skip
            if result.returncode == 0:
                self.port = port
                return
            log = self._log_tail()
            if "could not bind" not in log or attempt == attempts:
                raise RuntimeError(
                    f"pg_ctl start failed (exit {result.returncode}):\n"
                    f"{result.stdout}{result.stderr}\n--- server log ---\n{log}"
                )
            self.log_file.unlink(missing_ok=True)

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(
                self.log_file.read_text(errors="replace").splitlines()[-lines:]
            )
        except OSError:
            return "(no server log)"

    def _run(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program, as the unprivileged server user if we are root."""
        cmd = self._as_server_user([str(self.bin_dir / program), *args])
        # cwd: the server user may not be able to enter our working directory.
        result = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            cwd=self.base_dir or "/",
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            timeout=180,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{program} failed (exit {result.returncode}): {shlex.join(cmd)}\n"
                f"{result.stdout}{result.stderr}"
            )
        return result

    def _as_server_user(self, cmd: Sequence[str]) -> list[str]:
        if self.os_user is None:
            return list(cmd)
        runuser = _which_admin("runuser")
        if runuser:
            return [runuser, "-u", self.os_user, "--", *cmd]
        return ["su", self.os_user, "-s", "/bin/sh", "-c", shlex.join(cmd)]


def _missing_binaries_message() -> str:
    return (
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in "
        "/usr/lib/postgresql/*/bin, `pg_config --bindir` or PATH. Install the "
        "Debian package `postgresql` (`make test` does so through "
        f"tools/ensure_system_deps.sh), or set {ENV_URL} to an existing server."
    )


_server: PostgresServer | None = None
_server_lock = threading.Lock()


def get_test_postgres_url() -> str:
    """Return the URL of the PostgreSQL server the tests should use.

    ``STALKER_TEST_POSTGRES_URL`` wins; otherwise one private server is started
    per process (on first call) and shared by every later call.
    """
    env_url = os.environ.get(ENV_URL)
    if env_url:
        return env_url
    global _server
    with _server_lock:
        if _server is None or not _server.running:
            _server = PostgresServer().start()
        return _server.url


def _with_database(url: str, name: str) -> str:
    """Return ``url`` pointing at database ``name`` on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


def _libpq_url(url: str) -> str:
    """Turn a SQLAlchemy URL (``postgresql+psycopg://``) into a libpq one."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=parts.scheme.split("+", 1)[0]))


def _execute_autocommit(admin_url: str, statement: sql.Composed) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction block.
    import psycopg

    with psycopg.connect(_libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(statement)


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` (optionally cloned from ``template``); return its URL.

    Cloning a template is a file copy, much faster than re-creating a schema,
    but PostgreSQL refuses it while anyone is connected to the template: dispose
    of engines/pools on it first.
    """
    from psycopg import sql

    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement = sql.SQL("{} TEMPLATE {}").format(
            statement, sql.Identifier(template)
        )
    _execute_autocommit(admin_url, statement)
    return _with_database(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting any open sessions."""
    from psycopg import sql

    _execute_autocommit(
        admin_url,
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)),
    )
