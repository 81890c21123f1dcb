"""``python -m stalker.migrations``: the schema lifecycle from the command line.

No ``alembic.ini`` is needed: the database comes from ``--url``, else from the
``STALKER_DATABASE_URL`` environment variable (which keeps a password out of the
process list), else from ``stalker.defaults.database_engine_settings``
(``$STALKER_PATH/config.py``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from stalker.migrations import runner

#: Environment variable naming the database when ``--url`` is not given.
URL_VARIABLE = "STALKER_DATABASE_URL"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stalker.migrations",
        description="Create, upgrade and inspect a Stalker database schema.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--url",
            default=os.environ.get(URL_VARIABLE) or None,
            help=f"SQLAlchemy database URL (default: ${URL_VARIABLE}, else "
            "stalker.defaults.database_engine_settings)",
        )
        return sub

    command("upgrade", "upgrade to a revision (default head)").add_argument(
        "revision", nargs="?", default="head"
    )
    command("downgrade", "downgrade to a revision (default -1)").add_argument(
        "revision", nargs="?", default="-1"
    )
    command("stamp", "record a revision without migrating").add_argument("revision")
    command("current", "print the revision the database is at")
    commands.add_parser("history", help="list the revisions, oldest first")
    commands.add_parser("heads", help="print the head revision of this stalker")
    revision = command(
        "revision", "write a new revision file (for contributors of stalker)"
    )
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--rev-id", required=True, help="e.g. stalker_0005")
    revision.add_argument(
        "--autogenerate",
        action="store_true",
        help="compare the models with the database at --url (kept at head)",
    )
    commands.add_parser(
        "move-legacy",
        help="move a database of the original Stalker 0.2.x/1.x into a new one",
        add_help=False,
    )
    return parser


def _move_legacy(arguments: Sequence[str]) -> int:
    """Hand the arguments to ``stalker.migrations.legacy`` (its own options)."""
    try:
        legacy = importlib.import_module("stalker.migrations.legacy")
    except ImportError:
        print("error: this stalker has no stalker.migrations.legacy", file=sys.stderr)
        return 2
    return int(legacy.main(list(arguments)) or 0)


def _write_revision(options: argparse.Namespace) -> None:
    from alembic import command

    if not options.autogenerate:
        command.revision(
            runner.make_config(), message=options.message, rev_id=options.rev_id
        )
        return
    with runner.migration_connection(options.url, lock=False) as connection:
        command.revision(
            runner.make_config(connection),
            message=options.message,
            rev_id=options.rev_id,
            autogenerate=True,
        )


def _run(options: argparse.Namespace) -> None:
    name = options.command
    if name in ("upgrade", "downgrade", "stamp"):
        getattr(runner, name)(options.url, options.revision)
        print(f"database at {runner.current(options.url)}")
    elif name == "current":
        print(runner.current(options.url) or "(no revision: not a stalker database)")
    elif name == "history":
        for info in runner.history():
            print(
                f"{info.down_revision or '<base>'} -> {info.revision}: {info.message}"
            )
    elif name == "heads":
        print(runner.head())
    elif name == "revision":
        _write_revision(options)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["move-legacy"]:
        return _move_legacy(arguments[1:])
    options = _parser().parse_args(arguments)
    try:
        _run(options)
    except (ValueError, TypeError, RuntimeError, SQLAlchemyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
