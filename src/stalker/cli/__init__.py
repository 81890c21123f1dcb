"""The ``stalker`` command: set up, schedule, list and report from a shell.

Built on click (arguments, help, the test runner) and rich (tables and
progress).  Every subcommand does its work through the library's public
functions; errors end the command with one line on stderr and exit code 1
(2 for a usage error), the traceback only with ``--debug``.
"""

from __future__ import annotations

import datetime
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from stalker.cli.database import SOURCES_HELP, DatabaseChoice, choose_database, connect

__all__ = ["cli", "main"]

_PASSTHROUGH = (click.exceptions.Exit, click.ClickException, click.Abort)


class _Group(click.Group):
    """A group that turns an unexpected error into one line on stderr."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _PASSTHROUGH:
            raise
        except Exception as error:
            if ctx.find_root().params.get("debug"):
                raise
            raise click.ClickException(one_line(error)) from error


def one_line(error: BaseException) -> str:
    """The error's type and first line (SQLAlchemy adds SQL and links below)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else 'failed'}"


def _choice(ctx: click.Context) -> DatabaseChoice:
    return choose_database(ctx.find_root().params.get("url"))


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


NOW_HELP = (
    "Plan from this moment (ISO 8601, UTC when no offset) instead of the "
    "current time: nothing is planned before it."
)


def parse_now(text: str | None) -> datetime.datetime | None:
    """``--now``: an ISO 8601 moment, naive ones taken as UTC."""
    if text is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"should be an ISO 8601 date and time, not {text!r}", param_hint="--now"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def _json_out(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@click.group(cls=_Group, help=f"Stalker production tracking. {SOURCES_HELP}")
@click.option(
    "--url",
    metavar="URL",
    help="SQLAlchemy database URL (else $STALKER_DATABASE_URL, see above).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.version_option(package_name="stalker-pam", prog_name="stalker")
def cli(url: str | None, debug: bool) -> None:
    """The options are read by the subcommands through the context."""


# -- schema ---------------------------------------------------------------------


@cli.command(help=f"Create the schema, default data and first admin. {SOURCES_HELP}")
@click.pass_context
def init(ctx: click.Context) -> None:
    """Idempotent: db.setup stamps a new database, db.init adds only what lacks."""
    from stalker import db

    choice = _choice(ctx)
    connect(choice)
    db.init()  # prints a generated admin password to stderr, once
    from stalker.migrations import runner

    revision = runner.current(choice.settings)
    click.echo(f"database ready: {choice.shown_url} (revision {revision})")


@cli.group(cls=_Group, help=f"Upgrade and inspect the schema. {SOURCES_HELP}")
def db() -> None:
    """Delegates to stalker.migrations.runner, as python -m stalker.migrations."""


@db.command(help=f"Upgrade the schema to REVISION (default head). {SOURCES_HELP}")
@click.argument("revision", default="head")
@click.pass_context
def upgrade(ctx: click.Context, revision: str) -> None:
    from stalker.migrations import runner

    choice = _choice(ctx)
    runner.upgrade(choice.settings, revision)
    click.echo(f"database at {runner.current(choice.settings)}")


@db.command(help=f"Print the revision the database is at. {SOURCES_HELP}")
@click.pass_context
def current(ctx: click.Context) -> None:
    from stalker.migrations import runner

    revision = runner.current(_choice(ctx).settings)
    click.echo(revision or "(no revision: not a stalker database)")


@db.command(help="List the schema revisions of this stalker, oldest first.")
def history() -> None:
    from stalker.migrations import runner

    for info in runner.history():
        click.echo(
            f"{info.down_revision or '<base>'} -> {info.revision}: {info.message}"
        )


# -- scheduling -----------------------------------------------------------------


@cli.command(
    help="Plan the studio's tasks and write the dates (nothing with --dry-run). "
    + SOURCES_HELP
)
@click.option("--studio", "whole_studio", is_flag=True, help="Every project (default).")
@click.option(
    "--project",
    "codes",
    multiple=True,
    metavar="CODE",
    help="Only this project (repeat).",
)
@click.option(
    "--engine",
    type=click.Choice(["native", "tj3"]),
    default="native",
    show_default=True,
)
@click.option("--dry-run", is_flag=True, help="Compute and summarise, write nothing.")
@click.option("--now", "now", metavar="ISO", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="The summary as JSON.")
@click.pass_context
def schedule(
    ctx: click.Context,
    whole_studio: bool,
    codes: Sequence[str],
    engine: str,
    dry_run: bool,
    now: str | None,
    as_json: bool,
) -> None:
    from stalker.cli.scheduling import run_schedule, summarise

    if whole_studio and codes:
        raise click.UsageError("give --studio or --project, not both")
    session = connect(_choice(ctx))
    console = Console(stderr=True)
    try:
        scheduler, seconds = run_schedule(
            session, list(codes), engine, console, parse_now(now)
        )
        summary = summarise(session, scheduler, engine)
    except BaseException:
        session.rollback()
        raise
    summary.seconds, summary.dry_run = seconds, dry_run
    if dry_run:
        session.rollback()
    else:
        session.commit()
    if as_json:
        _json_out(summary.as_json())
        return
    _print_summary(summary)


def _print_summary(summary: Any) -> None:
    from stalker.cli.scheduling import print_changes

    console = _console()
    verb = "would plan" if summary.dry_run else "planned"
    console.print(
        f"{summary.engine}: {verb} {summary.tasks} tasks in {summary.seconds:.1f} s"
        + (" (dry run: nothing written)" if summary.dry_run else "")
    )
    table = Table("project", "end")
    for code, end in summary.project_ends.items():
        table.add_row(code, end or "-")
    console.print(table)
    if summary.critical_tasks is None:
        console.print("critical path: only the native engine computes it")
    else:
        console.print(
            f"critical path: {summary.critical_tasks} tasks, "
            f"{summary.critical_hours:g} hours from first start to last end, "
            f"ending with {summary.critical_end or '-'}"
        )
    print_changes(console, summary)


@cli.command(
    help="What if? Plan the studio as is and with the given changes, side by side "
    "(project ends, critical paths, missed deadlines, moved tasks); nothing is "
    "written unless --apply. Tasks are ids (see `stalker tasks --json`), users "
    f"logins. {SOURCES_HELP}"
)
@click.option("--project", "codes", multiple=True, metavar="CODE", help="(repeat)")
@click.option("--effort", multiple=True, metavar="ID=TIMING[UNIT]", help="42=3d")
@click.option("--priority", multiple=True, metavar="ID=N", help="42=900")
@click.option("--add", multiple=True, metavar="ID=LOGIN", help="Add a resource.")
@click.option("--remove", multiple=True, metavar="ID=LOGIN", help="Remove one.")
@click.option("--deadline", multiple=True, metavar="ID=ISO", help="Check an end.")
@click.option(
    "--vacation", multiple=True, metavar="LOGIN=START/END", help="LOGIN * for all."
)
@click.option("--now", "now", metavar="ISO", help=NOW_HELP)
@click.option("--apply", "apply_", is_flag=True, help="Store the what-if plan.")
@click.option("--json", "as_json", is_flag=True, help="The comparison as JSON.")
@click.pass_context
def scenario(ctx: click.Context, codes: Sequence[str], **options: Any) -> None:
    from stalker.cli.scheduling import (
        OverrideError,
        parse_overrides,
        print_comparison,
        run_scenario,
    )

    try:
        overrides = parse_overrides(
            list(options["effort"]),
            list(options["priority"]),
            list(options["add"]),
            list(options["remove"]),
            list(options["deadline"]),
            list(options["vacation"]),
        )
    except OverrideError as error:
        raise click.BadParameter(str(error), param_hint=error.option) from None
    session = connect(_choice(ctx))
    try:
        what_if, comparison = run_scenario(
            session, list(codes), overrides, parse_now(options["now"])
        )
        if options["apply_"]:
            what_if.apply()
            session.commit()
    finally:
        session.rollback()
    if options["as_json"]:
        _json_out({**comparison.as_json(), "applied": options["apply_"]})
        return
    console = _console()
    print_comparison(console, comparison)
    if options["apply_"]:
        console.print("applied: the what-if plan is now the stored plan")


# -- listings -------------------------------------------------------------------


@cli.command(help=f"List tasks as a table or JSON. {SOURCES_HELP}")
@click.option("--user", "login", metavar="LOGIN", help="Tasks this user works on.")
@click.option("--project", "code", metavar="CODE", help="Tasks of this project.")
@click.option(
    "--status", "statuses", multiple=True, metavar="CODE", help="e.g. WIP (repeat)."
)
@click.option("--json", "as_json", is_flag=True, help="A JSON list (see README).")
@click.pass_context
def tasks(
    ctx: click.Context,
    login: str | None,
    code: str | None,
    statuses: Sequence[str],
    as_json: bool,
) -> None:
    from stalker.cli.listing import task_rows

    session = connect(_choice(ctx))
    rows = task_rows(session, login, code, statuses)
    session.rollback()
    if as_json:
        _json_out(rows)
        return
    table = Table("id", "path", "status", "start", "end", "effort", "resources")
    for row in rows:
        effort = (
            f"{row['schedule_timing']:g} {row['schedule_unit']}"
            if row["schedule_timing"] is not None
            else ""
        )
        table.add_row(
            str(row["id"]),
            row["path"],
            row["status"] or "",
            (row["start"] or "")[:16],
            (row["end"] or "")[:16],
            effort,
            ", ".join(row["resources"]),
        )
    _console().print(table)


@cli.command(help=f"List projects as a table or JSON. {SOURCES_HELP}")
@click.option("--json", "as_json", is_flag=True, help="A JSON list (see README).")
@click.pass_context
def projects(ctx: click.Context, as_json: bool) -> None:
    from stalker.cli.listing import project_rows

    session = connect(_choice(ctx))
    rows = project_rows(session)
    session.rollback()
    if as_json:
        _json_out(rows)
        return
    table = Table("code", "name", "status", "start", "end", "tasks")
    for row in rows:
        table.add_row(
            row["code"],
            row["name"],
            row["status"] or "",
            (row["start"] or "")[:10],
            (row["end"] or "")[:10],
            str(row["task_count"]),
        )
    _console().print(table)


# -- report ---------------------------------------------------------------------


@cli.command(
    help="Write the HTML schedule report of the projects CODE... (none: the "
    f"studio) to FILE. {SOURCES_HELP}"
)
@click.argument("codes", nargs=-1, metavar="[PROJECT]...")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The .html file to write.",
)
@click.option("--now", "now", metavar="ISO", help=NOW_HELP)
@click.pass_context
def report(
    ctx: click.Context, codes: Sequence[str], output: str, now: str | None
) -> None:
    from stalker.reports import write_report

    session = connect(_choice(ctx))
    started = time.perf_counter()
    try:
        count = write_report(session, output, list(codes), now=parse_now(now))
    finally:
        session.rollback()
    click.echo(
        f"report of {count} tasks written to {output} "
        f"in {time.perf_counter() - started:.1f} s"
    )


# -- import and export ------------------------------------------------------------


@cli.command(
    "import",
    help="Import a shot/asset list (.csv, .tsv) or an edit (.edl, .otio) into "
    "the project CODE; exit code 1 when a row is refused (it writes nothing). "
    f"{SOURCES_HELP}",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--project", "code", required=True, metavar="CODE", help="Target project."
)
@click.option(
    "--dry-run", is_flag=True, help="Report what would happen, write nothing."
)
@click.option("--sequence", metavar="NAME", help="Sequence of an edit's shots.")
@click.option("--fps", "rate", default=24.0, show_default=True, help="An EDL's rate.")
@click.option(
    "--json", "as_json", is_flag=True, help="The report as JSON (see README)."
)
@click.pass_context
def import_(
    ctx: click.Context,
    path: str,
    code: str,
    dry_run: bool,
    sequence: str | None,
    rate: float,
    as_json: bool,
) -> None:
    from pathlib import Path

    from stalker.cli.interchange import report_as_json, run_import

    session = connect(_choice(ctx))
    console = Console(stderr=True, highlight=False)
    report = run_import(
        session,
        Path(path),
        code,
        dry_run=dry_run,
        sequence=sequence,
        rate=rate,
        console=console,
    )
    if as_json:
        _json_out(report_as_json(report))
    else:
        _print_import(report)
    if report.refused:
        ctx.exit(1)


def _print_import(report: Any) -> None:
    verb = "would be" if report.dry_run else "were"
    click.echo(
        f"{report.rows} rows: {len(report.created)} created, "
        f"{len(report.updated)} changes, {len(report.unchanged)} unchanged, "
        f"{len(report.refused)} refused ({verb} written)"
    )
    for change in report.updated:
        click.echo(
            f"  changed {change.entity}.{change.attribute}: "
            f"{change.old} -> {change.new}"
        )
    for refusal in report.refused:
        click.echo(f"  row {refusal.row}, {refusal.column}: {refusal.reason}", err=True)


@cli.command(
    help="Export the projects CODE... (none: the studio) to a JSON file, or "
    f"with --csv to a folder of one CSV per entity type. {SOURCES_HELP}"
)
@click.argument("codes", nargs=-1, metavar="[PROJECT]...")
@click.option(
    "-o", "--output", required=True, type=click.Path(), help="File or folder."
)
@click.option("--csv", "as_csv", is_flag=True, help="CSV files instead of JSON.")
@click.pass_context
def export(ctx: click.Context, codes: Sequence[str], output: str, as_csv: bool) -> None:
    from pathlib import Path

    from stalker.cli.interchange import run_export

    session = connect(_choice(ctx))
    console = Console(stderr=True, highlight=False)
    try:
        written = run_export(session, list(codes), Path(output), as_csv, console)
    finally:
        session.rollback()
    click.echo(f"exported to {', '.join(str(path) for path in written)}")


from stalker.cli import cost as _cost  # noqa: E402, F401 (registers ``stalker cost``)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: run the command, return its exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="stalker")
    except SystemExit as exit_:
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
