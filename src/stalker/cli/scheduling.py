"""``stalker schedule``: run a scheduler with progress, then summarise the plan.

The run is the library's own (``Studio.schedule`` with a NativeScheduler or a
TaskJugglerScheduler), so the command adds only the progress display and a
few set-based queries for the summary.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import func, select

from stalker.cli.listing import iso_utc
from stalker.cli.progress import progress_bar
from stalker.scheduling.data import table


@dataclass
class ScheduleSummary:
    """What a run planned: counts, each project's end, the critical path."""

    engine: str
    tasks: int = 0
    dry_run: bool = False
    project_ends: dict[str, str | None] = field(default_factory=dict)
    critical_tasks: int | None = None
    critical_hours: float | None = None
    critical_end: str | None = None
    seconds: float = 0.0
    #: The tasks the run moved against the stored plan (``scheduler.changes``).
    changes: list[Any] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "dry_run": self.dry_run,
            "tasks_planned": self.tasks,
            "project_ends": self.project_ends,
            "critical_path": None
            if self.critical_tasks is None
            else {
                "tasks": self.critical_tasks,
                "hours": self.critical_hours,
                "ends_with": self.critical_end,
            },
            "seconds": round(self.seconds, 3),
            "changes": [change.as_json() for change in self.changes],
        }


def the_studio(session: Any) -> Any:
    """The database's Studio; scheduling needs its calendar."""
    from stalker.models.studio import Studio

    studio = session.scalars(select(Studio).order_by(Studio.id)).first()
    if studio is None:
        raise ValueError(
            "no Studio in the database: create one (stalker.models.studio.Studio) "
            "to give the scheduler its working hours and horizon"
        )
    return studio


def projects_by_code(session: Any, codes: list[str]) -> list[Any]:
    from stalker.cli.listing import project_ids_by_code
    from stalker.models.project import Project

    ids = project_ids_by_code(session, codes)
    return [session.get(Project, project_id) for project_id in ids]


def make_scheduler(engine: str, projects: list[Any], callback: Any = None) -> Any:
    from stalker.models.schedulers import NativeScheduler, TaskJugglerScheduler

    if engine == "native":
        return NativeScheduler(
            compute_resources=True, projects=projects, callback=callback
        )
    return TaskJugglerScheduler(compute_resources=True, projects=projects)


def run_schedule(
    session: Any,
    codes: list[str],
    engine: str,
    console: Console,
    now: datetime.datetime | None = None,
) -> tuple[Any, float]:
    """Schedule (nothing committed); the scheduler that ran and its seconds."""
    studio = the_studio(session)
    if now is not None:
        studio.now = now
    projects = projects_by_code(session, codes) if codes else []
    columns: list[Any]
    if engine == "native":
        columns = [
            TextColumn("scheduling"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("leaf tasks"),
            TimeElapsedColumn(),
        ]
    else:
        columns = [
            SpinnerColumn(),
            TextColumn("tj3 is scheduling"),
            TimeElapsedColumn(),
        ]
    started = time.perf_counter()
    with progress_bar(console, columns) as advance:
        studio.scheduler = make_scheduler(engine, projects, advance)
        studio.schedule()
    session.flush()
    return studio.scheduler, time.perf_counter() - started


def summarise(session: Any, scheduler: Any, engine: str) -> ScheduleSummary:
    """Counts and ends from the database; criticality from the native plan."""
    data = scheduler.data
    summary = ScheduleSummary(engine)
    if data is None:
        return summary
    summary.tasks = len(data.scheduled_task_ids())
    summary.changes = list(getattr(scheduler, "changes", None) or ())
    tasks, projects = table("Tasks"), table("Projects")
    query = (
        select(projects.c.code, func.max(tasks.c.end))
        .join(tasks, tasks.c.project_id == projects.c.id)
        .where(projects.c.id.in_(data.project_ids))
        .group_by(projects.c.code)
        .order_by(projects.c.code)
    )
    for code, end in session.execute(query):
        summary.project_ends[code] = iso_utc(end)
    plan = getattr(scheduler, "plan", None)
    if plan is not None:
        chain = driving_chain(plan, data)
        summary.critical_tasks = len(chain)
        summary.critical_hours = 0.0
        if chain:
            span = plan.tasks[chain[-1]].end - plan.tasks[chain[0]].start
            summary.critical_hours = round(span.total_seconds() / 3600.0, 2)
            summary.critical_end = data.path_name(chain[-1])
    return summary


def driving_chain(plan: Any, data: Any) -> list[int]:
    """The critical path (see :func:`stalker.scheduling.scenarios.critical_path`)."""
    from stalker.scheduling.scenarios import critical_path

    return critical_path(plan, data)


#: How many moved tasks the table shows (``--json`` lists them all).
SHOWN_CHANGES = 10


def print_changes(console: Console, summary: ScheduleSummary) -> None:
    """The moved tasks, largest end shift first, as a short table."""
    from stalker.scheduling.changes import hours

    changes = summary.changes
    verb = "would move" if summary.dry_run else "moved"
    if not changes:
        console.print(f"since the last plan: no task {verb}")
        return
    console.print(f"since the last plan: {len(changes)} tasks {verb}")
    table = Table("task", "new start", "start", "end", "why")
    for change in changes[:SHOWN_CHANGES]:
        table.add_row(
            change.path,
            change.new_start.strftime("%Y-%m-%d %H:%M"),
            f"{hours(change.start_shift):+g} h",
            f"{hours(change.end_shift):+g} h",
            change.why,
        )
    console.print(table)
    if len(changes) > SHOWN_CHANGES:
        console.print(f"... and {len(changes) - SHOWN_CHANGES} more (--json: all)")


# -- stalker scenario ---------------------------------------------------------------

_UNIT_SUFFIXES = ("min", "h", "d", "w", "m", "y")


class OverrideError(ValueError):
    """A malformed ``stalker scenario`` option (shown as a usage error)."""

    def __init__(self, option: str, expected: str, given: str) -> None:
        super().__init__(f"{option} should be {expected}, not {given!r}")
        self.option = option


def _split(option: str, text: str, expected: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise OverrideError(option, expected, text)
    return key.strip(), value.strip()


def _task_id(option: str, key: str, text: str, expected: str) -> int:
    if not key.isdigit():
        raise OverrideError(option, expected, text)
    return int(key)


def _effort(text: str) -> tuple[int, float | tuple[float, str]]:
    expected = "TASK_ID=TIMING[UNIT] (e.g. 42=20 or 42=3d)"
    key, value = _split("--effort", text, expected)
    task = _task_id("--effort", key, text, expected)
    unit = next((u for u in _UNIT_SUFFIXES if value.endswith(u)), "")
    number = value[: len(value) - len(unit)] if unit else value
    try:
        timing = float(number)
    except ValueError:
        raise OverrideError("--effort", expected, text) from None
    return task, (timing, unit) if unit else timing


def _moment(option: str, text: str, value: str, expected: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise OverrideError(option, expected, text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def parse_overrides(
    efforts: list[str],
    priorities: list[str],
    adds: list[str],
    removes: list[str],
    deadlines: list[str],
    vacations: list[str],
) -> dict[str, Any]:
    """The options as Scenario overrides; users stay logins (see resolve_logins)."""
    overrides: dict[str, Any] = {"efforts": dict(_effort(t) for t in efforts)}
    expected = "TASK_ID=PRIORITY (e.g. 42=900)"
    overrides["priorities"] = {}
    for text in priorities:
        key, value = _split("--priority", text, expected)
        if not value.lstrip("-").isdigit():
            raise OverrideError("--priority", expected, text)
        overrides["priorities"][_task_id("--priority", key, text, expected)] = int(
            value
        )
    for option, name, given in (
        ("--add", "add_resources", adds),
        ("--remove", "remove_resources", removes),
    ):
        expected = "TASK_ID=LOGIN (e.g. 42=bob)"
        overrides[name] = {}
        for text in given:
            key, login = _split(option, text, expected)
            task = _task_id(option, key, text, expected)
            overrides[name].setdefault(task, []).append(login)
    expected = "TASK_ID=ISO (e.g. 42=2030-01-10T18:00)"
    overrides["deadlines"] = {}
    for text in deadlines:
        key, value = _split("--deadline", text, expected)
        task = _task_id("--deadline", key, text, expected)
        overrides["deadlines"][task] = _moment("--deadline", text, value, expected)
    expected = "LOGIN=START/END, LOGIN * for everyone (e.g. bob=2030-01-07/2030-01-14)"
    overrides["vacations"] = []
    for text in vacations:
        login, value = _split("--vacation", text, expected)
        start, sep, end = value.partition("/")
        if not sep:
            raise OverrideError("--vacation", expected, text)
        overrides["vacations"].append(
            (
                None if login == "*" else login,
                _moment("--vacation", text, start, expected),
                _moment("--vacation", text, end, expected),
            )
        )
    return overrides


def resolve_logins(session: Any, overrides: dict[str, Any]) -> dict[str, Any]:
    """Logins to user ids, with one query; an unknown login is a ValueError."""
    users = table("Users")
    logins = {
        login
        for name in ("add_resources", "remove_resources")
        for names in overrides[name].values()
        for login in names
    } | {login for login, _s, _e in overrides["vacations"] if login is not None}
    query = select(users.c.login, users.c.id).where(users.c.login.in_(sorted(logins)))
    ids = dict(session.execute(query).all())
    missing = sorted(logins - set(ids))
    if missing:
        raise ValueError(f"no User with the login {missing[0]!r}")
    resolved = dict(overrides)
    for name in ("add_resources", "remove_resources"):
        resolved[name] = {
            task: [ids[login] for login in names]
            for task, names in overrides[name].items()
        }
    resolved["vacations"] = [
        (None if login is None else ids[login], start, end)
        for login, start, end in overrides["vacations"]
    ]
    return resolved


def run_scenario(
    session: Any,
    codes: list[str],
    overrides: dict[str, Any],
    now: datetime.datetime | None = None,
) -> tuple[Any, Any]:
    """Plan "as is" and "what if" (nothing written); both scenarios side by side."""
    from stalker.scheduling.scenarios import Scenario, compare

    studio = the_studio(session)
    if now is not None:
        studio.now = now
    projects = projects_by_code(session, codes) if codes else None
    as_is = Scenario(studio, "as is", projects=projects, compute_resources=True)
    what_if = as_is.variant("what if", **resolve_logins(session, overrides))
    return what_if, compare(as_is, what_if)


def print_comparison(console: Console, comparison: Any) -> None:
    """The comparison's rows as a table (first row: the column names)."""
    header, *rows = comparison.rows()
    table = Table(*(name or "" for name in header))
    for row in rows:
        table.add_row(*row)
    console.print(table)
