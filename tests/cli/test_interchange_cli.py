"""``stalker import`` / ``stalker export`` through click's runner (both backends)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from stalker.cli import cli
from tests.cli.studio import build_small_studio
from tests.interchange.test_edit import EDL

SHOTS = """\
Sequence,Shot Code,Cut In,Cut Out,Frame Rate,Description
SEQ01,SH010,1001,1048,24,Opening
SEQ01,SH020,1001,1100,,Chase
SEQ01,SH030,10,5,,Backwards
"""


def run(url, *args):
    return CliRunner().invoke(cli, ["--url", url, *args])


def _studio(settings):
    build_small_studio(settings)
    return settings["sqlalchemy.url"]


def test_import_a_shot_list_dry_run_then_for_real(empty_database_settings, tmp_path):
    url = _studio(empty_database_settings)
    shots = tmp_path / "shots.csv"
    shots.write_text(SHOTS)

    dry = run(url, "import", str(shots), "--project", "FLM", "--dry-run", "--json")
    assert dry.exit_code == 1, dry.output  # a refused row
    report = json.loads(dry.output)
    assert report["dry_run"] is True and report["rows"] == 3
    assert report["refused"] == [
        {"row": 4, "column": "cut_out", "reason": "should be >= cut_in (10)"}
    ]
    assert report["created"] == ["Sequence SEQ01", "Shot SH010", "Shot SH020"]

    listed = run(url, "tasks", "--project", "FLM", "--json")
    assert not any(task["name"] == "SH010" for task in json.loads(listed.output))

    done = run(url, "import", str(shots), "--project", "FLM")
    assert done.exit_code == 1
    assert "3 created" in done.output and "row 4, cut_out" in done.output
    listed = run(url, "tasks", "--project", "FLM", "--json")
    names = {task["name"] for task in json.loads(listed.output)}
    assert {"SH010", "SH020"} <= names and "SH030" not in names

    again = run(url, "import", str(shots), "--project", "FLM", "--json")
    assert json.loads(again.output)["created"] == []  # idempotent


def test_import_an_edl_and_export_the_project(empty_database_settings, tmp_path):
    url = _studio(empty_database_settings)
    edl = tmp_path / "cut.edl"
    edl.write_text(EDL)
    done = run(url, "import", str(edl), "--project", "FLM", "--json")
    assert done.exit_code == 0, done.output
    created = json.loads(done.output)["created"]
    assert created

    exported = tmp_path / "flm.json"
    result = run(url, "export", "FLM", "-o", str(exported))
    assert result.exit_code == 0, result.output
    data = json.loads(exported.read_text())
    assert [project["code"] for project in data["projects"]] == ["FLM"]
    assert len(data["tasks"]) >= len(created)

    folder = tmp_path / "csv"
    result = run(url, "export", "FLM", "-o", str(folder), "--csv")
    assert result.exit_code == 0, result.output
    assert (folder / "shots.csv").exists()


def test_import_refuses_an_unknown_kind_of_file(empty_database_settings, tmp_path):
    url = _studio(empty_database_settings)
    odd = tmp_path / "shots.xlsx"
    odd.write_text("x")
    result = run(url, "import", str(odd), "--project", "FLM")
    assert result.exit_code == 1
    assert "unknown kind of file" in result.output
    assert "Traceback" not in result.output
