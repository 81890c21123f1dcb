"""Plain rows for ``stalker tasks`` and ``stalker projects`` (Core selects).

A few set-based queries whatever the number of tasks: listing a studio must
not load every task as an ORM object.  The dictionaries built here are the
documented ``--json`` output, so their keys only ever grow.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from stalker.scheduling.data import table


def iso_utc(moment: datetime.datetime | None) -> str | None:
    """A stored moment as ISO 8601 in UTC (naive ones are UTC), for JSON."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.isoformat()


def project_ids_by_code(session: Any, codes: Sequence[str]) -> list[int]:
    """The ids of the projects with these codes; an unknown code is a ValueError."""
    projects = table("Projects")
    found = dict(
        session.execute(
            select(projects.c.code, projects.c.id).where(projects.c.code.in_(codes))
        ).all()
    )
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValueError(f"no Project with the code {', '.join(map(repr, missing))}")
    return [found[code] for code in codes]


def project_rows(session: Any) -> list[dict[str, Any]]:
    """Every project: id, code, name, status code, start, end, task count."""
    projects, entities = table("Projects"), table("SimpleEntities")
    statuses, tasks = table("Statuses"), table("Tasks")
    counts = dict(
        session.execute(
            select(tasks.c.project_id, func.count()).group_by(tasks.c.project_id)
        ).all()
    )
    query = (
        select(
            projects.c.id,
            projects.c.code,
            entities.c.name,
            statuses.c.code,
            projects.c.start,
            projects.c.end,
        )
        .join(entities, entities.c.id == projects.c.id)
        .outerjoin(statuses, statuses.c.id == projects.c.status_id)
        .order_by(projects.c.code)
    )
    return [
        {
            "id": project_id,
            "code": code,
            "name": name,
            "status": status,
            "start": iso_utc(start),
            "end": iso_utc(end),
            "task_count": counts.get(project_id, 0),
        }
        for project_id, code, name, status, start, end in session.execute(query)
    ]


def _logins_by_task(session: Any, task_ids: set[int] | None) -> dict[int, list[str]]:
    link, users = table("Task_Resources"), table("Users")
    query = (
        select(link.c.task_id, users.c.login)
        .join(users, users.c.id == link.c.resource_id)
        .order_by(link.c.task_id, users.c.login)
    )
    logins: dict[int, list[str]] = defaultdict(list)
    for task_id, login in session.execute(query):
        if task_ids is None or task_id in task_ids:
            logins[task_id].append(login)
    return logins


def task_rows(
    session: Any,
    login: str | None = None,
    project_code: str | None = None,
    status_codes: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Tasks (of a user, a project, some statuses), in project and id order."""
    tasks, entities = table("Tasks"), table("SimpleEntities")
    statuses, projects = table("Statuses"), table("Projects")
    query = (
        select(
            tasks.c.id,
            entities.c.name,
            tasks.c.parent_id,
            projects.c.code,
            statuses.c.code,
            tasks.c.start,
            tasks.c.end,
            tasks.c.schedule_timing,
            tasks.c.schedule_unit,
            tasks.c.schedule_model,
            tasks.c.priority,
        )
        .join(entities, entities.c.id == tasks.c.id)
        .join(projects, projects.c.id == tasks.c.project_id)
        .outerjoin(statuses, statuses.c.id == tasks.c.status_id)
        .order_by(projects.c.code, tasks.c.id)
    )
    if project_code is not None:
        project_ids_by_code(session, [project_code])  # refuse an unknown code
        query = query.where(projects.c.code == project_code)
    if status_codes:
        query = query.where(statuses.c.code.in_(list(status_codes)))
    if login is not None:
        query = query.where(tasks.c.id.in_(_task_ids_of(session, login)))
    rows = session.execute(query).all()
    names = {row[0]: (row[1], row[2]) for row in rows}
    _add_ancestor_names(session, names)
    logins = _logins_by_task(session, {row[0] for row in rows})
    return [
        {
            "id": task_id,
            "name": name,
            "path": _path(names, task_id, code),
            "project": code,
            "parent_id": parent_id,
            "status": status,
            "start": iso_utc(start),
            "end": iso_utc(end),
            "schedule_timing": float(timing) if timing is not None else None,
            "schedule_unit": str(unit) if unit is not None else None,
            "schedule_model": str(model) if model is not None else None,
            "priority": priority,
            "resources": logins.get(task_id, []),
        }
        for (
            task_id,
            name,
            parent_id,
            code,
            status,
            start,
            end,
            timing,
            unit,
            model,
            priority,
        ) in rows
    ]


def _task_ids_of(session: Any, login: str) -> Any:
    """A subquery of the ids of the tasks ``login`` is a resource of."""
    users, link = table("Users"), table("Task_Resources")
    user_id = session.scalar(select(users.c.id).where(users.c.login == login))
    if user_id is None:
        raise ValueError(f"no User with the login {login!r}")
    return select(link.c.task_id).where(link.c.resource_id == user_id)


def _add_ancestor_names(session: Any, names: dict[int, tuple[str, int | None]]) -> None:
    """Load the parents missing from ``names`` (one query per tree level)."""
    tasks, entities = table("Tasks"), table("SimpleEntities")
    missing = _missing_parents(names)
    while missing:
        query = (
            select(tasks.c.id, entities.c.name, tasks.c.parent_id)
            .join(entities, entities.c.id == tasks.c.id)
            .where(tasks.c.id.in_(sorted(missing)))
        )
        for task_id, name, parent_id in session.execute(query):
            names[task_id] = (name, parent_id)
        missing = _missing_parents(names)


def _missing_parents(names: dict[int, tuple[str, int | None]]) -> set[int]:
    return {
        parent
        for _, parent in names.values()
        if parent is not None and parent not in names
    }


def _path(names: dict[int, tuple[str, int | None]], task_id: int, code: str) -> str:
    parts: list[str] = []
    current: int | None = task_id
    while current is not None and current in names:
        name, current = names[current]
        parts.append(name)
    return " / ".join([code, *reversed(parts)])
