"""``stalker cost PROJECT``: the project's cost from a fresh native plan.

The figures are :func:`stalker.reports.cost.cost_report`'s (see its module for
the rules); the command plans without writing, prints the tasks (and with
``--week`` the weeks) with what is over budget, or everything as JSON.
Importing this module registers the command on the ``stalker`` group.
"""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from stalker.cli import NOW_HELP, _choice, _console, _json_out, cli, parse_now
from stalker.cli.database import SOURCES_HELP, connect


@cli.command(
    help="The cost of the project PROJECT (a code) from its plan (hours x rates, "
    f"nothing written) against its budget entries. {SOURCES_HELP}"
)
@click.argument("code", metavar="PROJECT")
@click.option("--json", "as_json", is_flag=True, help="Everything as JSON.")
@click.option("--week", "by_week", is_flag=True, help="Also the cost per ISO week.")
@click.option("--now", "now", metavar="ISO", help=NOW_HELP)
@click.pass_context
def cost(
    ctx: click.Context, code: str, as_json: bool, by_week: bool, now: str | None
) -> None:
    from stalker.cli.listing import project_ids_by_code
    from stalker.reports.cost import cost_report

    session = connect(_choice(ctx))
    try:
        (project_id,) = project_ids_by_code(session, [code])
        report = cost_report(session, project_id, now=parse_now(now))
    finally:
        session.rollback()
    if as_json:
        _json_out(report.as_dict())
        return
    _print_report(report.as_dict(), by_week)


def _print_report(report: dict[str, Any], by_week: bool) -> None:
    console = _console()
    budget = report["budget"]
    console.print(
        f"{report['project']['code']}: cost {report['cost']} (done "
        f"{report['done_cost']}, planned {report['planned_cost']}), budget "
        + (f"{budget}, over by {report['over_by']}" if budget else "none")
    )
    table = Table("task", "done h", "planned h", "cost", "bid", "over by")
    for task in report["tasks"]:
        table.add_row(
            task["path"],
            f"{task['done_hours']:g}",
            f"{task['planned_hours']:g}",
            task["cost"],
            task["bid_cost"] or "-",
            task["over_by"] if task["over_by"] != "0.00" else "",
        )
    console.print(table)
    if report["goods"]:
        _print_goods(report["goods"])
    if by_week:
        _print_weeks(report["weeks"])
    over = [
        t["path"] for t in report["tasks"] if t["id"] in report["over_budget_tasks"]
    ]
    console.print(f"over-budget tasks: {', '.join(over) or 'none'}")
    if budget:
        weeks = report["over_budget_weeks"]
        console.print(f"over-budget weeks: {', '.join(weeks) or 'none'}")
        goods = [g["name"] for g in report["goods"] if g["over_by"] != "0.00"]
        console.print(f"over-budget goods: {', '.join(goods) or 'none'}")


def _print_goods(goods: list[dict[str, Any]]) -> None:
    table = Table("good", "tasks", "budget", "cost", "over by")
    for good in goods:
        table.add_row(
            good["name"],
            str(len(good["tasks"])),
            good["budget"] or "-",
            good["cost"],
            good["over_by"] if good["over_by"] != "0.00" else "",
        )
    _console().print(table)


def _print_weeks(weeks: list[dict[str, Any]]) -> None:
    table = Table("week", "hours", "done", "planned", "cost", "budget", "over by")
    for week in weeks:
        table.add_row(
            week["week"],
            f"{week['hours']:g}",
            week["done_cost"],
            week["planned_cost"],
            week["cost"],
            week["budget"] or "-",
            week["over_by"] if week["over_by"] != "0.00" else "",
        )
    _console().print(table)
