"""Adapter between the database and the native engine.

Reads the studio's figures into a :class:`Calendar` and the tasks' start/end
constraints with one set-based query; the rest of the input is
:func:`gather_schedule_data`, the same rows the TaskJuggler backend writes.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

import stalker
from stalker.scheduling.data import ScheduleData, table
from stalker.scheduling.engine import Calendar

START, END = 1, 2  # bits of Task.schedule_constraint (CONSTRAIN_START/END)

Constraints = dict[int, tuple[datetime.datetime | None, datetime.datetime | None]]


def studio_calendar(studio: Any, data: ScheduleData | None = None) -> Calendar:
    """The studio's horizon, ``now``, resolution and weekly working hours.

    The hours are meant in ``Studio.timezone``; the users with a
    ``User.timezone`` of their own (from ``data``, else one query) work the
    same hours in their zone.
    """
    working_hours = studio.working_hours
    return Calendar(
        start=studio.start,
        end=studio.end,
        now=studio.now,
        working_hours=[working_hours[day] for day in stalker.defaults.day_order],
        resolution=studio.timing_resolution or stalker.defaults.timing_resolution,
        daily_working_hours=float(studio.daily_working_hours),
        timezone=studio.timezone,
        resource_timezones=(
            dict(data.timezones) if data is not None else _user_zones(studio)
        ),
    )


def _user_zones(studio: Any) -> dict[int, str]:
    """``user id -> User.timezone`` of the users with a zone of their own."""
    session = object_session(studio)
    if session is None:
        return {}
    users = table("Users")
    query = select(users.c.id, users.c.timezone).where(users.c.timezone.is_not(None))
    return {user_id: zone for user_id, zone in session.execute(query)}


def gather_constraints(session: Any, data: ScheduleData) -> Constraints:
    """``task id -> (pinned start, pinned end)`` of the constrained tasks."""
    tasks = table("Tasks")
    if not data.project_ids:
        return {}
    query = select(
        tasks.c.id, tasks.c.schedule_constraint, tasks.c.start, tasks.c.end
    ).where(tasks.c.project_id.in_(data.project_ids), tasks.c.schedule_constraint > 0)
    constraints: Constraints = {}
    for task_id, constraint, start, end in session.execute(query):
        constraints[task_id] = (
            start if constraint & START else None,
            end if constraint & END else None,
        )
    return constraints
