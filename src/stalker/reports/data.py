"""The report's input: the scheduler's plain rows plus a native plan of them.

The report explains *why* each task starts when it does, which only the native
engine knows, so it plans the gathered rows again (nothing is written) and
adds names, statuses and users with a few set-based queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

import stalker
from stalker.scheduling.changes import TaskChange
from stalker.scheduling.data import ScheduleData, gather_schedule_data, table
from stalker.scheduling.engine import Calendar, Plan, schedule

UTC = datetime.timezone.utc


@dataclass
class ReportRows:
    """Everything the HTML builder reads; no ORM object, no session."""

    title: str
    data: ScheduleData
    plan: Plan
    calendar: Calendar
    statuses: dict[int, str] = field(default_factory=dict)
    users: dict[int, tuple[str, str]] = field(default_factory=dict)
    projects: dict[int, tuple[str, str]] = field(default_factory=dict)
    today: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(UTC))
    #: What the last stored run moved (``Studio.last_schedule_changes``), and when.
    moved: list[TaskChange] = field(default_factory=list)
    moved_at: datetime.datetime | None = None


def default_calendar(now: datetime.datetime) -> Calendar:
    """The defaults' working week over two years, for a database without a Studio."""
    defaults = stalker.defaults
    start = now - datetime.timedelta(days=180)
    return Calendar(
        start=start,
        end=now + datetime.timedelta(days=730),
        now=now,
        working_hours=[defaults.working_hours[day] for day in defaults.day_order],
        resolution=defaults.timing_resolution,
        daily_working_hours=float(defaults.daily_working_hours),
    )


def studio_calendar_of(
    session: Any, now: datetime.datetime | None, data: ScheduleData | None = None
) -> Calendar:
    """The database's studio calendar (the defaults without a studio).

    ``now`` is set on the loaded studio only (it is not persisted); ``data``
    gives the users' own zones without another query.
    """
    from stalker.models.studio import Studio
    from stalker.scheduling.native import studio_calendar

    studio = session.scalars(select(Studio).order_by(Studio.id)).first()
    if studio is None:
        return default_calendar(now or datetime.datetime.now(UTC))
    if now is not None:
        studio.now = now  # not persisted: the ORM object only
    return studio_calendar(studio, data)


def _statuses(session: Any, ids: Sequence[int]) -> dict[int, str]:
    tasks, statuses = table("Tasks"), table("Statuses")
    query = (
        select(tasks.c.id, statuses.c.code)
        .join(statuses, statuses.c.id == tasks.c.status_id)
        .where(tasks.c.project_id.in_(ids))
    )
    return dict(session.execute(query).all())


def _users(session: Any) -> dict[int, tuple[str, str]]:
    users, entities = table("Users"), table("SimpleEntities")
    query = select(users.c.id, entities.c.name, users.c.login).join(
        entities, entities.c.id == users.c.id
    )
    return {user_id: (name, login) for user_id, name, login in session.execute(query)}


def _projects(session: Any, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    projects, entities = table("Projects"), table("SimpleEntities")
    query = (
        select(projects.c.id, projects.c.code, entities.c.name)
        .join(entities, entities.c.id == projects.c.id)
        .where(projects.c.id.in_(ids))
    )
    return {pid: (code, name) for pid, code, name in session.execute(query)}


def gather_report_rows(
    session: Any,
    project_ids: Sequence[int] | None = None,
    title: str = "",
    now: datetime.datetime | None = None,
) -> ReportRows:
    """Rows and a fresh native plan of ``project_ids`` (default: every project).

    ``now`` plans from that moment instead of the studio's (the current time).
    """
    from stalker.scheduling.native import gather_constraints

    data = gather_schedule_data(session, project_ids)
    calendar = studio_calendar_of(session, now, data)
    plan = schedule(data, calendar, gather_constraints(session, data))
    projects = _projects(session, data.project_ids)
    if not title:
        codes = [projects[pid][0] for pid in data.project_ids if pid in projects]
        title = ", ".join(codes) if len(codes) <= 3 else f"{len(codes)} projects"
    moved, moved_at = last_changes(session, data.scheduled_task_ids())
    return ReportRows(
        title=title,
        data=data,
        plan=plan,
        calendar=calendar,
        statuses=_statuses(session, data.project_ids),
        users=_users(session),
        projects=projects,
        moved=moved,
        moved_at=moved_at,
    )


def last_changes(
    session: Any, task_ids: set[int]
) -> tuple[list[TaskChange], datetime.datetime | None]:
    """The studio's last kept changes among ``task_ids``, and when it scheduled.

    One query.  Rows that do not read back as changes (edited by hand, from
    another version) are left out rather than failing the whole report.
    """
    studios = table("Studios")
    query = select(studios.c.last_schedule_changes, studios.c.last_scheduled_at)
    row = session.execute(query.order_by(studios.c.id).limit(1)).first()
    if row is None or not isinstance(row[0], list):
        return [], None
    changes = []
    for item in row[0]:
        try:
            change = TaskChange.from_json(item)
        except (KeyError, TypeError, ValueError):
            continue
        if change.task_id in task_ids:
            changes.append(change)
    return changes, row[1]
