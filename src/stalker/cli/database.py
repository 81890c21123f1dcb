"""Which database the ``stalker`` command talks to, and connecting to it.

The order is the one cron jobs and shells expect: an explicit ``--url``, then
``$STALKER_DATABASE_URL`` (keeps a password out of the process list), then
``$STALKER_PATH/config.py`` when it names a database, then a SQLite file in
the user's data folder so that ``stalker init`` works with no setup at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

import stalker

URL_VARIABLE = "STALKER_DATABASE_URL"
#: What ``stalker.defaults`` holds when no config.py chose a database.
IN_MEMORY = "sqlite://"

SOURCES_HELP = (
    "The database is --url, else $STALKER_DATABASE_URL, else the "
    "database_engine_settings of $STALKER_PATH/config.py, else the SQLite "
    "file $XDG_DATA_HOME/stalker/stalker.db (~/.local/share/stalker/stalker.db)."
)


@dataclass(frozen=True)
class DatabaseChoice:
    """The engine settings to use and where they came from (for messages)."""

    settings: dict[str, Any]
    source: str

    @property
    def url(self) -> str:
        return str(self.settings.get("sqlalchemy.url", ""))

    @property
    def shown_url(self) -> str:
        """The URL with its password masked, safe to print."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL is reported by the connection
            return "<unparsable database URL>"


def default_sqlite_file() -> Path:
    """``$XDG_DATA_HOME/stalker/stalker.db``: a per-user file, wherever cron runs."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join("~", ".local", "share")
    return Path(os.path.expanduser(base)) / "stalker" / "stalker.db"


def choose_database(url: str | None) -> DatabaseChoice:
    """The database of this run, following the documented order."""
    if url:
        return DatabaseChoice({"sqlalchemy.url": url}, "--url")
    from_environment = os.environ.get(URL_VARIABLE)
    if from_environment:
        return DatabaseChoice({"sqlalchemy.url": from_environment}, f"${URL_VARIABLE}")
    configured = dict(stalker.defaults.database_engine_settings)
    if configured.get("sqlalchemy.url", IN_MEMORY) != IN_MEMORY:
        return DatabaseChoice(configured, "$STALKER_PATH/config.py")
    path = default_sqlite_file()
    path.parent.mkdir(parents=True, exist_ok=True)  # SQLite creates only the file
    return DatabaseChoice({"sqlalchemy.url": f"sqlite:///{path}"}, "default file")


def connect(choice: DatabaseChoice) -> Any:
    """Bind ``DBSession`` to the chosen database (``db.setup``); the session."""
    from stalker import db
    from stalker.db.session import DBSession

    db.setup(choice.settings)
    return DBSession()
