"""Seed tutorial 001, Part V, scheduled by NativeScheduler: the dates of tj3."""

from __future__ import annotations

import datetime
import itertools

import pytest

from tests.test_seed_part5 import _parts_1_to_4


@pytest.fixture
def tutorial_db(empty_database_settings):
    from stalker import db

    db.setup(empty_database_settings)
    db.init()


def _dates(project, sh001, tasks):
    return [
        (task.computed_start, task.computed_end) for task in (project, sh001, *tasks)
    ]


def _schedule(studio, scheduler, user):
    from stalker.db.session import DBSession

    studio.scheduler = scheduler
    studio.duration = datetime.timedelta(days=365)
    message = studio.schedule(scheduled_by=user)
    DBSession.commit()
    return message


def test_part_5_native_dates(tutorial_db):
    from stalker import NativeScheduler

    studio, me, _project, sh001, tasks = _parts_1_to_4()
    assert _schedule(studio, NativeScheduler(), me) == ""
    previs, _matchmove, _anim, _lighting, comp = tasks
    # one person does the five tasks one after the other, from now on
    assert previs.computed_start >= studio.now
    assert studio.working_hours.is_working_hour(previs.computed_start)
    assert previs.computed_start - studio.now < datetime.timedelta(days=3)
    for before, after in itertools.pairwise(tasks):
        assert before.computed_end <= after.computed_start
    assert (sh001.computed_start, sh001.computed_end) == (
        previs.computed_start,
        comp.computed_end,
    )
    assert studio.last_scheduled_by is me
    assert studio.last_schedule_message == ""


@pytest.mark.tj3
def test_part_5_native_equals_tj3(tutorial_db):
    from stalker import NativeScheduler, TaskJugglerScheduler

    studio, me, project, sh001, tasks = _parts_1_to_4()
    _schedule(studio, TaskJugglerScheduler(), me)
    expected = _dates(project, sh001, tasks)
    _schedule(studio, NativeScheduler(), me)
    assert _dates(project, sh001, tasks) == expected
