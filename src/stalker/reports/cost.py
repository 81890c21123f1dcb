"""Cost from the plan: booked hours x rates per task, user and week, against the budget.

The pipeline is the scheduler's: :func:`gather_cost_rows` reads plain rows with
a fixed number of set-based queries (and plans the project with the native
engine when no plan is given, writing nothing), :func:`compute_cost` turns them
into a :class:`CostReport`, whose :meth:`CostReport.as_dict` is JSON-safe.

The rules, chosen so the figures can be checked by hand:

* **Hours.**  Work done is the project's time logs (their whole span, as the
  engine books them).  Planned work is the plan's allocations of each task
  minus the task's own time logs (the native engine lists a task's logged
  spans among its allocations); an allocation is working time by
  construction.
* **Rates.**  A project member's ``ProjectUser.rate`` wins over the user's
  ``User.rate`` for the project's tasks.  A membership rate of 0 means *not
  set* (the column stores None as 0.0 and starts as the user's rate, so 0
  cannot be told from unset) and the user's rate applies; so does a user who
  is not (or no longer) a member.  A user whose both rates are 0 costs
  nothing and is listed with ``rate_source`` ``"none"``.
* **Money** is :class:`decimal.Decimal`.  Each (task, user, week, done or
  planned) cell is rounded to cents (half up) and every total is the sum of
  cells, so rows always add up to their totals; JSON gives money as strings
  (``"1234.50"``) and hours as numbers rounded to 2 places.  NaN cannot
  appear: a non-finite or negative rate or budget figure is refused.
* **Weeks** are ISO weeks (Monday 00:00) in the studio's time zone
  (``Studio.timezone``, UTC without a studio); spans are cut at week starts.
* **Budget.**  The budget total is the sum over the project's budgets (all of
  them, nested ones included) of each entry's ``amount x cost`` (the good's
  unit cost copied into the entry: what the studio expects to spend; the
  ``price`` quoted to the client is not a cost).  Entries carry no dates, so
  the total is spread evenly over the project's weeks (from its first logged
  or planned week to its last, empty weeks included).  A week whose cost is
  above its share is over budget, and so is the project above the total.
* **Goods.**  A task's ``good`` is what its work is sold as; the entries of
  a good are its budget, the tasks sold as it its cost, and a good whose
  cost passes its entries' total is over budget (a good without entries has
  no budget and is only listed).
* **Bids.**  A task is over budget when its cost is above its bid:
  ``bid_timing``/``bid_unit`` in working hours (the studio's day, week...)
  x the mean rate of its resources (of the users who worked or are planned
  on it when it has none).  A task without a bid (None or 0) is not checked.
"""

from __future__ import annotations

import datetime
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from stalker.scheduling.data import ScheduleData, gather_schedule_data, table
from stalker.scheduling.engine import Calendar, Plan, as_utc, schedule

UTC = datetime.timezone.utc
CENT = Decimal("0.01")
ZERO = Decimal(0)
WEEK = datetime.timedelta(days=7)

Span = tuple[datetime.datetime, datetime.datetime]


# -- rows -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One budget entry: ``amount`` units of a good at the unit ``cost``."""

    entry_id: int
    budget_id: int
    name: str
    good_id: int
    good: str
    amount: float
    unit: str
    cost: Decimal

    @property
    def total(self) -> Decimal:
        return money(Decimal(repr(self.amount)) * self.cost)


@dataclass
class CostRows:
    """Everything :func:`compute_cost` reads; no ORM object, no session."""

    project_id: int
    code: str
    data: ScheduleData
    plan: Plan
    calendar: Calendar
    zone: datetime.tzinfo = UTC
    user_rates: dict[int, Decimal] = field(default_factory=dict)
    project_rates: dict[int, Decimal] = field(default_factory=dict)
    user_names: dict[int, str] = field(default_factory=dict)
    bids: dict[int, tuple[float | None, str | None]] = field(default_factory=dict)
    #: ``task id -> good id`` of the tasks sold as a good, and their names.
    goods: dict[int, int] = field(default_factory=dict)
    good_names: dict[int, str] = field(default_factory=dict)
    budget: list[BudgetLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Cell:
    """Hours and cost of one user on one task in one week, done or planned."""

    task_id: int
    user_id: int
    week: datetime.date
    done: bool
    hours: Decimal
    cost: Decimal


def over_limit(cost: Decimal, limit: Decimal | None) -> Decimal:
    """How much ``cost`` passes ``limit`` (0 within it, or without a limit)."""
    return ZERO if limit is None else max(ZERO, cost - limit)


@dataclass(slots=True)
class TaskCost:
    """One leaf task's hours and cost, and its bid (a container's are its leaves')."""

    task_id: int
    path: str
    done_hours: Decimal = ZERO
    planned_hours: Decimal = ZERO
    done_cost: Decimal = ZERO
    planned_cost: Decimal = ZERO
    bid_hours: Decimal | None = None
    bid_cost: Decimal | None = None

    @property
    def hours(self) -> Decimal:
        return self.done_hours + self.planned_hours

    @property
    def cost(self) -> Decimal:
        return self.done_cost + self.planned_cost

    @property
    def over_by(self) -> Decimal:
        """How much the cost passes the bid (0 when within it or not bid)."""
        return over_limit(self.cost, self.bid_cost)


@dataclass(slots=True)
class WeekCost:
    """One ISO week of the project: its cost and its share of the budget."""

    week: datetime.date
    done_cost: Decimal = ZERO
    planned_cost: Decimal = ZERO
    hours: Decimal = ZERO
    budget: Decimal | None = None

    @property
    def label(self) -> str:
        year, number, _day = self.week.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def cost(self) -> Decimal:
        return self.done_cost + self.planned_cost

    @property
    def over_by(self) -> Decimal:
        return over_limit(self.cost, self.budget)


@dataclass(slots=True)
class GoodCost:
    """A good's budget lines against the cost of the tasks sold as that good."""

    good_id: int
    name: str
    budget: Decimal | None = None
    cost: Decimal = ZERO
    task_ids: list[int] = field(default_factory=list)

    @property
    def over_by(self) -> Decimal:
        return over_limit(self.cost, self.budget)


@dataclass(slots=True)
class UserCost:
    """One user's hours and cost on the project, at the rate that applied."""

    user_id: int
    name: str
    rate: Decimal
    rate_source: str  # "project", "user" or "none"
    hours: Decimal = ZERO
    cost: Decimal = ZERO


@dataclass
class CostReport:
    """The project's cost: per task, week and user, totals, and what is over."""

    project_id: int
    code: str
    tasks: list[TaskCost]
    weeks: list[WeekCost]
    users: list[UserCost]
    budget: Decimal | None
    goods: list[GoodCost] = field(default_factory=list)

    @property
    def done_cost(self) -> Decimal:
        return sum((task.done_cost for task in self.tasks), ZERO)

    @property
    def planned_cost(self) -> Decimal:
        return sum((task.planned_cost for task in self.tasks), ZERO)

    @property
    def cost(self) -> Decimal:
        return self.done_cost + self.planned_cost

    @property
    def over_by(self) -> Decimal:
        return ZERO if self.budget is None else max(ZERO, self.cost - self.budget)

    @property
    def over_budget_tasks(self) -> list[TaskCost]:
        return [task for task in self.tasks if task.over_by > 0]

    @property
    def over_budget_weeks(self) -> list[WeekCost]:
        return [week for week in self.weeks if week.over_by > 0]

    @property
    def over_budget_goods(self) -> list[GoodCost]:
        return [good for good in self.goods if good.over_by > 0]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types: money as strings with cents, hours as numbers."""
        return {
            "project": {"id": self.project_id, "code": self.code},
            "budget": _text(self.budget),
            "cost": _cents(self.cost),
            "done_cost": _cents(self.done_cost),
            "planned_cost": _cents(self.planned_cost),
            "over_by": _cents(self.over_by),
            "tasks": [_task_dict(task) for task in self.tasks],
            "weeks": [_week_dict(week) for week in self.weeks],
            "users": [_user_dict(user) for user in self.users],
            "goods": [_good_dict(good) for good in self.goods],
            "over_budget_tasks": [task.task_id for task in self.over_budget_tasks],
            "over_budget_weeks": [week.label for week in self.over_budget_weeks],
            "over_budget_goods": [good.good_id for good in self.over_budget_goods],
        }


def _cents(value: Decimal) -> str:
    return str(money(value))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else _cents(value)


def _hours(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _task_dict(task: TaskCost) -> dict[str, Any]:
    return {
        "id": task.task_id,
        "path": task.path,
        "done_hours": _hours(task.done_hours),
        "planned_hours": _hours(task.planned_hours),
        "done_cost": _cents(task.done_cost),
        "planned_cost": _cents(task.planned_cost),
        "cost": _cents(task.cost),
        "bid_hours": _hours(task.bid_hours),
        "bid_cost": _text(task.bid_cost),
        "over_by": _cents(task.over_by),
    }


def _week_dict(week: WeekCost) -> dict[str, Any]:
    return {
        "week": week.label,
        "monday": week.week.isoformat(),
        "hours": _hours(week.hours),
        "done_cost": _cents(week.done_cost),
        "planned_cost": _cents(week.planned_cost),
        "cost": _cents(week.cost),
        "budget": _text(week.budget),
        "over_by": _cents(week.over_by),
    }


def _good_dict(good: GoodCost) -> dict[str, Any]:
    return {
        "id": good.good_id,
        "name": good.name,
        "budget": _text(good.budget),
        "cost": _cents(good.cost),
        "tasks": list(good.task_ids),
        "over_by": _cents(good.over_by),
    }


def _user_dict(user: UserCost) -> dict[str, Any]:
    return {
        "id": user.user_id,
        "name": user.name,
        "rate": str(user.rate),
        "rate_source": user.rate_source,
        "hours": _hours(user.hours),
        "cost": _cents(user.cost),
    }


# -- numbers ----------------------------------------------------------------------


def money(value: Decimal) -> Decimal:
    """Rounded to cents, halves up (as invoices are)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_decimal(owner: str, attr: str, value: Any, *, signed: bool = False) -> Decimal:
    """A stored figure as a Decimal; a non-finite (or negative) one is refused."""
    if value is None:
        return ZERO
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(
            f"{owner} {attr} should be a number, not {type(value).__name__}: {value!r}"
        )
    if not math.isfinite(value) or (value < 0 and not signed):
        expected = "a finite number" if signed else "a finite number >= 0"
        raise ValueError(
            f"{owner} {attr} should be {expected}, not "
            f"{type(value).__name__}: {value!r}"
        )
    return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)


def _seconds_to_hours(seconds: float) -> Decimal:
    return Decimal(round(seconds)) / Decimal(3600)


# -- weeks and spans --------------------------------------------------------------


def week_pieces(
    start: datetime.datetime, end: datetime.datetime, zone: datetime.tzinfo
) -> Iterator[tuple[datetime.date, float]]:
    """``(monday, seconds)`` of a span cut at the zone's Monday midnights."""
    start, end = as_utc(start), as_utc(end)
    while start < end:
        local = start.astimezone(zone)
        monday = local.date() - datetime.timedelta(days=local.weekday())
        following = datetime.datetime.combine(
            monday + WEEK, datetime.time(0), tzinfo=zone
        ).astimezone(UTC)
        stop = min(end, following)
        yield monday, (stop - start).total_seconds()
        start = stop


def subtract(spans: Sequence[Span], holes: Sequence[Span]) -> list[Span]:
    """``spans`` without the parts covered by ``holes`` (both UTC)."""
    result: list[Span] = []
    for start, end in spans:
        pieces = [(start, end)]
        for hole_start, hole_end in holes:
            pieces = [
                part
                for a, b in pieces
                for part in ((a, min(b, hole_start)), (max(a, hole_end), b))
                if part[0] < part[1]
            ]
        result.extend(pieces)
    return result


def _snapped(
    calendar: Calendar, start: datetime.datetime, end: datetime.datetime
) -> Span:
    """A log's span widened to the engine's slots (as the engine blocks it)."""
    origin = as_utc(calendar.start).replace(hour=0, minute=0, second=0, microsecond=0)
    step = calendar.resolution
    first = math.floor((as_utc(start) - origin) / step)
    last = math.ceil((as_utc(end) - origin) / step)
    return origin + step * first, origin + step * last


# -- gathering --------------------------------------------------------------------


def _project_code(session: Any, project_id: int) -> str:
    projects = table("Projects")
    code = session.scalar(select(projects.c.code).where(projects.c.id == project_id))
    if code is None:
        raise ValueError(f"no Project with the id {project_id!r}")
    return str(code)


def _users(
    session: Any, ids: Iterable[int]
) -> tuple[dict[int, Decimal], dict[int, str]]:
    """``(user id -> rate, user id -> name)`` of the users ``ids``."""
    users, entities = table("Users"), table("SimpleEntities")
    query = (
        select(users.c.id, users.c.rate, entities.c.name)
        .join(entities, entities.c.id == users.c.id)
        .where(users.c.id.in_(sorted(ids)))
    )
    rates: dict[int, Decimal] = {}
    names: dict[int, str] = {}
    for user_id, rate, name in session.execute(query):
        rates[user_id] = as_decimal(f"User (id {user_id})", "rate", rate)
        names[user_id] = name
    return rates, names


def _project_rates(session: Any, project_id: int) -> dict[int, Decimal]:
    members = table("Project_Users")
    query = select(members.c.user_id, members.c.rate).where(
        members.c.project_id == project_id
    )
    return {
        user_id: as_decimal(
            f"ProjectUser (project {project_id}, user {user_id})", "rate", rate
        )
        for user_id, rate in session.execute(query)
    }


def _bids_and_goods(session: Any, rows: CostRows) -> None:
    """Each task's bid, and the good it is sold as (with the good's name)."""
    tasks, goods = table("Tasks"), table("SimpleEntities")
    query = (
        select(
            tasks.c.id, tasks.c.bid_timing, tasks.c.bid_unit, goods.c.id, goods.c.name
        )
        .outerjoin(goods, goods.c.id == tasks.c.good_id)
        .where(tasks.c.project_id == rows.project_id)
    )
    for task_id, timing, unit, good_id, name in session.execute(query):
        rows.bids[task_id] = (timing, unit)
        if good_id is not None:
            rows.goods[task_id] = good_id
            rows.good_names[good_id] = name


def _budget_lines(session: Any, project_id: int) -> list[BudgetLine]:
    entries, budgets = table("BudgetEntries"), table("Budgets")
    entry_names = table("SimpleEntities").alias("entry_names")
    good_names = table("SimpleEntities").alias("good_names")
    query = (
        select(
            entries.c.id,
            entries.c.budget_id,
            entry_names.c.name,
            entries.c.good_id,
            good_names.c.name,
            entries.c.amount,
            entries.c.unit,
            entries.c.cost,
        )
        .join(budgets, budgets.c.id == entries.c.budget_id)
        .join(entry_names, entry_names.c.id == entries.c.id)
        .join(good_names, good_names.c.id == entries.c.good_id)
        .where(budgets.c.project_id == project_id)
        .order_by(entries.c.id)
    )
    lines = []
    for row in session.execute(query):
        entry_id, budget_id, name, good_id, good, amount, unit, cost = row
        owner = f"BudgetEntry {name!r} (id {entry_id})"
        as_decimal(owner, "amount", amount)
        lines.append(
            BudgetLine(
                entry_id,
                budget_id,
                name,
                good_id,
                good,
                float(amount or 0.0),
                unit or "",
                as_decimal(owner, "cost", cost, signed=True),
            )
        )
    return lines


def _worker_ids(data: ScheduleData, plan: Plan) -> set[int]:
    ids = {log.resource_id for logs in data.bookings.values() for log in logs}
    ids.update(u for users in data.resources.values() for u in users)
    ids.update(u for task in plan.tasks.values() for u in task.allocations)
    return ids


def gather_cost_rows(
    session: Any,
    project_id: int,
    plan: Plan | None = None,
    data: ScheduleData | None = None,
    now: datetime.datetime | None = None,
) -> CostRows:
    """The rows to cost ``project_id``; flush the session first.

    Without ``plan`` the project is planned with the native engine (nothing
    is written), from ``now`` if given; ``data`` is the plan's input (a
    :class:`~stalker.models.schedulers.NativeScheduler`'s ``.plan`` and
    ``.data``), gathered again when not given.
    """
    from stalker.reports.data import studio_calendar_of
    from stalker.scheduling.native import gather_constraints

    code = _project_code(session, project_id)
    if data is None or project_id not in data.project_ids:
        data = gather_schedule_data(session, [project_id])
    calendar = studio_calendar_of(session, now, data)
    zone = zoneinfo.ZoneInfo(calendar.timezone)
    if plan is None:
        plan = schedule(data, calendar, gather_constraints(session, data))
    rates, names = _users(session, _worker_ids(data, plan))
    rows = CostRows(
        project_id=project_id,
        code=code,
        data=data,
        plan=plan,
        calendar=calendar,
        zone=zone,
        user_rates=rates,
        project_rates=_project_rates(session, project_id),
        user_names=names,
        budget=_budget_lines(session, project_id),
    )
    _bids_and_goods(session, rows)
    return rows


# -- computing --------------------------------------------------------------------


def effective_rate(rows: CostRows, user_id: int) -> tuple[Decimal, str]:
    """The rate of a user on the project's tasks and where it comes from."""
    project_rate = rows.project_rates.get(user_id, ZERO)
    if project_rate > 0:
        return project_rate, "project"
    user_rate = rows.user_rates.get(user_id, ZERO)
    return user_rate, "user" if user_rate > 0 else "none"


def _project_task_ids(rows: CostRows) -> list[int]:
    data = rows.data
    return sorted(
        task_id
        for task_id, row in data.tasks.items()
        if row.project_id == rows.project_id and data.is_leaf(task_id)
    )


def _cells_of(
    rows: CostRows, task_id: int, user_id: int, spans: Sequence[Span], done: bool
) -> Iterator[Cell]:
    seconds: dict[datetime.date, float] = defaultdict(float)
    for start, end in spans:
        for monday, part in week_pieces(start, end, rows.zone):
            seconds[monday] += part
    rate, _source = effective_rate(rows, user_id)
    for monday in sorted(seconds):
        hours = _seconds_to_hours(seconds[monday])
        yield Cell(task_id, user_id, monday, done, hours, money(hours * rate))


def cost_cells(rows: CostRows) -> list[Cell]:
    """Every (task, user, week, done/planned) cell of the project's leaves."""
    cells: list[Cell] = []
    for task_id in _project_task_ids(rows):
        logs: dict[int, list[Span]] = defaultdict(list)
        for log in rows.data.bookings.get(task_id, ()):
            logs[log.resource_id].append((as_utc(log.start), as_utc(log.end)))
        for user_id in sorted(logs):
            cells.extend(_cells_of(rows, task_id, user_id, logs[user_id], True))
        task_plan = rows.plan.tasks.get(task_id)
        allocations = task_plan.allocations if task_plan is not None else {}
        for user_id in sorted(allocations):
            holes = [_snapped(rows.calendar, *span) for span in logs.get(user_id, ())]
            spans = [(as_utc(a), as_utc(b)) for a, b in allocations[user_id]]
            planned = subtract(spans, holes)
            cells.extend(_cells_of(rows, task_id, user_id, planned, False))
    return cells


def _bid(
    rows: CostRows, task_id: int, workers: set[int]
) -> tuple[Decimal | None, Decimal | None]:
    """The bid in working hours and priced at the mean rate of the task's people."""
    timing, unit = rows.bids.get(task_id, (None, None))
    if not timing or not math.isfinite(timing) or timing < 0:
        return None, None
    hours = Decimal(repr(rows.calendar.work_minutes(timing, unit or "h") / 60.0))
    people = rows.data.resources.get(task_id) or sorted(workers)
    if not people:
        return hours, ZERO
    rates = [effective_rate(rows, user_id)[0] for user_id in people]
    return hours, money(hours * sum(rates, ZERO) / len(rates))


def _task_costs(rows: CostRows, cells: Sequence[Cell]) -> list[TaskCost]:
    by_task = {
        task_id: TaskCost(task_id, rows.data.path_name(task_id))
        for task_id in _project_task_ids(rows)
    }
    workers: dict[int, set[int]] = defaultdict(set)
    for cell in cells:
        task = by_task[cell.task_id]
        workers[cell.task_id].add(cell.user_id)
        if cell.done:
            task.done_hours += cell.hours
            task.done_cost += cell.cost
        else:
            task.planned_hours += cell.hours
            task.planned_cost += cell.cost
    for task in by_task.values():
        task.bid_hours, task.bid_cost = _bid(rows, task.task_id, workers[task.task_id])
    return sorted(by_task.values(), key=lambda task: (task.path, task.task_id))


def _week_costs(rows: CostRows, cells: Sequence[Cell]) -> list[WeekCost]:
    by_week: dict[datetime.date, WeekCost] = {}
    for cell in cells:
        week = by_week.setdefault(cell.week, WeekCost(cell.week))
        week.hours += cell.hours
        if cell.done:
            week.done_cost += cell.cost
        else:
            week.planned_cost += cell.cost
    if not by_week:
        return []
    first, last = min(by_week), max(by_week)
    weeks = [
        by_week.get(first + WEEK * i) or WeekCost(first + WEEK * i)
        for i in range((last - first) // WEEK + 1)
    ]
    if rows.budget:
        _spread_budget(weeks, sum((line.total for line in rows.budget), ZERO))
    return weeks


def _spread_budget(weeks: Sequence[WeekCost], total: Decimal) -> None:
    """Even shares in cents; the first weeks take the leftover cents.

    The shares add up to the total exactly, so no cent is lost or made.
    """
    share, leftover = divmod(int(money(total) / CENT), len(weeks))
    for index, week in enumerate(weeks):
        week.budget = (share + (1 if index < leftover else 0)) * CENT


def _user_costs(rows: CostRows, cells: Sequence[Cell]) -> list[UserCost]:
    by_user: dict[int, UserCost] = {}
    for cell in cells:
        user = by_user.get(cell.user_id)
        if user is None:
            rate, source = effective_rate(rows, cell.user_id)
            name = rows.user_names.get(cell.user_id, f"User_{cell.user_id}")
            user = by_user[cell.user_id] = UserCost(cell.user_id, name, rate, source)
        user.hours += cell.hours
        user.cost += cell.cost
    return sorted(by_user.values(), key=lambda user: (user.name, user.user_id))


def _good_costs(rows: CostRows, tasks: Sequence[TaskCost]) -> list[GoodCost]:
    """Budget lines per good against the tasks sold as that good."""
    by_good: dict[int, GoodCost] = {}
    for line in rows.budget:
        good = by_good.setdefault(line.good_id, GoodCost(line.good_id, line.good))
        good.budget = (good.budget or ZERO) + line.total
    for task in tasks:
        good_id = rows.goods.get(task.task_id)
        if good_id is None:
            continue
        name = rows.good_names.get(good_id, f"Good_{good_id}")
        good = by_good.setdefault(good_id, GoodCost(good_id, name))
        good.cost += task.cost
        good.task_ids.append(task.task_id)
    return sorted(by_good.values(), key=lambda good: (good.name, good.good_id))


def compute_cost(rows: CostRows) -> CostReport:
    """Cost per task, week, user and good of the gathered rows (no database)."""
    cells = cost_cells(rows)
    budget = sum((line.total for line in rows.budget), ZERO) if rows.budget else None
    tasks = _task_costs(rows, cells)
    return CostReport(
        project_id=rows.project_id,
        code=rows.code,
        tasks=tasks,
        weeks=_week_costs(rows, cells),
        users=_user_costs(rows, cells),
        budget=budget,
        goods=_good_costs(rows, tasks),
    )


def cost_report(
    session: Any,
    project_id: int,
    plan: Plan | None = None,
    data: ScheduleData | None = None,
    now: datetime.datetime | None = None,
) -> CostReport:
    """Gather and compute in one call (see :func:`gather_cost_rows`)."""
    return compute_cost(gather_cost_rows(session, project_id, plan, data, now))


__all__ = [
    "BudgetLine",
    "Cell",
    "CostReport",
    "CostRows",
    "GoodCost",
    "TaskCost",
    "UserCost",
    "WeekCost",
    "compute_cost",
    "cost_cells",
    "cost_report",
    "effective_rate",
    "gather_cost_rows",
    "subtract",
    "week_pieces",
]
