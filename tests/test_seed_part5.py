"""Seed tutorial 001, Part V - Scheduling, as written.

Parts I to IV are rebuilt first (their own tests are test_seed_part1.py and
test_seed_part2b_to_4.py); then the tutorial schedules with tj3 and prints
the ``to_tjp`` texts, which must be TaskJuggler text tj3 accepts.  Only the
document's ``DBsession`` typo is spelled ``DBSession``.
"""

from __future__ import annotations

import datetime
import itertools

import pytest

from .test_seed_part2b_to_4 import _end_of_part_2a, _part_1_and_2a, _part_3_tasks


@pytest.fixture
def tutorial_db(empty_database_settings):
    from stalker import db

    db.setup(empty_database_settings)
    db.init()


def _parts_1_to_4():
    """The studio, the user, the shot and its five tasks of Parts I to IV."""
    from stalker import Studio
    from stalker.db.session import DBSession

    my_studio = Studio(name="My Great Studio")
    DBSession.add(my_studio)
    me, new_project = _part_1_and_2a()
    _seq1, sh001, _sh002, _sh003 = _end_of_part_2a(new_project)
    previs, matchmove, anim, lighting, comp = _part_3_tasks(sh001)

    previs.resources = [me]
    previs.schedule_timing = 10
    previs.schedule_unit = "d"
    matchmove.resources = [me]
    matchmove.schedule_timing = 2
    matchmove.schedule_unit = "d"
    anim.resources = [me]
    anim.schedule_timing = 5
    anim.schedule_unit = "d"
    lighting.resources = [me]
    lighting.schedule_timing = 3
    lighting.schedule_unit = "d"
    comp.resources = [me]
    comp.schedule_timing = 6
    comp.schedule_unit = "h"
    DBSession.commit()
    tasks = (previs, matchmove, anim, lighting, comp)
    return my_studio, me, new_project, sh001, tasks


@pytest.mark.tj3
def test_part_5_scheduling(tutorial_db, capsys, tmp_path):
    my_studio, me, new_project, sh001, tasks = _parts_1_to_4()
    previs, matchmove, anim, lighting, comp = tasks

    # --- Part V, as written ----------------------------------------------------
    from stalker import TaskJugglerScheduler
    from stalker.db.session import DBSession

    my_studio.scheduler = TaskJugglerScheduler()
    my_studio.duration = datetime.timedelta(days=365)  # we are setting the
    my_studio.schedule(scheduled_by=me)  # duration to 1 year just
    # to be sure that TJ3
    # will not complain
    # about the project is not
    # fitting in to the time
    # frame.
    DBSession.commit()  # to reflect the change

    print(previs.computed_start)  # 2014-04-02 16:00:00
    print(previs.computed_end)  # 2014-04-15 15:00:00

    print(matchmove.computed_start)  # 2014-04-15 15:00:00
    print(matchmove.computed_end)  # 2014-04-17 13:00:00

    print(anim.computed_start)  # 2014-04-17 13:00:00
    print(anim.computed_end)  # 2014-04-23 17:00:00

    print(lighting.computed_start)  # 2014-04-23 17:00:00
    print(lighting.computed_end)  # 2014-04-24 11:00:00

    print(comp.computed_start)  # 2014-04-24 11:00:00
    print(comp.computed_end)  # 2014-04-24 17:00:00

    printed = capsys.readouterr().out.split("\n")
    assert len(printed) == 11 and "None" not in printed

    # --- the dates follow the dependencies and the single resource ---------------
    spans = [(task.computed_start, task.computed_end) for task in tasks]
    assert all(start < end for start, end in spans)
    assert anim.computed_start >= max(previs.computed_end, matchmove.computed_end)
    assert lighting.computed_start >= anim.computed_end
    assert comp.computed_start >= lighting.computed_end
    ordered = sorted(spans)
    for (_, end), (next_start, _) in itertools.pairwise(ordered):
        assert end <= next_start  # one person does them one after the other
    assert my_studio.now <= min(start for start, _ in spans)
    assert max(end for _, end in spans) <= my_studio.end
    assert (sh001.computed_start, sh001.computed_end) == (ordered[0][0], ordered[-1][1])
    assert new_project.computed_end == comp.computed_end
    assert my_studio.last_scheduled_by is me
    assert my_studio.last_schedule_message == ""

    # --- the to_tjp texts ---------------------------------------------------------
    print(my_studio.to_tjp)
    print(me.to_tjp)
    print(comp.to_tjp)
    print(new_project.to_tjp)
    out = capsys.readouterr().out
    assert out == "\n".join(
        [my_studio.to_tjp, me.to_tjp, comp.to_tjp, new_project.to_tjp, ""]
    )
    assert "\n".join("    " + line for line in comp.to_tjp.split("\n")) in (
        new_project.to_tjp
    )
    _assert_tj3_accepts(my_studio, me, new_project, tmp_path)


def _assert_tj3_accepts(studio, user, project, folder):
    from stalker.scheduling.tj3 import parse_csv, run_tj3

    text = "\n".join(
        [
            studio.to_tjp,
            'resource resources "Resources" {',
            user.to_tjp,
            "}",
            project.to_tjp,
            'taskreport check "check" {',
            "    formats csv",
            '    timeformat "%Y-%m-%d-%H:%M"',
            "    columns id, start, end",
            "}",
        ]
    )
    tjp = folder / "check.tjp"
    tjp.write_text(text, encoding="utf-8")
    run_tj3("tj3", str(tjp), str(folder), timeout=120)
    rows = parse_csv(str(folder / "check.csv"), compute_resources=False)
    assert len(rows) == 1 + len(project.tasks)  # the project and every task
