"""``stalker cost`` through click's test runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from stalker.cli import cli
from tests.scheduling.test_cost import build

NOW = "2025-01-06T09:00:00"


def run(url, *args):
    return CliRunner().invoke(cli, ["--url", url, *args])


@pytest.fixture
def cost_url(empty_database_settings):
    """The hand-computed studio of tests/scheduling/test_cost.py, committed."""
    from stalker import db
    from stalker.db.session import DBSession

    db.setup(empty_database_settings)
    db.init()
    ids = build(DBSession)
    DBSession.commit()
    DBSession.remove()
    return empty_database_settings["sqlalchemy.url"], ids


def test_json_has_the_hand_computed_figures(cost_url):
    url, ids = cost_url
    result = run(url, "cost", "CST", "--json", "--now", NOW)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["project"] == {"id": ids["project"], "code": "CST"}
    assert (report["cost"], report["budget"], report["over_by"]) == (
        "7026.67",
        "6000.00",
        "1026.67",
    )
    assert [w["cost"] for w in report["weeks"]] == ["546.67", "6360.00", "120.00"]
    assert report["over_budget_tasks"] == [ids["modelling"]]
    assert report["over_budget_weeks"] == ["2025-W02"]
    assert report["over_budget_goods"] == [ids["hour"]]


def test_the_table_lists_tasks_and_with_week_the_weeks(cost_url):
    url, _ids = cost_url
    plain = run(url, "cost", "CST", "--now", NOW)
    assert plain.exit_code == 0, plain.output
    first = plain.output.splitlines()[0]
    assert first == (
        "CST: cost 7026.67 (done 546.67, planned 6480.00), budget 6000.00, "
        "over by 1026.67"
    )
    assert "CST / Modelling" in plain.output
    assert "over-budget tasks: CST / Modelling" in plain.output
    assert "over-budget weeks: 2025-W02" in plain.output
    assert "over-budget goods: Artist hour" in plain.output
    assert "Rig hour" in plain.output
    assert "2025-W01" not in plain.output
    weekly = run(url, "cost", "CST", "--week", "--now", NOW)
    assert weekly.exit_code == 0, weekly.output
    assert "2025-W01" in weekly.output and "4360.00" in weekly.output


def test_an_unknown_project_is_one_line_and_exit_1(cost_url):
    url, _ids = cost_url
    result = run(url, "cost", "NOPE")
    assert result.exit_code == 1
    assert "no Project with the code 'NOPE'" in result.output
    assert "Traceback" not in result.output


def test_help_names_the_database_sources():
    result = CliRunner().invoke(cli, ["cost", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--url" in text and "$STALKER_DATABASE_URL" in text
    assert "--week" in text and "--json" in text
