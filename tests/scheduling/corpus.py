"""Seeded random studios as plain ScheduleData, and the same studio for tj3."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from stalker.scheduling.data import DependencyRow, ScheduleData, TaskRow
from stalker.scheduling.engine import Calendar
from stalker.scheduling.tj3 import parse_csv, run_tj3
from stalker.scheduling.tjp import tjp_file

from .helpers import WORKING_HOURS, at

PROJECT = 1  # task ids start above the resource and project ids


def random_studio(seed: int, tasks: int, resources: int) -> ScheduleData:
    """A project of ``tasks`` tasks in groups, ``resources`` users, dependencies.

    Leaves are mostly effort (some length and duration), some have
    alternatives; dependencies point backwards only (no cycles), some onstart
    or with a gap; a few users have a vacation.
    """
    rng = random.Random(seed)
    data = ScheduleData(project_ids=[PROJECT], roots={PROJECT: []})
    users = list(range(2, 2 + resources))
    data.users = [(user, rng.choice((0.5, 1.0, 1.0, 1.0, 1.5))) for user in users]
    for user in rng.sample(users, max(1, resources // 5)):
        first = at("2014-04-07-00:00") + datetime.timedelta(days=rng.randrange(60))
        data.vacations[user] = [
            (first, first + datetime.timedelta(days=rng.randint(1, 7)))
        ]
    leaves: list[int] = []
    next_id = 1000
    while next_id - 1000 < tasks:
        group = next_id
        data.tasks[group] = TaskRow(
            group, PROJECT, None, priority=rng.choice((500,) * 4 + (700,))
        )
        data.roots[PROJECT].append(group)
        next_id += 1
        for _ in range(rng.randint(3, 9)):
            leaf = next_id
            next_id += 1
            model = rng.choice(("effort",) * 8 + ("length", "duration"))
            data.tasks[leaf] = TaskRow(
                leaf,
                PROJECT,
                group,
                schedule_model=model,
                schedule_timing=float(
                    rng.randint(1, 24) if model == "effort" else rng.randint(1, 3)
                ),
                schedule_unit="h" if model == "effort" else "d",
                allocation_strategy=rng.choice(("minallocated", "order")),
            )
            data.tasks[group].children.append(leaf)
            data.resources[leaf] = sorted(rng.sample(users, rng.choice((1, 1, 1, 2))))
            if rng.random() < 0.2:
                spare = [u for u in users if u not in data.resources[leaf]]
                data.alternatives[leaf] = sorted(rng.sample(spare, 2))
            for depended in rng.sample(
                leaves[-30:], min(len(leaves[-30:]), rng.choice((0, 1, 1, 2)))
            ):
                target = "onend"  # tj3 cannot always meet onstart (see report)
                gap = float(rng.choice((0, 0, 0, 2, 4)))
                data.dependencies.setdefault(leaf, []).append(
                    DependencyRow(
                        leaf,
                        depended,
                        target,
                        gap,
                        "h",
                        rng.choice(("length", "duration")),
                    )
                )
            leaves.append(leaf)
    return data


def corpus_calendar() -> Calendar:
    return Calendar(
        start=at("2014-04-01-00:00"),
        end=at("2016-04-01-00:00"),
        now=at("2014-04-02-10:00"),
        working_hours=WORKING_HOURS,
        resolution=datetime.timedelta(hours=1),
        daily_working_hours=9,
    )


_HEADER = """project Studio_1 "Studio_1" 2014-04-01 - 2016-04-01 {
    timingresolution 60min
    now 2014-04-02-10:00
    dailyworkinghours 9
    weekstartsmonday
    workinghours mon 09:00 - 18:00
    workinghours tue 09:00 - 18:00
    workinghours wed 09:00 - 18:00
    workinghours thu 09:00 - 18:00
    workinghours fri 09:00 - 18:00
    workinghours sat off
    workinghours sun off
    timeformat "%Y-%m-%d"
    scenario plan "Plan"
    trackingscenario plan
}"""


def tj3_project_end(data: ScheduleData, folder: Path) -> datetime.datetime:
    """Run tj3 on the studio (same text as the TaskJuggler backend writes)."""
    text = tjp_file("corpus", _HEADER, data, "plan", compute_resources=False)
    (folder / "plan.tjp").write_text(text, encoding="utf-8")
    run_tj3("tj3", str(folder / "plan.tjp"), str(folder), timeout=600)
    rows = parse_csv(str(folder / "plan.csv"), compute_resources=False)
    return next(row.end for row in rows if row.entity_id == PROJECT)
