"""``stalker import`` and ``stalker export``: the interchange functions, with progress.

The work is ``stalker.interchange``'s; the command picks the importer by the
file's extension, shows a progress bar fed by the functions' ``progress``
callback, and reports what was created, changed and refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn

from stalker.cli.progress import progress_bar
from stalker.cli.scheduling import projects_by_code

#: Extensions read as shot lists; the others are edits (OpenTimelineIO).
SHOT_LIST_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
EDIT_SUFFIXES = frozenset({".edl", ".otio", ".otioz"})


def _columns(label: str) -> list[Any]:
    return [TextColumn(label), BarColumn(), MofNCompleteColumn()]


def run_import(
    session: Any,
    path: Path,
    project_code: str,
    *,
    dry_run: bool,
    sequence: str | None,
    rate: float,
    console: Console,
) -> Any:
    """Import ``path`` into the project; the ImportReport."""
    from stalker.interchange import import_shot_list, import_timeline

    suffix = path.suffix.lower()
    if suffix not in SHOT_LIST_SUFFIXES | EDIT_SUFFIXES:
        known = ", ".join(sorted(SHOT_LIST_SUFFIXES | EDIT_SUFFIXES))
        raise ValueError(f"{path.name}: unknown kind of file (expected {known})")
    (project,) = projects_by_code(session, [project_code])
    with progress_bar(console, _columns(f"importing {path.name}")) as progress:
        if suffix in SHOT_LIST_SUFFIXES:
            return import_shot_list(
                path, project, dry_run=dry_run, progress=progress, session=session
            )
        return import_timeline(
            path,
            project,
            sequence=sequence,
            rate=rate,
            dry_run=dry_run,
            progress=progress,
            session=session,
        )


def report_as_json(report: Any) -> dict[str, Any]:
    """The ImportReport as stable JSON (documented in the README)."""
    return {
        "dry_run": report.dry_run,
        "rows": report.rows,
        "created": list(report.created),
        "updated": [
            {
                "entity": change.entity,
                "attribute": change.attribute,
                "old": _plain(change.old),
                "new": _plain(change.new),
            }
            for change in report.updated
        ],
        "unchanged": list(report.unchanged),
        "refused": [
            {"row": refusal.row, "column": refusal.column, "reason": refusal.reason}
            for refusal in report.refused
        ],
        "ignored_columns": list(report.ignored_columns),
    }


def _plain(value: Any) -> Any:
    return (
        value if value is None or isinstance(value, (bool, int, float)) else str(value)
    )


def run_export(
    session: Any, codes: list[str], output: Path, as_csv: bool, console: Console
) -> list[Path]:
    """Export the projects (none: the studio) to JSON or a folder of CSV files."""
    from stalker.interchange import export_project, write_csv, write_json

    projects = projects_by_code(session, codes) if codes else None
    with progress_bar(console, _columns("exporting")) as progress:
        data = export_project(projects, session=session, progress=progress)
    if as_csv:
        return write_csv(data, output)
    return [write_json(data, output)]
