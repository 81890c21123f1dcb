"""Cost from the plan: a hand-computed project on both backends, and the edges.

The studio works 09:00-18:00 UTC, Monday to Friday, planning from Monday
2025-01-06 09:00 (ISO week 2025-W02):

* Ann (rate 100, project rate 120) logged 4 h of Modelling on Friday
  2025-01-03 (W01); the other 26 h are planned Mon 9 h, Tue 9 h, Wed 8 h
  (W02).  Lookdev (20 h, after the modelling) is planned Wed 1 h, Thu 9 h,
  Fri 9 h (19 h in W02) and Monday 2025-01-13 1 h (W03).
* Bob (rate 80, membership rate 0: "not set", so 80) rigs 12 h: Mon 9 h,
  Tue 3 h (W02).
* Carl (rate 33.333, removed from the project, whose rate was 40) logged 2 h
  on the Layout, which has no resources (W01): 66.666 -> 66.67.
* The budget: 45 x 100 + 20 x 75 = 6000, 2000 a week over W01-W03; by good,
  Artist hour 4500 against Modelling + Lookdev 6000 (over by 1500), Rig hour
  1500 against Rigging 960.

=============  ======  ======  =====  ========  ==========
task           W01     W02     W03    cost      bid
=============  ======  ======  =====  ========  ==========
Modelling      480     3120           3600      24 h: 2880
Lookdev                2280    120    2400      20 h: 2400
Rigging                960            960       12 h: 960
Layout         66.67                  66.67     10 h: 333.33
total          546.67  6360    120    7026.67   6000
=============  ======  ======  =====  ========  ==========
"""

from __future__ import annotations

import datetime
import json
import math
import zoneinfo
from decimal import Decimal

import pytest

from stalker.reports.cost import (
    as_decimal,
    compute_cost,
    cost_report,
    gather_cost_rows,
    subtract,
    week_pieces,
)

UTC = datetime.timezone.utc
MONDAY = datetime.datetime(2025, 1, 6, 9, tzinfo=UTC)
D = Decimal


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2025, 1, day, hour, tzinfo=UTC)


def build(session, *, budget=True, rates=(100, 80, 33.333)):
    """The studio of the module docstring; the ids by name."""
    from stalker import (
        Budget,
        BudgetEntry,
        Good,
        Project,
        Studio,
        Task,
        TimeLog,
        User,
    )

    studio = Studio(name="Cost Studio", now=MONDAY, timezone="UTC")
    studio.start = at(1, 0) - datetime.timedelta(days=7)
    studio.end = at(1, 0) + datetime.timedelta(days=90)
    ann, bob, carl = (
        User(
            name=name,
            login=name.lower(),
            email=f"{name.lower()}@example.com",
            password=f"pw-{name}-1",
            rate=rate,
        )
        for name, rate in zip(("Ann", "Bob", "Carl"), rates, strict=True)
    )
    project = Project(name="Cost Film", code="CST", users=[ann, bob, carl])
    session.add_all([studio, ann, bob, carl, project])
    session.flush()
    for membership in project.user_role:
        membership.rate = {ann.id: 120, bob.id: 0, carl.id: 40}[membership.user_id]
    hour = Good(name="Artist hour", cost=100, unit="h")
    rig = Good(name="Rig hour", cost=75, unit="h")
    modelling = Task(
        name="Modelling",
        project=project,
        resources=[ann],
        schedule_timing=30,
        schedule_unit="h",
        bid_timing=24,
        bid_unit="h",
        good=hour,
    )
    lookdev = Task(
        name="Lookdev",
        project=project,
        resources=[ann],
        depends_on=[modelling],
        schedule_timing=20,
        schedule_unit="h",
        good=hour,
    )
    rigging = Task(
        name="Rigging", project=project, resources=[bob], schedule_timing=12, good=rig
    )
    layout = Task(name="Layout", project=project, schedule_timing=10)
    session.add_all([modelling, lookdev, rigging, layout])
    session.flush()
    session.add(TimeLog(task=modelling, resource=ann, start=at(3, 10), end=at(3, 14)))
    session.add(TimeLog(task=layout, resource=carl, start=at(2, 10), end=at(2, 12)))
    project.users.remove(carl)
    if budget:
        status_list = _budget_statuses(session)
        plan = Budget(name="Plan", project=project, status_list=status_list)
        BudgetEntry(budget=plan, good=hour, amount=45, price=6000)
        BudgetEntry(budget=plan, good=rig, amount=20, price=2000)
        session.add(plan)
    session.flush()
    return {
        "project": project.id,
        "modelling": modelling.id,
        "lookdev": lookdev.id,
        "rigging": rigging.id,
        "layout": layout.id,
        "ann": ann.id,
        "bob": bob.id,
        "carl": carl.id,
        "hour": hour.id,
        "rig": rig.id,
    }


def _budget_statuses(session):
    from stalker import Status, StatusList

    new = session.query(Status).filter_by(code="NEW").first() or Status(
        name="New", code="NEW"
    )
    return StatusList(
        name="Budget Statuses", target_entity_type="Budget", statuses=[new]
    )


def _by_id(report):
    return {task.task_id: task for task in report.tasks}


def test_hand_computed_project(session):
    ids = build(session)
    report = cost_report(session(), ids["project"], now=MONDAY)
    tasks = _by_id(report)
    assert set(tasks) == {ids[n] for n in ("modelling", "lookdev", "rigging", "layout")}
    modelling = tasks[ids["modelling"]]
    assert (modelling.done_hours, modelling.planned_hours) == (4, 26)
    assert (modelling.done_cost, modelling.planned_cost) == (D("480.00"), D("3120.00"))
    assert (modelling.bid_hours, modelling.bid_cost) == (24, D("2880.00"))
    assert modelling.over_by == D("720.00")
    lookdev = tasks[ids["lookdev"]]
    assert (lookdev.planned_hours, lookdev.cost, lookdev.over_by) == (20, 2400, 0)
    rigging = tasks[ids["rigging"]]
    assert (rigging.cost, rigging.bid_cost) == (D("960.00"), D("960.00"))
    layout = tasks[ids["layout"]]
    assert (layout.done_hours, layout.done_cost) == (2, D("66.67"))
    assert (layout.planned_hours, layout.bid_cost) == (0, D("333.33"))

    assert [w.label for w in report.weeks] == ["2025-W01", "2025-W02", "2025-W03"]
    assert [w.cost for w in report.weeks] == [D("546.67"), D("6360.00"), D("120.00")]
    assert [w.budget for w in report.weeks] == [D("2000.00")] * 3
    assert [w.over_by for w in report.weeks] == [0, D("4360.00"), 0]
    assert [w.label for w in report.over_budget_weeks] == ["2025-W02"]
    assert [t.task_id for t in report.over_budget_tasks] == [ids["modelling"]]

    goods = {good.good_id: good for good in report.goods}
    assert (goods[ids["hour"]].budget, goods[ids["hour"]].cost) == (4500, 6000)
    assert goods[ids["hour"]].task_ids == [ids["lookdev"], ids["modelling"]]
    assert (goods[ids["rig"]].budget, goods[ids["rig"]].cost) == (1500, 960)
    assert [g.good_id for g in report.over_budget_goods] == [ids["hour"]]
    assert goods[ids["hour"]].over_by == D("1500.00")

    assert report.budget == D("6000.00")
    assert (report.done_cost, report.planned_cost) == (D("546.67"), D("6480.00"))
    assert report.cost == D("7026.67")
    assert report.over_by == D("1026.67")

    users = {user.user_id: user for user in report.users}
    assert (users[ids["ann"]].rate, users[ids["ann"]].rate_source) == (120, "project")
    assert (users[ids["bob"]].rate, users[ids["bob"]].rate_source) == (80, "user")
    # removed from the project: the general rate, not the old membership's 40
    assert (users[ids["carl"]].rate, users[ids["carl"]].cost) == (
        D("33.333"),
        D("66.67"),
    )
    assert users[ids["ann"]].hours == 50
    assert users[ids["ann"]].cost == D("6000.00")


def test_the_dict_is_json_and_adds_up(session):
    ids = build(session)
    result = cost_report(session(), ids["project"], now=MONDAY).as_dict()
    text = json.dumps(result, allow_nan=False)
    assert json.loads(text) == result
    assert result["cost"] == "7026.67"
    assert result["budget"] == "6000.00"
    assert result["over_budget_tasks"] == [ids["modelling"]]
    assert result["over_budget_weeks"] == ["2025-W02"]
    assert result["over_budget_goods"] == [ids["hour"]]
    assert result["goods"][1] == {
        "id": ids["rig"],
        "name": "Rig hour",
        "budget": "1500.00",
        "cost": "960.00",
        "tasks": [ids["rigging"]],
        "over_by": "0.00",
    }
    assert sum(D(t["cost"]) for t in result["tasks"]) == D(result["cost"])
    assert sum(D(w["cost"]) for w in result["weeks"]) == D(result["cost"])
    assert sum(D(u["cost"]) for u in result["users"]) == D(result["cost"])
    week = result["weeks"][1]
    assert week == {
        "week": "2025-W02",
        "monday": "2025-01-06",
        "hours": 57.0,
        "done_cost": "0.00",
        "planned_cost": "6360.00",
        "cost": "6360.00",
        "budget": "2000.00",
        "over_by": "4360.00",
    }


def test_a_given_plan_is_used_as_is(session):
    """The NativeScheduler's plan and rows give the same figures."""
    ids = build(session)
    fresh = gather_cost_rows(session(), ids["project"], now=MONDAY)
    again = gather_cost_rows(
        session(), ids["project"], plan=fresh.plan, data=fresh.data
    )
    assert again.plan is fresh.plan
    assert compute_cost(again).as_dict() == compute_cost(fresh).as_dict()


def test_no_budget_lists_no_over_budget_week(session):
    ids = build(session, budget=False)
    report = cost_report(session(), ids["project"], now=MONDAY)
    assert report.budget is None
    assert report.over_by == 0
    assert all(week.budget is None for week in report.weeks)
    assert report.over_budget_weeks == []
    assert [t.task_id for t in report.over_budget_tasks] == [ids["modelling"]]
    assert report.as_dict()["budget"] is None
    # the tasks' goods are listed, without a budget, never over it
    assert [g.name for g in report.goods] == ["Artist hour", "Rig hour"]
    assert all(g.budget is None for g in report.goods)
    assert report.over_budget_goods == []


def test_zero_rates_cost_nothing_and_never_nan(session):
    from stalker import ProjectUser

    ids = build(session, rates=(0, 0, 0))
    for membership in session.query(ProjectUser).all():
        membership.rate = 0
    session.flush()
    report = cost_report(session(), ids["project"], now=MONDAY)
    assert report.cost == 0
    assert all(user.rate_source == "none" for user in report.users)
    assert report.over_budget_tasks == []
    assert all(task.bid_cost == 0 for task in report.tasks)
    text = json.dumps(report.as_dict(), allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text


def test_tasks_without_resources_cost_their_logs_only(session):
    ids = build(session)
    report = cost_report(session(), ids["project"], now=MONDAY)
    layout = _by_id(report)[ids["layout"]]
    assert layout.planned_cost == 0
    assert layout.done_cost == D("66.67")


def test_an_empty_project_has_no_weeks(session):
    from stalker import Project

    project = Project(name="Empty", code="EMP")
    session.add(project)
    session.flush()
    report = cost_report(session(), project.id)
    assert (report.tasks, report.weeks, report.users) == ([], [], [])
    assert report.cost == 0 and report.budget is None


def test_an_unknown_project_is_named(session):
    with pytest.raises(ValueError, match="no Project with the id 987654"):
        cost_report(session(), 987654)


def test_an_infinite_rate_is_refused_with_its_owner(session):
    """SQLite stores NaN as NULL; infinity is stored on both backends."""
    from sqlalchemy import update

    from stalker.scheduling.data import table

    ids = build(session)
    users = table("Users")
    session.execute(
        update(users).where(users.c.id == ids["bob"]).values(rate=float("inf"))
    )
    with pytest.raises(ValueError, match=r"User \(id \d+\) rate should be a finite"):
        cost_report(session(), ids["project"], now=MONDAY)


# -- pure helpers -----------------------------------------------------------------


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0])
def test_as_decimal_refuses_what_would_make_nan(value):
    with pytest.raises(ValueError, match=r"ProjectUser .* rate should be a finite"):
        as_decimal("ProjectUser (project 1, user 2)", "rate", value)


def test_as_decimal_keeps_the_stored_digits():
    assert as_decimal("User (id 1)", "rate", 33.333) == D("33.333")
    assert as_decimal("User (id 1)", "rate", None) == 0
    with pytest.raises(TypeError, match=r"User .* rate should be a number, not str"):
        as_decimal("User (id 1)", "rate", "12")


def test_week_pieces_cut_at_the_zones_monday_midnight():
    zone = zoneinfo.ZoneInfo("Europe/Istanbul")  # UTC+3, no DST
    start = datetime.datetime(2025, 1, 12, 20, tzinfo=UTC)  # Sun 23:00 local
    pieces = list(week_pieces(start, start + datetime.timedelta(hours=2), zone))
    assert pieces == [
        (datetime.date(2025, 1, 6), 3600.0),
        (datetime.date(2025, 1, 13), 3600.0),
    ]
    utc = list(week_pieces(start, start + datetime.timedelta(hours=2), UTC))
    assert utc == [(datetime.date(2025, 1, 6), 7200.0)]


def test_subtract_removes_only_the_covered_parts():
    spans = [(at(6, 9), at(6, 18)), (at(7, 9), at(7, 12))]
    holes = [(at(6, 10), at(6, 11)), (at(7, 8), at(7, 10))]
    assert subtract(spans, holes) == [
        (at(6, 9), at(6, 10)),
        (at(6, 11), at(6, 18)),
        (at(7, 10), at(7, 12)),
    ]
    assert not any(math.isnan((b - a).total_seconds()) for a, b in subtract(spans, []))


def test_a_native_schedulers_plan_and_rows_give_the_same_figures(session):
    from stalker import NativeScheduler, Project, Studio

    ids = build(session)
    studio = session.query(Studio).one()
    studio.now = MONDAY  # not persisted: a reloaded studio starts at the clock's
    scheduler = NativeScheduler(
        studio=studio, projects=[session.get(Project, ids["project"])]
    )
    scheduler.schedule()
    after = cost_report(
        session(), ids["project"], plan=scheduler.plan, data=scheduler.data
    )
    fresh = cost_report(session(), ids["project"], now=MONDAY)
    assert after.as_dict() == fresh.as_dict()
    assert after.cost == D("7026.67")


def test_weeks_follow_the_studio_time_zone(session):
    from stalker import Studio

    ids = build(session)
    session.query(Studio).one().timezone = "Asia/Tokyo"
    session.flush()
    rows = gather_cost_rows(session(), ids["project"], now=MONDAY)
    assert rows.zone == zoneinfo.ZoneInfo("Asia/Tokyo")


def test_a_log_next_to_planned_work_is_counted_once(session):
    """The engine joins a log and the planned run after it into one allocation."""
    from stalker import Project, Studio, Task, TimeLog, User

    now = at(6, 11)
    studio = Studio(name="Joined", now=now, timezone="UTC")
    studio.start, studio.end = at(1, 0), at(31, 0)
    dan = User(name="Dan", login="dan", email="dan@example.com", password="pw-d-1")
    dan.rate = 10
    project = Project(name="Joined", code="JND")
    task = Task(name="Paint", project=project, resources=[dan], schedule_timing=5)
    session.add_all([studio, dan, project, task])
    session.flush()
    session.add(TimeLog(task=task, resource=dan, start=at(6, 9), end=at(6, 11)))
    session.flush()
    rows = gather_cost_rows(session(), project.id, now=now)
    assert rows.plan.tasks[task.id].allocations[dan.id] == [(at(6, 9), at(6, 14))]
    (paint,) = compute_cost(rows).tasks
    assert (paint.done_hours, paint.planned_hours) == (2, 3)
    assert (paint.done_cost, paint.planned_cost) == (D("20.00"), D("30.00"))


def test_gathering_takes_a_fixed_number_of_queries(session):
    """Ten more tasks, logs and budget lines: not one more query."""
    from sqlalchemy import event

    from stalker import Budget, BudgetEntry, Good, Project, Task, TimeLog, User

    ids = build(session)
    first = gather_cost_rows(session(), ids["project"], now=MONDAY)

    def count() -> int:
        statements: list[str] = []
        connection = session().connection()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(connection, "before_cursor_execute", listener)
        try:
            gather_cost_rows(session(), ids["project"], plan=first.plan)
        finally:
            event.remove(connection, "before_cursor_execute", listener)
        return len(statements)

    before = count()
    project = session.get(Project, ids["project"])
    ann = session.get(User, ids["ann"])
    budget = session.query(Budget).one()
    good = session.query(Good).first()
    for number in range(10):
        task = Task(name=f"Extra {number}", project=project, resources=[ann])
        session.add(task)
        session.flush()
        start = at(1, 0) - datetime.timedelta(days=number + 1, hours=-10)
        session.add(
            TimeLog(
                task=task,
                resource=ann,
                start=start,
                end=start + datetime.timedelta(hours=1),
            )
        )
        BudgetEntry(budget=budget, good=good, amount=1)
    session.flush()
    assert count() == before <= 16  # 9 for the schedule rows, 7 for the cost


def test_the_readme_example_prints_what_it_says(empty_database_settings, capsys):
    """The README's example, run as written (its SQLite URL swapped for ours)."""
    import pathlib
    import re

    readme = pathlib.Path(__file__).parents[2] / "README.md"
    section = readme.read_text().split("## Cost from the plan", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = code.replace('"sqlite://"', repr(empty_database_settings["sqlalchemy.url"]))
    exec(compile(code, "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "3600.00 3000.00 600.00",
        "[('2025-W02', '3600.00', '3000.00')]",
        "['FLM / Modelling']",
        "2880.00",
    ]


def test_week_labels_are_iso_and_a_dst_week_is_a_week():
    from stalker.reports.cost import WeekCost

    assert WeekCost(datetime.date(2024, 12, 30)).label == "2025-W01"
    assert WeekCost(datetime.date(2026, 12, 28)).label == "2026-W53"
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")  # clocks go forward 2025-03-30
    start = datetime.datetime(2025, 3, 23, 23, tzinfo=UTC)  # Monday 00:00 CET
    pieces = list(week_pieces(start, start + datetime.timedelta(days=8), berlin))
    assert pieces == [
        (datetime.date(2025, 3, 24), (7 * 24 - 1) * 3600.0),
        (datetime.date(2025, 3, 31), 25 * 3600.0),
    ]


def test_planning_for_the_cost_writes_nothing(session):
    from sqlalchemy import select

    from stalker.scheduling.data import table

    ids = build(session)
    tasks = table("Tasks")
    query = select(tasks.c.id, tasks.c.start, tasks.c.end).order_by(tasks.c.id)
    before = session.execute(query).all()
    cost_report(session(), ids["project"], now=MONDAY)
    session.flush()
    assert session.execute(query).all() == before
