"""Moving a studio from the original Stalker (0.2.28 or 1.1.x) into this one.

``move_legacy(source_url, target_url)`` reads the original's database with
plain SQL (never modifying it), creates a new database of ours and copies
every row with its id; ``python -m stalker.migrations move-legacy --from URL
--to URL`` does the same from the command line and prints the report.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from stalker.migrations.legacy.move import move_legacy
from stalker.migrations.legacy.plan import take_for_revision
from stalker.migrations.legacy.report import MoveReport, NotCarried, TableCount

__all__ = [
    "MoveReport",
    "NotCarried",
    "TableCount",
    "main",
    "move_legacy",
    "take_for_revision",
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m stalker.migrations move-legacy",
        description="Copy a database of the original Stalker 0.2.28 or 1.1.x "
        "into a new database of this stalker; the source is only read.",
    )
    parser.add_argument(
        "--from",
        "--source",
        dest="source",
        default=os.environ.get("STALKER_LEGACY_SOURCE_URL") or None,
        help="URL of the original's database (default: $STALKER_LEGACY_SOURCE_URL)",
    )
    parser.add_argument(
        "--to",
        "--target",
        dest="target",
        default=os.environ.get("STALKER_DATABASE_URL") or None,
        help="URL of the new, empty database (default: $STALKER_DATABASE_URL)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The ``move-legacy`` command: move, print the report, 0 when all went well."""
    options = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if not options.source or not options.target:
        print("error: both --from URL and --to URL are needed", file=sys.stderr)
        return 2
    try:
        report = move_legacy(options.source, options.target)
    except (ValueError, TypeError, SQLAlchemyError) as error:
        # A database error's text carries every parameter: its first line says it.
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    print(report.as_table())
    return 0
