"""The ``stalker`` command through click's test runner, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from stalker.cli import cli
from tests.cli.studio import build_small_studio, studio_now

TASK_KEYS = {
    "id",
    "name",
    "path",
    "project",
    "parent_id",
    "status",
    "start",
    "end",
    "schedule_timing",
    "schedule_unit",
    "schedule_model",
    "priority",
    "resources",
}
PROJECT_KEYS = {"id", "code", "name", "status", "start", "end", "task_count"}


def run(url, *args):
    return CliRunner().invoke(cli, ["--url", url, *args])


def studio_wednesday() -> str:
    """The small studio's "now" as the command takes it (see ``studio_now``)."""
    return studio_now().isoformat()


@pytest.fixture
def studio_url(empty_database_settings):
    ids = build_small_studio(empty_database_settings)
    return empty_database_settings["sqlalchemy.url"], ids


def test_help_names_every_database_source():
    runner = CliRunner()
    for args in (
        [],
        ["init"],
        ["schedule"],
        ["tasks"],
        ["projects"],
        ["report"],
        ["import"],
        ["export"],
    ):
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert "--url" in text
        assert "$STALKER_DATABASE_URL" in text
        assert "$STALKER_PATH/config.py" in text
        assert "stalker.db" in text


def test_python_dash_m_stalker_is_the_same_command():
    done = subprocess.run(
        [sys.executable, "-m", "stalker", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "schedule" in done.stdout and "report" in done.stdout


def test_init_is_idempotent_and_shows_a_generated_password_once(
    empty_database_settings, monkeypatch
):
    import stalker
    from stalker.migrations import runner

    monkeypatch.delenv("STALKER_ADMIN_PASSWORD", raising=False)
    stalker.defaults.admin_password = None  # the suite sets one; undone after
    url = empty_database_settings["sqlalchemy.url"]
    first = run(url, "init")
    assert first.exit_code == 0, first.output
    assert "database ready" in first.stdout
    assert "with the password" in first.stderr
    second = run(url, "init")
    assert second.exit_code == 0, second.output
    assert "with the password" not in second.stderr
    current = run(url, "db", "current")
    assert current.stdout.strip() == runner.head()
    upgrade = run(url, "db", "upgrade")
    assert upgrade.exit_code == 0
    assert upgrade.stdout.strip() == f"database at {runner.head()}"


def test_db_history_lists_the_revisions():
    from stalker.migrations import runner

    result = CliRunner().invoke(cli, ["db", "history"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0].split(" -> ")[1] for line in lines] == [
        info.revision for info in runner.history()
    ]


def test_the_url_comes_from_the_environment(empty_database_settings, monkeypatch):
    monkeypatch.setenv(
        "STALKER_DATABASE_URL", empty_database_settings["sqlalchemy.url"]
    )
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    assert "database ready" in result.stdout


def test_projects_json(studio_url):
    url, ids = studio_url
    result = run(url, "projects", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["code"] for row in rows] == ["FLM"]
    assert set(rows[0]) == PROJECT_KEYS
    assert rows[0]["id"] == ids["project"]
    assert rows[0]["task_count"] == 3
    table = run(url, "projects")
    assert table.exit_code == 0 and "FLM" in table.stdout


def test_tasks_json_and_filters(studio_url):
    url, ids = studio_url
    everything = json.loads(run(url, "tasks", "--json").stdout)
    assert {row["id"] for row in everything} == {
        ids["modelling"],
        ids["lookdev"],
        ids["rigging"],
    }
    for row in everything:
        assert set(row) == TASK_KEYS
    assert {row["path"] for row in everything} == {
        "FLM / Modelling",
        "FLM / Lookdev",
        "FLM / Rigging",
    }
    of_ann = json.loads(run(url, "tasks", "--json", "--user", "ann").stdout)
    assert {row["name"] for row in of_ann} == {"Modelling", "Lookdev"}
    assert all(row["resources"] == ["ann"] for row in of_ann)
    waiting = json.loads(run(url, "tasks", "--json", "--status", "WFD").stdout)
    assert [row["name"] for row in waiting] == ["Rigging"]
    both = run(url, "tasks", "--json", "--status", "WFD", "--status", "WIP")
    assert {row["name"] for row in json.loads(both.stdout)} == {"Rigging", "Modelling"}
    of_film = run(url, "tasks", "--project", "FLM")
    assert of_film.exit_code == 0 and "Rigging" in of_film.stdout


def test_schedule_dry_run_writes_nothing_then_a_run_does(studio_url):
    url, _ids = studio_url
    before = json.loads(run(url, "tasks", "--json").stdout)
    wednesday = studio_wednesday()
    dry = run(url, "schedule", "--dry-run", "--json", "--now", wednesday)
    assert dry.exit_code == 0, dry.output
    summary = json.loads(dry.stdout)
    assert summary["dry_run"] is True
    assert summary["tasks_planned"] == 3
    assert set(summary["project_ends"]) == {"FLM"}
    # the lookdev ends last and waited for Ann, not for a task
    assert summary["critical_path"] == {
        "tasks": 1,
        "hours": 6.0,
        "ends_with": "FLM / Lookdev",
    }
    assert json.loads(run(url, "tasks", "--json").stdout) == before

    done = run(url, "schedule", "--project", "FLM", "--now", wednesday)
    assert done.exit_code == 0, done.output
    assert "planned 3 tasks" in done.stdout
    assert "critical path" in done.stdout
    after = {row["name"]: row for row in json.loads(run(url, "tasks", "--json").stdout)}
    assert after["Rigging"]["start"] >= after["Modelling"]["end"]
    assert after["Lookdev"]["start"] >= after["Modelling"]["end"]
    assert summary["project_ends"]["FLM"] == max(row["end"] for row in after.values())


def test_errors_are_one_line_on_stderr(studio_url):
    url, _ids = studio_url
    for args in (
        ("schedule", "--project", "NOPE"),
        ("tasks", "--user", "nobody"),
        ("tasks", "--project", "NOPE"),
    ):
        result = run(url, *args)
        assert result.exit_code == 1
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ValueError: no ")
        assert "Traceback" not in result.output
    debug = CliRunner().invoke(cli, ["--debug", "--url", url, "tasks", "--user", "x"])
    assert debug.exit_code == 1
    assert isinstance(debug.exception, ValueError)
    usage = run(url, "schedule", "--studio", "--project", "FLM")
    assert usage.exit_code == 2 and "not both" in usage.stderr


def test_schedule_without_a_studio_is_refused(empty_database_settings):
    url = empty_database_settings["sqlalchemy.url"]
    assert run(url, "init").exit_code == 0
    result = run(url, "schedule")
    assert result.exit_code == 1
    assert "no Studio in the database" in result.stderr


def test_a_password_in_the_url_is_never_printed():
    url = "postgresql+psycopg://someone:s3cret-word@127.0.0.1:1/nothing"
    result = CliRunner().invoke(cli, ["--url", url, "projects"])
    assert result.exit_code == 1
    assert "s3cret-word" not in result.output


def test_schedule_from_a_given_now(studio_url):
    url, _ids = studio_url
    later = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    result = run(url, "schedule", "--dry-run", "--json", "--now", f"{later}T09:00")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["project_ends"]["FLM"] >= later
    wrong = run(url, "schedule", "--now", "next tuesday")
    assert wrong.exit_code == 2
    assert "ISO 8601" in wrong.stderr


def test_report_command_writes_the_page(studio_url, tmp_path):
    url, _ids = studio_url
    target = tmp_path / "flm.html"
    today = datetime.date.today().isoformat()
    result = run(url, "report", "FLM", "-o", str(target), "--now", today)
    assert result.exit_code == 0, result.output
    assert f"report of 3 tasks written to {target}" in result.stdout
    page = target.read_text("utf-8")
    assert "<title>Schedule report: FLM</title>" in page
    missing = run(url, "report", "NOPE", "-o", str(tmp_path / "x.html"))
    assert missing.exit_code == 1
    assert "no Project with the code 'NOPE'" in missing.stderr


@pytest.mark.tj3
def test_schedule_with_tj3(studio_url):
    url, _ids = studio_url
    result = run(url, "schedule", "--engine", "tj3", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["engine"] == "tj3"
    assert summary["tasks_planned"] == 3
    assert summary["critical_path"] is None
    assert set(summary["project_ends"]) == {"FLM"}


def test_the_critical_path_follows_the_dependencies_that_fixed_each_start():
    import datetime

    from stalker.cli.scheduling import driving_chain
    from stalker.scheduling import Plan, ScheduleData, TaskPlan, TaskRow

    def at(hour):
        return datetime.datetime(2030, 1, 7, hour, tzinfo=datetime.timezone.utc)

    data = ScheduleData(project_ids=[1])
    for task_id in (10, 11, 12, 13):
        data.tasks[task_id] = TaskRow(id=task_id, project_id=1, parent_id=None)
    plan = Plan()
    plan.tasks = {
        10: TaskPlan(10, at(9), at(11)),
        11: TaskPlan(11, at(11), at(13), reason="dependency", reason_task_id=10),
        12: TaskPlan(12, at(9), at(10)),
        13: TaskPlan(13, at(13), at(17), reason="dependency", reason_task_id=11),
    }
    assert driving_chain(plan, data) == [10, 11, 13]
    assert driving_chain(Plan(), ScheduleData()) == []


def test_without_any_setting_the_default_sqlite_file_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("STALKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("STALKER_PATH", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = CliRunner().invoke(cli, ["db", "current"])
    assert result.exit_code == 0, result.output
    assert "not a stalker database" in result.stdout
    assert (tmp_path / "data" / "stalker").is_dir()
    assert CliRunner().invoke(cli, ["init"]).exit_code == 0
    assert (tmp_path / "data" / "stalker" / "stalker.db").is_file()


def test_schedule_shows_what_moved_since_the_last_plan(studio_url):
    url, ids = studio_url
    now = ("--now", studio_wednesday())
    first = run(url, "schedule", "--json", *now)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["changes"] == []  # nothing was planned before
    again = run(url, "schedule", *now)
    assert "since the last plan: no task moved" in again.stdout

    from stalker import Task, db
    from stalker.db.session import DBSession

    db.setup({"sqlalchemy.url": url})
    DBSession.get(Task, ids["modelling"]).schedule_timing = 20
    DBSession.commit()
    DBSession.remove()

    dry = run(url, "schedule", "--dry-run", "--json", *now)
    changes = json.loads(dry.stdout)["changes"]
    by_path = {row["path"]: row for row in changes}
    assert {"FLM / Modelling", "FLM / Rigging"} <= set(by_path)
    rigging = by_path["FLM / Rigging"]
    assert rigging["task_id"] == ids["rigging"]
    assert rigging["start_shift_h"] > 0
    # the modelling now ends at the end of a day: the rigging waits for the
    # next morning (working hours), else for the modelling itself
    assert rigging["reason"] in ("calendar", "dependency")
    assert rigging["why"].startswith("starts ") and ": it waits for " in rigging["why"]
    assert set(rigging) >= {"old_start", "new_start", "old_end", "new_end"}
    table = run(url, "schedule", *now)
    assert f"since the last plan: {len(changes)} tasks moved" in table.stdout
    assert "FLM / Rigging" in table.stdout
    assert "since the last plan: no task moved" in run(url, "schedule", *now).stdout


def test_scenario_compares_without_writing_until_applied(studio_url):
    url, ids = studio_url
    now = ("--now", studio_wednesday())
    assert run(url, "schedule", *now).exit_code == 0
    before = json.loads(run(url, "tasks", "--json").stdout)
    longer = f"{ids['modelling']}=3d"
    result = run(url, "scenario", "--effort", longer, "--json", *now)
    assert result.exit_code == 0, result.output
    comparison = json.loads(result.stdout)
    assert comparison["applied"] is False
    as_is, what_if = comparison["scenarios"]
    assert (as_is["name"], what_if["name"]) == ("as is", "what if")
    assert as_is["moved"] == [] and as_is["project_ends"] == comparison["stored_ends"]
    assert what_if["project_ends"]["FLM"] > as_is["project_ends"]["FLM"]
    assert "FLM / Rigging" in {row["path"] for row in what_if["moved"]}
    assert json.loads(run(url, "tasks", "--json").stdout) == before

    table = run(
        url, "scenario", "--effort", longer, "--add", f"{ids['lookdev']}=bob", *now
    )
    assert table.exit_code == 0, table.output
    assert "stored plan" in table.stdout and "what if" in table.stdout
    assert "end of FLM" in table.stdout
    assert json.loads(run(url, "tasks", "--json").stdout) == before

    applied = run(url, "scenario", "--effort", longer, "--apply", *now)
    assert applied.exit_code == 0, applied.output
    assert "applied" in applied.stdout
    after = json.loads(run(url, "tasks", "--json").stdout)
    assert after != before
    assert max(row["end"] for row in after) == what_if["project_ends"]["FLM"]


def test_scenario_refuses_wrong_options(studio_url):
    url, ids = studio_url
    assert "$STALKER_DATABASE_URL" in run(url, "scenario", "--help").stdout
    usage = run(url, "scenario", "--effort", "modelling=3d")
    assert usage.exit_code == 2 and "TASK_ID=TIMING[UNIT]" in usage.stderr
    nobody = run(url, "scenario", "--add", f"{ids['lookdev']}=nobody")
    assert nobody.exit_code == 1
    assert "no User with the login 'nobody'" in nobody.stderr
    negative = run(url, "scenario", "--effort", f"{ids['modelling']}=-3")
    assert negative.exit_code == 1 and "a finite number >= 0" in negative.stderr
