"""Turn :class:`ReportRows` into the compact JSON the page draws from.

Tasks are arrays, not objects, and times are minutes since the epoch: a
15 000-task studio stays a few megabytes and parses in milliseconds.  The
why-texts are written here, in Python, so they can be tested without a
browser.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from stalker.reports.data import ReportRows
from stalker.scheduling.engine import TaskPlan, as_utc

WEEK = datetime.timedelta(days=7)
#: The column order of a task array in the page's data.
TASK_FIELDS = (
    "id",
    "parent",
    "project",
    "name",
    "start",
    "end",
    "status",
    "critical",
    "slack_h",
    "why",
    "resources",
    "effort",
    "done_h",
    "planned_h",
    "depth",
)


def minutes(moment: datetime.datetime) -> int:
    """Minutes since the epoch (UTC)."""
    return int(as_utc(moment).timestamp() // 60)


def _hours(span: datetime.timedelta) -> float:
    return span.total_seconds() / 3600.0


def why_text(rows: ReportRows, plan: TaskPlan) -> str:
    """Why the task starts when it does, from the engine's reason."""
    data = rows.data
    reason = plan.reason
    if reason == "dependency" and plan.reason_task_id is not None:
        return f"waits for its dependency {data.path_name(plan.reason_task_id)}"
    if reason == "resource":
        names = [
            rows.users.get(user_id, (f"user {user_id}", ""))[0]
            for user_id in data.resources.get(plan.task_id, ())
        ]
        return f"waits for a busy or absent resource ({', '.join(names)})"
    return {
        "now": "starts now: nothing is planned in the past",
        "constraint": "its start or end is pinned (schedule constraint)",
        "booking": "work is already logged on it (time logs)",
        "calendar": "waits for working hours (studio calendar)",
        "project_start": "starts with the project: nothing holds it back",
    }.get(reason, reason)


def _effort(rows: ReportRows, task_id: int) -> str:
    row = rows.data.tasks[task_id]
    return f"{row.schedule_timing:g} {row.schedule_unit} {row.schedule_model}"


def _planned_hours(rows: ReportRows, task_id: int) -> float:
    row = rows.data.tasks[task_id]
    calendar = rows.calendar
    if row.schedule_model == "duration":
        amount = calendar.calendar_minutes(row.schedule_timing, row.schedule_unit)
    else:
        amount = calendar.work_minutes(row.schedule_timing, row.schedule_unit)
    return amount / 60.0


def _done_hours(rows: ReportRows) -> dict[int, float]:
    done: dict[int, float] = defaultdict(float)
    for task_id, logs in rows.data.bookings.items():
        for log in logs:
            done[task_id] += _hours(as_utc(log.end) - as_utc(log.start))
    return done


def task_arrays(rows: ReportRows) -> list[list[Any]]:
    """One array per planned task (see TASK_FIELDS), parents before children."""
    data, done = rows.data, _done_hours(rows)
    scheduled = data.scheduled_task_ids()
    depth: dict[int, int] = {}
    arrays = []
    for task_id, plan in rows.plan.tasks.items():
        if task_id not in scheduled:
            continue
        row = data.tasks[task_id]
        depth[task_id] = depth.get(row.parent_id, -1) + 1 if row.parent_id else 0
        leaf = data.is_leaf(task_id)
        arrays.append(
            [
                task_id,
                row.parent_id or 0,
                row.project_id,
                data.names.get(task_id, f"Task {task_id}"),
                minutes(plan.start),
                minutes(plan.end),
                rows.statuses.get(task_id, ""),
                1 if plan.critical else 0,
                round(_hours(plan.slack), 2),
                why_text(rows, plan),
                list(data.resources.get(task_id, ())) if leaf else [],
                _effort(rows, task_id) if leaf else "",
                round(done.get(task_id, 0.0), 2),
                round(_planned_hours(rows, task_id), 2) if leaf else 0,
                depth[task_id],
            ]
        )
    return arrays


def _monday(moment: datetime.datetime) -> datetime.datetime:
    day = as_utc(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - datetime.timedelta(days=day.weekday())


def _split_by_week(
    start: datetime.datetime, end: datetime.datetime
) -> list[tuple[datetime.datetime, float]]:
    parts = []
    start, end = as_utc(start), as_utc(end)
    while start < end:
        week = _monday(start)
        stop = min(end, week + WEEK)
        parts.append((week, _hours(stop - start)))
        start = stop
    return parts


def _week_capacity(rows: ReportRows, user_id: int, week: datetime.datetime) -> float:
    """Working hours of the week minus the user's (and everyone's) vacations."""
    hours = rows.calendar.working_hours
    weekly = sum(b - a for ranges in hours for a, b in ranges) / 60.0
    vacations = rows.data.vacations
    lost = 0.0
    for start, end in (*vacations.get(None, ()), *vacations.get(user_id, ())):
        day = max(
            week, as_utc(start).replace(hour=0, minute=0, second=0, microsecond=0)
        )
        while day < min(week + WEEK, as_utc(end)):
            lost += sum(b - a for a, b in hours[day.weekday()]) / 60.0
            day += datetime.timedelta(days=1)
    return max(0.0, weekly - lost)


def resource_load(rows: ReportRows) -> dict[str, Any]:
    """Hours booked per user per week (plan and time logs) and their capacity."""
    booked: dict[int, dict[datetime.datetime, float]] = defaultdict(
        lambda: defaultdict(float)
    )
    for plan in rows.plan.tasks.values():
        for user_id, runs in plan.allocations.items():
            for start, end in runs:
                for week, hours in _split_by_week(start, end):
                    booked[user_id][week] += hours
    weeks = sorted({week for by_week in booked.values() for week in by_week})
    if weeks:
        weeks = [
            weeks[0] + WEEK * i for i in range(int((weeks[-1] - weeks[0]) / WEEK) + 1)
        ]
    users = []
    for user_id in sorted(booked, key=lambda i: rows.users.get(i, ("", ""))[0]):
        by_week = [round(booked[user_id].get(week, 0.0), 2) for week in weeks]
        capacity = [round(_week_capacity(rows, user_id, week), 2) for week in weeks]
        users.append({"user": user_id, "booked": by_week, "capacity": capacity})
    return {"weeks": [minutes(week) for week in weeks], "users": users}


def progress(rows: ReportRows, tasks: list[list[Any]]) -> dict[str, Any]:
    """Percent of the planned leaf hours done (completed leaves count whole)."""
    by_status: dict[str, int] = defaultdict(int)
    planned = done = 0.0
    for task in tasks:
        if not rows.data.is_leaf(task[0]):
            continue
        by_status[task[6] or "-"] += 1
        planned += task[13]
        done += task[13] if task[6] == "CMPL" else min(task[12], task[13])
    percent = round(100.0 * done / planned, 1) if planned else 0.0
    return {"percent": percent, "by_status": dict(sorted(by_status.items()))}


def build_payload(rows: ReportRows) -> dict[str, Any]:
    """The page's data: tasks, time logs, dependencies, load and progress."""
    tasks = task_arrays(rows)
    ids = {task[0] for task in tasks}
    logs = [
        [log.task_id, log.resource_id, minutes(log.start), minutes(log.end)]
        for task_logs in rows.data.bookings.values()
        for log in task_logs
        if log.task_id in ids
    ]
    deps = [
        [dep.task_id, dep.depends_on_id]
        for task_deps in rows.data.dependencies.values()
        for dep in task_deps
        if dep.task_id in ids and dep.depends_on_id in ids
    ]
    return {
        "title": rows.title,
        "generated": minutes(rows.today),
        "today": minutes(rows.calendar.now),
        "fields": list(TASK_FIELDS),
        "tasks": tasks,
        "logs": logs,
        "deps": deps,
        "users": {str(i): [name, login] for i, (name, login) in rows.users.items()},
        "projects": {str(i): [code, name] for i, (code, name) in rows.projects.items()},
        "load": resource_load(rows),
        "progress": progress(rows, tasks),
        "moved": moved_rows(rows),
        "moved_at": minutes(rows.moved_at) if rows.moved_at is not None else None,
    }


def moved_rows(rows: ReportRows) -> list[dict[str, Any]]:
    """The tasks the last run moved: path, old and new dates, shifts and why.

    Dates are minutes since the epoch, like the tasks'; shifts are hours.
    """
    return [
        {
            "id": change.task_id,
            "path": change.path,
            "old_start": minutes(change.old_start),
            "new_start": minutes(change.new_start),
            "old_end": minutes(change.old_end),
            "new_end": minutes(change.new_end),
            "start_shift_h": round(_hours(change.start_shift), 2),
            "end_shift_h": round(_hours(change.end_shift), 2),
            "why": change.why,
        }
        for change in rows.moved
    ]
