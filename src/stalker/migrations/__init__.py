"""Stalker's schema lifecycle: Alembic revisions shipped inside the package.

Use it from Python (``stalker.db.upgrade(url, "head")`` or the functions here)
or from the command line (``python -m stalker.migrations upgrade head --url
URL``); neither needs an ``alembic.ini``.  Every schema change is a revision in
``versions/``, one linear chain starting at ``stalker_0001``.
"""

from stalker.migrations.runner import (
    FIRST_REVISION,
    LEGACY_MOVE_COMMAND,
    LEGACY_REVISIONS,
    MIGRATIONS_DIR,
    RevisionInfo,
    SchemaVersionError,
    current,
    downgrade,
    head,
    history,
    make_config,
    stamp,
    upgrade,
)

__all__ = [
    "FIRST_REVISION",
    "LEGACY_MOVE_COMMAND",
    "LEGACY_REVISIONS",
    "MIGRATIONS_DIR",
    "RevisionInfo",
    "SchemaVersionError",
    "current",
    "downgrade",
    "head",
    "history",
    "make_config",
    "stamp",
    "upgrade",
]
