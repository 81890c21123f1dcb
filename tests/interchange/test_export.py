"""Export to JSON/CSV and back into an empty database (both backends)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from stalker import Version, db
from stalker.interchange.export import (
    export_project,
    import_project,
    write_csv,
    write_json,
)
from stalker.interchange.shot_list import import_shot_list

from .conftest import shot

SHOTS = """\
sequence,shot,cut in,cut out,fps,description,task template,assignees
SEQ01,SH010,1001,1048,24,Opening,Shot Chain,Animation:anim2
SEQ01,SH020,1001,1100,,Chase,Shot Chain,
"""


def canonical(data):
    """The export with ids replaced by names: equal iff the projects are equal."""
    tasks = {row["id"]: row for row in data["tasks"]}
    projects = {p["id"]: p["code"] for p in data["projects"]}

    def path(task_id):
        row = tasks[task_id]
        if row["parent"] is None:
            return f"{projects[row['project']]}/{row['name']}"
        return f"{path(row['parent'])}/{row['name']}"

    users = {u["id"]: u["login"] for u in data["users"]}
    types = {t["id"]: t["name"] for t in data["types"]}
    rows = []
    for row in data["tasks"]:
        row = dict(row, id=path(row["id"]), project=projects[row["project"]])
        row["parent"] = row["parent"] and path(row["parent"])
        row["type"] = row["type"] and types[row["type"]]
        row["resources"] = sorted(users[u] for u in row["resources"])
        row["depends_on"] = sorted(
            (dict(d, task=path(d["task"])) for d in row["depends_on"]),
            key=lambda d: d["task"],
        )
        if "sequences" in row:
            row["sequences"] = [path(s) for s in row["sequences"]]
        del row["date_created"]
        rows.append(row)
    versions = [
        dict(v, id=None, task=path(v["task"]), date_created=None)
        for v in data["versions"]
    ]
    return {
        "projects": [dict(p, id=None) for p in data["projects"]],
        "users": sorted((u["login"], u["name"], u["email"]) for u in data["users"]),
        "types": sorted(
            (t["name"], t["code"], t["target_entity_type"]) for t in data["types"]
        ),
        "templates": data["task_templates"],
        "tasks": sorted(rows, key=lambda r: r["id"]),
        "versions": sorted(versions, key=lambda v: (v["task"], v["version_number"])),
    }


@pytest.fixture
def production(session, studio):
    """Two imported shots with their chains, a hand-made shot and two versions."""
    project = studio["project"]
    import_shot_list(io.StringIO(SHOTS), project)
    extra = shot(project, "SH030", sequences=[], cut_in=5, cut_out=9)
    extra.description = "by hand"
    comp = studio["template"].apply(extra)[-1]
    Version(task=comp, full_path="FC/SH030/comp_v001.exr")
    Version(task=comp, full_path="FC/SH030/comp_v002.exr", created_with="Nuke")
    session.commit()
    return project


def test_export_is_plain_json_with_utc_dates(session, production):
    seen = []
    data = export_project(production, progress=lambda d, t: seen.append((d, t)))
    text = json.dumps(data)  # plain data only
    assert json.loads(text)["format"] == "stalker-export"
    assert seen == [(i, 21) for i in range(1, 22)]  # 19 tasks, 2 versions
    assert [p["code"] for p in data["projects"]] == ["FC"]
    kinds = [row["entity_type"] for row in data["tasks"]]
    assert kinds.count("Shot") == 3
    assert kinds.count("Sequence") == 1
    assert kinds.count("Task") == 15
    positions = {row["id"]: i for i, row in enumerate(data["tasks"])}
    for i, row in enumerate(data["tasks"]):
        assert row["parent"] is None or positions[row["parent"]] < i
        assert all(positions[d["task"]] < i for d in row["depends_on"])
    first = next(r for r in data["tasks"] if r["code"] == "SH010")
    assert (first["cut_in"], first["cut_out"], first["fps"]) == (1001, 1048, 24)
    assert first["date_created"].endswith("Z")
    assert [v["full_path"] for v in data["versions"]] == [
        "FC/SH030/comp_v001.exr",
        "FC/SH030/comp_v002.exr",
    ]
    assert [v["version_number"] for v in data["versions"]] == [1, 2]
    statuses = {r["name"]: r["status"] for r in data["tasks"] if r["parent"]}
    assert statuses["Layout"] == "RTS"
    assert statuses["Comp"] == "WFD"


def test_csv_per_entity_type(session, production, tmp_path):
    data = export_project(production)
    paths = write_csv(data, tmp_path / "out")
    assert sorted(p.name for p in paths) == [
        "projects.csv",
        "sequences.csv",
        "shots.csv",
        "tasks.csv",
        "types.csv",
        "users.csv",
        "versions.csv",
    ]
    with (tmp_path / "out" / "shots.csv").open() as stream:
        shots = list(csv.DictReader(stream))
    assert [(s["shot"], s["sequence"], s["cut_in"]) for s in shots] == [
        ("SH010", "SEQ01", "1001"),
        ("SH020", "SEQ01", "1001"),
        ("SH030", "", "5"),
    ]
    # the shots file is a shot list: importing it again changes nothing
    again = import_shot_list(tmp_path / "out" / "shots.csv", production)
    assert again.refused == [] and again.created == [] and again.updated == []


def test_export_then_import_into_an_empty_database(
    session, production, empty_database_settings, tmp_path
):
    before = export_project(production)
    path = write_json(before, tmp_path / "fc.json")
    session.remove()
    db.setup(empty_database_settings)
    db.init()
    seen = []
    projects = import_project(path, progress=lambda d, t: seen.append((d, t)))
    assert [p.code for p in projects] == ["FC"]
    assert seen[-1] == (21, 21)
    after = export_project(projects)
    assert canonical(after) == canonical(before)
    with pytest.raises(ValueError, match="should not hold a project coded 'FC'"):
        import_project(path)
    assert len(export_project()["projects"]) == 1
