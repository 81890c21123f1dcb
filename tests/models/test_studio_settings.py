"""Studio settings are per studio: nothing changes ``stalker.defaults`` (issue 16)."""

from __future__ import annotations

import copy
import datetime

import pytest

import stalker
from stalker import NativeScheduler, Studio, WorkingHours, db
from stalker.db import DBSession
from stalker.scheduling.native import studio_calendar

from ..task_factories import dt

HOUR = datetime.timedelta(hours=1)


def short_week(resolution: datetime.timedelta, name: str = "Short Week") -> Studio:
    """A studio unlike the defaults: Mon-Thu 10:00-18:00, 8-hour days."""
    days = {day: [[600, 1080]] for day in ("mon", "tue", "wed", "thu")}
    hours = WorkingHours(working_hours={**days, "fri": []}, daily_working_hours=8)
    return Studio(
        name=name,
        working_hours=hours,
        timing_resolution=resolution,
        start=dt(2014, 1, 6),
        end=dt(2014, 3, 1),
        now=dt(2014, 1, 6),
    )


def defaults_snapshot() -> dict:
    return copy.deepcopy(stalker.defaults.config_values)


def test_creating_a_studio_changes_no_default():
    before = defaults_snapshot()
    studio = short_week(datetime.timedelta(minutes=5))
    assert defaults_snapshot() == before
    assert studio.timing_resolution == datetime.timedelta(minutes=5)
    assert (studio.daily_working_hours, studio.weekly_working_days) == (8, 4)


def test_loading_a_studio_changes_no_default(session):
    studio = short_week(datetime.timedelta(minutes=5))
    session.add(studio)
    session.commit()
    studio_id = studio.id
    session.expunge_all()
    before = defaults_snapshot()
    loaded = session.get(Studio, studio_id)
    assert loaded.daily_working_hours == 8 and loaded.weekly_working_hours == 32
    assert defaults_snapshot() == before


@pytest.mark.parametrize(
    "bad",
    [
        datetime.timedelta(hours=-1),
        datetime.timedelta(0),
        datetime.timedelta(seconds=30),
        datetime.timedelta(minutes=10, seconds=1),
    ],
)
def test_a_resolution_that_is_not_whole_positive_minutes_is_refused(bad):
    before = defaults_snapshot()
    with pytest.raises(ValueError, match=r"Studio\.timing_resolution should be a"):
        Studio(name="S", timing_resolution=bad)
    studio = Studio(name="S", timing_resolution=HOUR)
    with pytest.raises(ValueError, match=r"Studio\.timing_resolution"):
        studio.timing_resolution = bad
    assert studio.timing_resolution == HOUR
    assert defaults_snapshot() == before


def test_now_and_dates_round_with_the_studio_resolution():
    stalker.defaults.timing_resolution = HOUR
    studio = Studio(
        name="S",
        timing_resolution=datetime.timedelta(minutes=15),
        now=dt(2014, 1, 6, 10, 23),
    )
    assert studio.now == dt(2014, 1, 6, 10, 30)
    assert "    now 2014-01-06-10:30\n" in studio.to_tjp
    studio.timing_resolution = datetime.timedelta(minutes=5)
    studio.now = dt(2014, 1, 6, 10, 23)
    assert studio.now == dt(2014, 1, 6, 10, 25)


def test_the_native_calendar_reads_the_studio_not_the_defaults():
    stalker.defaults.timing_resolution = HOUR
    stalker.defaults.daily_working_hours = 9
    calendar = studio_calendar(short_week(datetime.timedelta(minutes=30)))
    assert calendar.resolution == datetime.timedelta(minutes=30)
    assert calendar.daily_working_hours == 8.0
    assert calendar.working_hours[4] == []  # Friday off in this studio


def test_two_databases_in_one_process_keep_their_own_settings(
    empty_database_settings, tmp_path
):
    other_settings = {"sqlalchemy.url": f"sqlite:///{tmp_path / 'other.db'}"}
    before = defaults_snapshot()
    for settings, minutes in ((empty_database_settings, 5), (other_settings, 30)):
        db.setup(settings)
        db.init()
        DBSession.add(short_week(datetime.timedelta(minutes=minutes), f"S{minutes}"))
        DBSession.commit()
        DBSession.remove()
    seen = {}
    for settings in (empty_database_settings, other_settings, empty_database_settings):
        db.setup(settings)
        studio = Studio.query.one()
        scheduler = NativeScheduler(studio)
        scheduler.schedule()
        seen[studio.name] = scheduler.calendar.resolution
        assert defaults_snapshot() == before
        DBSession.rollback()
        DBSession.remove()
    assert seen == {
        "S5": datetime.timedelta(minutes=5),
        "S30": datetime.timedelta(minutes=30),
    }
