"""The report's data: why-texts, bars, load and progress from plain rows."""

from __future__ import annotations

import json
import re

from stalker.reports import (
    TASK_FIELDS,
    build_payload,
    gather_report_rows,
    render_html,
    write_report,
)
from tests.cli.studio import build_small_studio, studio_now

FIELD = {name: i for i, name in enumerate(TASK_FIELDS)}


def _payload(settings):
    from stalker.db.session import DBSession

    ids = build_small_studio(settings)
    rows = gather_report_rows(DBSession(), [ids["project"]], now=studio_now())
    return ids, rows, build_payload(rows)


def test_why_texts_name_the_dependency_and_the_busy_resource(empty_database_settings):
    ids, _rows, payload = _payload(empty_database_settings)
    tasks = {task[FIELD["id"]]: task for task in payload["tasks"]}
    assert set(tasks) == {ids["modelling"], ids["lookdev"], ids["rigging"]}
    assert (
        tasks[ids["rigging"]][FIELD["why"]]
        == "waits for its dependency FLM / Modelling"
    )
    assert (
        tasks[ids["lookdev"]][FIELD["why"]]
        == "waits for a busy or absent resource (Ann)"
    )
    # the lookdev ends last: it is critical, the rigging has slack
    assert tasks[ids["lookdev"]][FIELD["critical"]] == 1
    assert tasks[ids["rigging"]][FIELD["critical"]] == 0
    assert tasks[ids["rigging"]][FIELD["slack_h"]] > 0
    assert (
        tasks[ids["rigging"]][FIELD["start"]] >= tasks[ids["modelling"]][FIELD["end"]]
    )
    assert payload["deps"] == [[ids["rigging"], ids["modelling"]]]


def test_logged_work_load_and_progress(empty_database_settings):
    ids, rows, payload = _payload(empty_database_settings)
    assert [log[0] for log in payload["logs"]] == [ids["modelling"]]
    modelling = next(t for t in payload["tasks"] if t[0] == ids["modelling"])
    assert modelling[FIELD["done_h"]] == 2.0
    assert modelling[FIELD["planned_h"]] == 12.0
    # 2 of 22 planned hours are logged
    assert payload["progress"]["percent"] == round(100 * 2 / 22, 1)
    assert payload["progress"]["by_status"] == {"RTS": 1, "WFD": 1, "WIP": 1}
    load = payload["load"]
    by_login = {rows.users[u["user"]][1]: u for u in load["users"]}
    assert set(by_login) == {"ann", "bob"}
    assert sum(by_login["ann"]["booked"]) == 18.0  # 12 h modelling, 6 h lookdev
    assert sum(by_login["bob"]["booked"]) == 4.0
    assert all(c == 45.0 for c in by_login["ann"]["capacity"])
    assert len(load["weeks"]) == len(by_login["ann"]["booked"])


def test_the_page_is_self_contained_and_escapes_names(tmp_path):
    payload = {
        "title": "<T>",
        "generated": 0,
        "today": 0,
        "fields": list(TASK_FIELDS),
        "tasks": [
            [1, 0, 9, "</script><b>x", 0, 60, "RTS", 1, 0, "why", [], "", 0, 0, 0]
        ],
        "logs": [],
        "deps": [],
        "users": {},
        "projects": {"9": ["P", "Project"]},
        "load": {"weeks": [], "users": []},
        "progress": {"percent": 0, "by_status": {}},
    }
    page = render_html(payload)
    assert "<title>Schedule report: &lt;T&gt;</title>" in page
    assert page.count("</script>") == 2  # the data block and the script
    data = re.search(r'id="report-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(data)["tasks"][0][3] == "</script><b>x"
    assert not re.search(r"(src|href)=\"https?:", page)


def test_write_report_of_a_project_and_of_the_studio(empty_database_settings, tmp_path):
    from stalker.db.session import DBSession

    build_small_studio(empty_database_settings)
    target = tmp_path / "flm.html"
    assert write_report(DBSession(), target, ["FLM"]) == 3
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert write_report(DBSession(), tmp_path / "studio.html") == 3
    assert not list(tmp_path.glob("*.partial"))
