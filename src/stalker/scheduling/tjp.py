"""The TaskJuggler (``.tjp``) text: one function per block, shared by ``to_tjp``.

The model classes' ``to_tjp`` properties and the scheduler's whole-file
generator both call these, so a user's resource block reads the same in
``print(me.to_tjp)`` and in the file tj3 gets.  Every datetime is written in
UTC (tj3 runs with ``TZ=UTC``), and the layout is the normative one of spec
09 §4 and §7.

A studio in another time zone gets a ``timezone`` line, so tj3 reads the
working hours in local time (daylight saving included); tj3 then reads
every date without an offset in that zone too, so the file's dates carry
an explicit ``-+0000`` (``zoned``) and the CSV report is written in UTC.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from stalker.scheduling.data import DependencyRow, ScheduleData, TaskRow

UTC = datetime.timezone.utc
DATE = "%Y-%m-%d"
MINUTE = "%Y-%m-%d-%H:%M"
SECOND = "%Y-%m-%d-%H:%M:%S"
BOOKING = "%Y-%m-%d-%H:%M:00"
INDENT = "    "


#: Zone names that mean UTC; tj3 knows only ``UTC`` itself.
_UTC_NAMES = frozenset(
    {"UTC", "UCT", "Universal", "Zulu", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich"}
)


def utc_text(moment: datetime.datetime, pattern: str, zoned: bool = False) -> str:
    """``moment`` converted to UTC and formatted (naive values are taken as UTC).

    ``zoned`` appends tj3's ``-+0000``: needed once the file sets a zone.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(pattern) + ("-+0000" if zoned else "")


def tj3_time_zone(name: str) -> str | None:
    """The ``timezone`` tj3 gets for an IANA name; None when it means UTC.

    tj3 accepts ``UTC`` and ``Region/City`` names only, so a UTC alias is
    no zone at all and another name without a region is refused here.
    """
    bare = name[4:] if name.startswith("Etc/") else name
    if bare in _UTC_NAMES:
        return None
    if "/" not in name:
        raise ValueError(
            f"Studio.timezone should be a Region/City name that TaskJuggler "
            f"knows (e.g. 'Asia/Tokyo' or 'America/New_York'), not {name!r}"
        )
    return name


def indent(text: str, prefix: str = INDENT) -> str:
    """Every line of ``text`` prefixed (``to_tjp`` blocks nest this way)."""
    return "\n".join(prefix + line for line in text.split("\n"))


def timing(value: float | None, unit: str) -> str:
    """A duration as stored in the Float column: ``10.0d``, ``2.5w``."""
    return f"{float(value or 0.0)}{unit}"


def vacation_line(
    start: datetime.datetime, end: datetime.datetime, zoned: bool = False
) -> str:
    return f"vacation {utc_text(start, SECOND, zoned)} - {utc_text(end, SECOND, zoned)}"


def resource_block(
    user_id: int | None,
    efficiency: float,
    vacations: Iterable[tuple[datetime.datetime, datetime.datetime]] = (),
    zoned: bool = False,
) -> str:
    """``resource User_<id> "User_<id>" {`` with efficiency and vacations."""
    lines = [f'resource User_{user_id} "User_{user_id}" {{']
    lines.append(f"{INDENT}efficiency {efficiency}")
    lines.extend(INDENT + vacation_line(start, end, zoned) for start, end in vacations)
    lines.append("}")
    return "\n".join(lines)


def dependency_text(path: str, target: str, gap: float, unit: str, model: str) -> str:
    """``<path> {<target>[ gap<model> <gap><unit>]}`` (no gap text when 0)."""
    gap_text = f" gap{model} {timing(gap, unit)}" if gap else ""
    return f"{path} {{{target}{gap_text}}}"


def constraint_lines(row: TaskRow, prefix: str, zoned: bool = False) -> list[str]:
    """The pinned dates of a constrained leaf (``Task.to_tjp``'s start/end).

    Without them tj3 would plan over a pinned date and the write-back would
    store its plan in place of the deadline.  A start alone is ``start``, an
    end alone ``end`` (tj3 plans back from it); both pinned are ``start`` and
    ``maxend``, because tj3 refuses a start, an end and an effort together
    and ``maxend`` makes it refuse a plan that ends later, as the native
    engine does.
    """
    lines = []
    if row.pinned_start is not None:
        lines.append(f"{prefix}start {utc_text(row.pinned_start, MINUTE, zoned)}")
    if row.pinned_end is not None:
        keyword = "maxend" if row.pinned_start is not None else "end"
        end = utc_text(row.pinned_end, MINUTE, zoned)
        lines.append(f"{prefix}{keyword} {end}")
    return lines


def allocation_text(
    resources: Sequence[int],
    alternatives: Sequence[int],
    strategy: str,
    persistent: bool,
) -> str:
    """``User_1, User_2`` with the alternatives block repeated after each one."""
    options = ""
    if alternatives:
        names = ", ".join(f"User_{user_id}" for user_id in alternatives)
        options = f" {{ alternative {names} select {strategy}"
        options += " persistent }" if persistent else " }"
    return ", ".join(f"User_{user_id}{options}" for user_id in resources)


class TasksBuffer:
    """Writes the ``# tasks`` section (spec 09 §4.2) from :class:`ScheduleData`."""

    def __init__(self, data: ScheduleData, zoned: bool = False) -> None:
        self.data = data
        self.zoned = zoned
        self.lines: list[str] = []

    def render(self) -> str:
        for project_id in self.data.project_ids:
            self.lines.append(f'task Project_{project_id} "Project_{project_id}" {{')
            for task_id in self.data.roots.get(project_id, ()):
                self._task(self.data.tasks[task_id], 1)
            self.lines.append("}")
        return "\n".join(self.lines)

    def _task(self, row: TaskRow, depth: int) -> None:
        outer, inner = "  " * depth, "  " * (depth + 1)
        data, lines = self.data, self.lines
        lines.append(f'{outer}task Task_{row.id} "Task_{row.id}" {{')
        if row.priority != 500:
            lines.append(f"{inner}priority {row.priority}")
        dependencies = data.dependencies.get(row.id)
        if dependencies:
            lines.append(f"{inner}depends {self._depends(dependencies)}")
        resources = data.resources.get(row.id)
        if resources and not row.children:
            lines.extend(constraint_lines(row, inner, self.zoned))
            lines.append(
                f"{inner}{row.schedule_model} "
                f"{timing(row.schedule_timing, row.schedule_unit)}"
            )
            alloc = allocation_text(
                resources,
                data.alternatives.get(row.id, ()),
                row.allocation_strategy,
                row.persistent_allocation,
            )
            lines.append(f"{inner}allocate {alloc}")
            for log in data.bookings.get(row.id, ()):
                start = utc_text(log.start, BOOKING, self.zoned)
                end = utc_text(log.end, BOOKING, self.zoned)
                lines.append(
                    f"{inner}booking User_{log.resource_id} {start} - {end}"
                    " { overtime 2 }"
                )
        for child_id in row.children:
            self._task(data.tasks[child_id], depth + 1)
        lines.append(f"{outer}}}")

    def _depends(self, dependencies: list[DependencyRow]) -> str:
        return ", ".join(
            dependency_text(
                self.data.abs_path(dep.depends_on_id),
                dep.target,
                dep.gap_timing,
                dep.gap_unit,
                dep.gap_model,
            )
            for dep in dependencies
        )


def resources_section(data: ScheduleData, zoned: bool = False) -> str:
    """``resource resources "Resources" {`` with studio vacations and every user."""
    lines = ["# resources", 'resource resources "Resources" {']
    lines.extend(
        vacation_line(start, end, zoned) for start, end in data.vacations.get(None, ())
    )
    lines.extend(
        resource_block(user_id, efficiency, data.vacations.get(user_id, ()), zoned)
        for user_id, efficiency in data.users
    )
    lines.append("}")
    return "\n".join(lines)


def report_section(name: str, compute_resources: bool, zoned: bool = False) -> str:
    """The CSV ``taskreport`` tj3 writes as ``<output dir>/<name>.csv``.

    ``zoned``: the project has a zone, the report is asked for UTC dates.
    """
    columns = "id, start, end" + (", resources" if compute_resources else "")
    lines = ["# reports", f'taskreport breakdown "{name}"{{', f"{INDENT}formats csv"]
    if zoned:
        lines.append(f'{INDENT}timezone "UTC"')
    lines += [f'{INDENT}timeformat "{MINUTE}"', f"{INDENT}columns {columns}", "}"]
    return "\n".join(lines)


def tjp_file(
    version: str,
    studio_tjp: str,
    data: ScheduleData,
    report_name: str,
    compute_resources: bool,
    timezone: str = "UTC",
) -> str:
    """The whole ``.tjp`` file (spec 09 §4.1), without a trailing newline.

    ``timezone`` is the studio's (``studio_tjp`` states it to tj3): the
    dates get an explicit UTC offset when it is not UTC.
    """
    zoned = tj3_time_zone(timezone) is not None
    return "\n".join(
        [
            f"# Generated By Stalker v{version}",
            studio_tjp,
            "",
            resources_section(data, zoned),
            "",
            "# tasks",
            TasksBuffer(data, zoned).render(),
            "",
            report_section(report_name, compute_resources, zoned),
        ]
    )


# -- the readable text of Task.to_tjp and Project.to_tjp, from rows ----------------


def readable_task_text(data: ScheduleData, task_id: int, depth: int) -> str:
    """``Task.to_tjp`` (spec 07 §6.9) of a task and its subtree, from gathered rows.

    The same text the model objects print, for a saved tree read in a few
    set-based queries instead of one object per row.  Children, resources
    and time logs come in id order, dependencies in the order of the task
    they depend on.
    """
    row = data.tasks[task_id]
    indent_text = INDENT * depth
    inner = indent_text + INDENT
    own_id = _readable_id(data, task_id)
    header = f'{indent_text}task {own_id} "{own_id}" {{'
    body = []
    if row.priority != 500:
        body.append(f"{inner}priority {row.priority}")
    dependencies = sorted(data.dependencies.get(task_id, ()), key=_depends_on)
    if dependencies:
        texts = ", ".join(_readable_dependency(data, dep) for dep in dependencies)
        body.append(f"{inner}depends {texts}")
    children = sorted(row.children)
    body.extend(readable_task_text(data, child, depth + 1) for child in children)
    if not children:
        body.extend(_readable_leaf_lines(data, row, inner))
    if not body:
        return header + "}"
    return "\n".join([header, *body, f"{indent_text}}}"])


def _depends_on(dep: DependencyRow) -> int:
    return dep.depends_on_id


def _readable_id(data: ScheduleData, task_id: int) -> str:
    """``Shot_12``: the class name and id, as ``tjp_id`` gives them."""
    return f"{data.kinds.get(task_id) or 'Task'}_{task_id}"


def _readable_path(data: ScheduleData, task_id: int) -> str:
    """``Project_1.Shot_12.Task_13``, as ``tjp_abs_id`` gives it."""
    parts = []
    row: TaskRow | None = data.tasks[task_id]
    while row is not None:
        parts.append(_readable_id(data, row.id))
        if row.parent_id is None:
            parts.append(f"Project_{row.project_id}")
            break
        row = data.tasks.get(row.parent_id)
    return ".".join(reversed(parts))


def _readable_dependency(data: ScheduleData, dep: DependencyRow) -> str:
    gap = ""
    if dep.gap_timing:
        gap = f" gap{dep.gap_model} {dep.gap_timing}{dep.gap_unit}"
    return f"{_readable_path(data, dep.depends_on_id)} {{{dep.target}{gap}}}"


def _readable_leaf_lines(data: ScheduleData, row: TaskRow, inner: str) -> list[str]:
    resources = sorted(data.resources.get(row.id, ()))
    if not resources:
        return []  # tj3 refuses bookings on a task it cannot allocate
    lines = []
    if row.constraint & 1 and row.start is not None:
        lines.append(f"{inner}start {utc_text(row.start, MINUTE)}")
    if row.constraint & 2 and row.end is not None:
        lines.append(f"{inner}end {utc_text(row.end, MINUTE)}")
    lines.append(
        f"{inner}{row.schedule_model} {row.schedule_timing}{row.schedule_unit}"
    )
    lines.append(f"{inner}allocate {_readable_allocation(data, row, resources, inner)}")
    for log in sorted(data.bookings.get(row.id, ()), key=_log_id):
        start, end = utc_text(log.start, SECOND), utc_text(log.end, SECOND)
        lines.append(
            f"{inner}booking User_{log.resource_id} {start} - {end} {{ overtime 2 }}"
        )
    return lines


def _log_id(log: Any) -> int:
    return int(log.log_id)


def _readable_allocation(
    data: ScheduleData, row: TaskRow, resources: list[int], inner: str
) -> str:
    alternatives = sorted(data.alternatives.get(row.id, ()))
    options = ""
    if alternatives:
        deeper = inner + INDENT
        names = ", ".join(f"User_{user_id}" for user_id in alternatives)
        options = (
            f" {{\n{deeper}alternative\n{deeper}{names} select "
            f"{row.allocation_strategy}"
        )
        if row.persistent_allocation:
            options += f"\n{deeper}persistent"
        options += f"\n{inner}}}"
    return ", ".join(f"User_{user_id}{options}" for user_id in resources)
