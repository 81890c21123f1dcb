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
