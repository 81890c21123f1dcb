"""What-if scenarios (issue 23): overrides, comparison, and no write until applied."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
from sqlalchemy import select

from stalker import NativeScheduler
from stalker.db.declarative import Base
from stalker.scheduling import Scenario, SchedulingError, compare

from ..task_factories import dt
from .test_changes import Replan, build_replan


def dump(session: Any) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order (what the database holds)."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [
            tuple(row) for row in session.execute(select(table).order_by(*order))
        ]
    return rows


@pytest.fixture
def planned(session) -> Replan:
    """The small studio, planned once and committed (the stored plan)."""
    replan = build_replan(session)
    replan.studio.scheduler = NativeScheduler(compute_resources=True)
    replan.studio.schedule()
    session.commit()
    return replan


def test_an_as_is_scenario_moves_nothing(planned):
    as_is = Scenario(planned.studio, "as is", compute_resources=True)
    assert as_is.moved == []
    assert as_is.project_ends == {"FLM": planned.project.computed_end}
    assert as_is.critical_path == ["FLM / Lookdev"]


def test_overrides_change_the_plan_not_the_rows_they_came_from(planned):
    base = Scenario(planned.studio, "as is")
    model, rig, lookdev = planned.model.id, planned.rig.id, planned.lookdev.id
    longer = base.variant("longer model", efforts={model: 20})
    assert longer.snapshot is base.snapshot  # read once
    assert base.snapshot.data.tasks[model].schedule_timing == 12  # untouched
    moved = {change.task_id: change for change in longer.moved}
    assert moved[model].end_shift > datetime.timedelta(0)
    assert moved[rig].reason == "dependency"
    assert longer.project_ends["FLM"] > base.project_ends["FLM"]

    helped = base.variant("bob helps", add_resources={lookdev: [planned.bob.id]})
    assert helped.plan.tasks[lookdev].start < base.plan.tasks[lookdev].start
    assert base.snapshot.data.resources[lookdev] == [planned.ann.id]

    urgent = base.variant("lookdev first", priorities={lookdev: 900})
    assert urgent.plan.tasks[lookdev].start < urgent.plan.tasks[model].start

    off = base.variant(
        "ann away", vacations=[(planned.ann.id, dt(2030, 1, 7), dt(2030, 1, 14))]
    )
    assert off.plan.tasks[model].start >= dt(2030, 1, 14)
    assert planned.ann.id not in base.snapshot.data.vacations

    alone = base.variant(
        "no ann on lookdev", remove_resources={lookdev: [planned.ann.id]}
    )
    assert alone.plan.tasks[lookdev].resource_ids == ()

    end = base.plan.tasks[rig].end
    due = base.variant("rig due", deadlines={rig: end, model: end})
    assert due.plan.tasks[rig].end == end  # a deadline does not move the plan
    assert due.missed_deadlines == []
    late = longer.variant("longer, rig due", deadlines={rig: end})
    (miss,) = late.missed_deadlines
    assert miss.path == "FLM / Rig" and miss.late == late.plan.tasks[rig].end - end
    assert miss.as_json()["late_h"] > 0


def test_compare_puts_scenarios_side_by_side(planned):
    base = Scenario(planned.studio, "as is")
    longer = base.variant("longer model", efforts={planned.model.id: (3, "d")})
    too_long = base.variant(
        "too long",
        efforts={planned.model.id: (20, "y")},  # past any horizon
    )
    with pytest.raises(SchedulingError):
        _ = too_long.plan
    rig_due = longer.variant(
        "rig due", deadlines={planned.rig.id: base.plan.tasks[planned.rig.id].end}
    )
    comparison = compare(base, longer, too_long, rig_due)
    rows = comparison.rows()
    assert rows[0] == [
        "",
        "stored plan",
        "as is",
        "longer model",
        "too long",
        "rig due",
    ]
    end_row = rows[1]
    assert end_row[0] == "end of FLM" and end_row[1] == end_row[2]
    assert end_row[3] > end_row[2] and end_row[5] == end_row[3]
    assert end_row[4].startswith("impossible: ")
    labels = [row[0] for row in rows]
    assert labels[2:5] == ["critical path", "missed deadlines", "moved tasks"]
    assert rows[2][2] == "FLM / Lookdev"
    assert rows[2][3] == "FLM / Lookdev"  # it waits for Ann, after the model
    assert rows[3][5].startswith("FLM / Rig (") and rows[3][5].endswith(" h late)")
    assert rows[4][2] == "0" and int(rows[4][3]) >= 2
    assert "FLM / Model" in labels and "FLM / Rig" in labels
    model_row = rows[labels.index("FLM / Model")]
    assert model_row[2] == "" and model_row[3].startswith("end +")
    as_json = comparison.as_json()
    assert [s["name"] for s in as_json["scenarios"]] == [
        "as is",
        "longer model",
        "too long",
        "rig due",
    ]
    assert as_json["scenarios"][2]["error"]
    assert as_json["scenarios"][3]["missed_deadlines"][0]["path"] == "FLM / Rig"


def test_planning_scenarios_leaves_the_database_as_it_was(planned, session):
    before = dump(session)
    base = Scenario(planned.studio, "as is", compute_resources=True)
    variants = [
        base,
        base.variant("longer", efforts={planned.model.id: 30}),
        base.variant("bob helps", add_resources={planned.lookdev.id: [planned.bob.id]}),
        base.variant("away", vacations=[(None, dt(2030, 1, 8), dt(2030, 1, 10))]),
    ]
    compare(*variants)
    for variant in variants:
        assert variant.plan and variant.moved is not None
    assert dump(session) == before
    assert not session.dirty and not session.new


def test_apply_writes_the_plan_and_keeps_what_moved(planned, session):
    base = Scenario(planned.studio, "as is", compute_resources=True)
    longer = base.variant("longer", efforts={planned.model.id: 30})
    before = dump(session)
    changes = longer.apply()
    session.flush()
    after = dump(session)
    assert after != before
    assert {change.task_id for change in changes} >= {planned.model.id, planned.rig.id}
    assert planned.rig.computed_start == longer.plan.tasks[planned.rig.id].start
    assert planned.studio.last_schedule_changes == [c.as_json() for c in changes]
    assert planned.studio.last_schedule_message == "Scenario 'longer' applied"
    assert planned.model.schedule_timing == 12  # the override is not stored
    session.commit()
    assert longer.variant("again", efforts={planned.model.id: 30}).moved == []


def test_a_refused_apply_writes_nothing(planned, session):
    impossible = Scenario(
        planned.studio, "impossible", efforts={planned.model.id: (20, "y")}
    )
    before = dump(session)
    with pytest.raises(SchedulingError):
        impossible.apply()
    assert dump(session) == before
    assert planned.studio.last_schedule_message == ""


@pytest.mark.parametrize(
    ("overrides", "error", "words"),
    [
        ({"efforts": {999999: 3}}, ValueError, "efforts should be keyed by ids"),
        ({"efforts": {"model": 3}}, TypeError, "keyed by task ids (int)"),
        ({"efforts": {"MODEL": math.nan}}, ValueError, "a finite number >= 0"),
        ({"efforts": {"MODEL": -1}}, ValueError, "not int: -1"),
        ({"efforts": {"MODEL": "3h"}}, TypeError, "a number or (number, unit)"),
        ({"efforts": {"MODEL": (3, "days")}}, ValueError, "a unit of"),
        ({"priorities": {"MODEL": True}}, TypeError, "an int from 0 to 1000"),
        ({"priorities": {"MODEL": 2000}}, ValueError, "not int: 2000"),
        ({"priorities": [1, 2]}, TypeError, "a mapping of task ids"),
        ({"add_resources": {"MODEL": ["ANN"]}}, ValueError, "users not yet working"),
        ({"add_resources": {"MODEL": [999999]}}, ValueError, "the id of a user"),
        ({"add_resources": {"MODEL": 5}}, TypeError, "a list of user ids"),
        ({"remove_resources": {"MODEL": ["BOB"]}}, ValueError, "already working"),
        (
            {"deadlines": {"MODEL": dt(2030, 1, 1)}},
            ValueError,
            "after the studio's now",
        ),
        (
            {"deadlines": {"MODEL": dt(2031, 1, 1)}},
            ValueError,
            "within the studio's end",
        ),
        (
            {"deadlines": {"MODEL": datetime.datetime(2030, 2, 1)}},
            TypeError,
            "a timezone-aware datetime",
        ),
        (
            {"vacations": [("ANN", dt(2030, 1, 9), dt(2030, 1, 8))]},
            ValueError,
            "ending after it starts",
        ),
        (
            {"vacations": [("ANN", dt(2030, 1, 9))]},
            TypeError,
            "a (user id, start, end)",
        ),
    ],
)
def test_wrong_overrides_are_refused_before_planning(planned, overrides, error, words):
    ids = {
        "MODEL": planned.model.id,
        "ANN": planned.ann.id,
        "BOB": planned.bob.id,
    }

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value in ids:
            return ids[value]
        if isinstance(value, dict):
            return {resolve(k): resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, tuple):
            return tuple(resolve(v) for v in value)
        return value

    base = Scenario(planned.studio, "as is")
    with pytest.raises(error) as raised:
        base.variant("wrong", **resolve(overrides))
    assert str(raised.value).startswith("Scenario 'wrong' ")
    assert words in str(raised.value)


def test_wrong_scenario_arguments(planned):
    with pytest.raises(TypeError, match="Scenario studio should be a Studio"):
        Scenario(None, "x")
    with pytest.raises(TypeError, match="Scenario name should be a non-empty str"):
        Scenario(planned.studio, "")
    with pytest.raises(TypeError, match="compare\\(\\) takes Scenarios"):
        compare("as is")
    with pytest.raises(ValueError, match="ids of the planned tasks"):
        Scenario(planned.studio, "x", efforts={planned.project.id: 3})


def test_containers_take_no_effort(planned, session):
    from ..task_factories import TaskWorld

    TaskWorld(session).task("Sculpt", parent=planned.model, schedule_timing=2)
    session.flush()
    with pytest.raises(ValueError, match="FLM / Model has children"):
        Scenario(planned.studio, "x", efforts={planned.model.id: 3})


def test_the_readme_example_runs(tmp_path):
    import re
    import subprocess
    import sys
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    section = readme.split("## Re-plans and what-if scenarios", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"STALKER_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "FLM / Rig" in done.stdout and "it waits for its dependency" in done.stdout
    assert "| stored plan | as is | Bob helps | 3-day model" in done.stdout


def test_a_scenario_of_some_projects(planned, session):
    from ..task_factories import TaskWorld

    other = TaskWorld(session)
    other.project.code = "OTH"
    other.task("Edit", resources=[planned.bob], schedule_timing=2)
    other.flush()
    only = Scenario(planned.studio, "FLM only", projects=[planned.project])
    assert set(only.project_ends) == {"FLM"}
    both = Scenario(planned.studio, "all")
    assert set(both.project_ends) == {"FLM", "OTH"}
    with pytest.raises(ValueError, match="saved Project instances"):
        Scenario(planned.studio, "x", projects=["FLM"])
