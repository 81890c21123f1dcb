"""The report's "Moved since the last plan" section (issue 23), on both backends."""

from __future__ import annotations

from typing import Any

from stalker.reports import build_payload, gather_report_rows, render_html
from tests.cli.studio import build_small_studio


def _replanned(settings: dict[str, Any]) -> tuple[dict[str, int], Any]:
    """The small studio planned, its modelling made longer, planned again."""
    from stalker import NativeScheduler, Studio, Task
    from stalker.db.session import DBSession

    ids = build_small_studio(settings)
    session = DBSession()
    studio = session.query(Studio).one()
    studio.scheduler = NativeScheduler(compute_resources=True)
    studio.schedule()
    session.commit()
    session.get(Task, ids["modelling"]).schedule_timing = 20
    session.get(Task, ids["rigging"]).name = "Rig <b>&</b>"
    studio.schedule()
    session.commit()
    return ids, session


def test_the_report_lists_what_the_last_run_moved(empty_database_settings):
    ids, session = _replanned(empty_database_settings)
    rows = gather_report_rows(session, [ids["project"]])
    moved = {change.task_id: change for change in rows.moved}
    assert {ids["modelling"], ids["rigging"]} <= set(moved)
    assert rows.moved_at is not None
    payload = build_payload(rows)
    by_id = {row["id"]: row for row in payload["moved"]}
    rigging = by_id[ids["rigging"]]
    assert rigging["path"] == "FLM / Rig <b>&</b>"
    assert rigging["start_shift_h"] > 0
    assert rigging["why"] == moved[ids["rigging"]].why
    page = render_html(payload)
    assert "<h2>Moved since the last plan</h2>" in page
    assert "<td>FLM / Rig &lt;b&gt;&amp;&lt;/b&gt;</td>" in page
    assert f"{len(payload['moved'])} tasks moved at the last run" in page


def test_rows_of_other_projects_or_unreadable_ones_are_left_out(
    empty_database_settings,
):
    from stalker import Studio

    ids, session = _replanned(empty_database_settings)
    studio = session.query(Studio).one()
    kept = list(studio.last_schedule_changes)
    studio.last_schedule_changes = [*kept, {"task_id": 1}, {**kept[0], "task_id": -5}]
    session.commit()
    rows = gather_report_rows(session, [ids["project"]])
    assert len(rows.moved) == len(kept)


def test_without_a_re_plan_the_section_says_nothing_moved(empty_database_settings):
    from stalker.db.session import DBSession

    ids = build_small_studio(empty_database_settings)
    rows = gather_report_rows(DBSession(), [ids["project"]])
    assert rows.moved == [] and rows.moved_at is None
    page = render_html(build_payload(rows))
    assert "<p>No task moved at the last run.</p>" in page
