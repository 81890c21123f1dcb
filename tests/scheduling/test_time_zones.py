"""Studio and user time zones in both schedulers (issue 23), on every backend.

A Los Angeles studio works 9-18 Los Angeles time, in winter (-08:00) and in
summer (-07:00): 2014-03-09 moves the clocks, between a Friday and a Monday.
"""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo
from typing import Any

import pytest

from stalker import NativeScheduler, Studio, TaskJugglerScheduler, Vacation
from stalker.scheduling import SchedulingError
from stalker.scheduling.tjp import tj3_time_zone

from ..factories import make_user
from ..task_factories import TaskWorld, dt

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
STUDIO_ZONE = "America/Los_Angeles"


def build(session: Any, effort: float = 18, minutes: int = 60, **user: Any) -> Any:
    """A Los Angeles studio, one artist and one effort task from Friday 7 March."""
    studio = Studio(
        name="LA Studio",
        timezone=STUDIO_ZONE,
        start=dt(2014, 3, 1),
        end=dt(2014, 4, 30),
        now=dt(2014, 3, 7, 12),  # 04:00 on Friday in Los Angeles
        timing_resolution=datetime.timedelta(minutes=minutes),
        daily_working_hours=9,
    )
    artist = make_user("artist", **user)
    session.add_all([studio, artist])
    session.flush()
    world = TaskWorld(session)
    comp = world.task("Comp", schedule_timing=effort, resources=[artist])
    world.flush()
    session.commit()
    return studio, artist, comp


def run(studio: Studio, scheduler: Any, session: Any) -> None:
    studio.scheduler = scheduler
    studio.schedule()
    session.commit()
    session.expire_all()


def local(moment: datetime.datetime, zone: zoneinfo.ZoneInfo = LA) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z")


# -- the studio's zone, across a daylight-saving change -------------------------


def test_native_works_local_hours_across_dst(session):
    studio, _, comp = build(session)
    run(studio, NativeScheduler(), session)
    assert comp.computed_start == dt(2014, 3, 7, 17)  # 09:00 PST
    assert comp.computed_end == dt(2014, 3, 11, 1)  # 18:00 PDT, Monday
    assert local(comp.computed_start) == "Fri 2014-03-07 09:00 PST"
    assert local(comp.computed_end) == "Mon 2014-03-10 18:00 PDT"


@pytest.mark.tj3
def test_tj3_works_local_hours_across_dst(session):
    studio, _, comp = build(session)
    run(studio, TaskJugglerScheduler(), session)
    assert (comp.computed_start, comp.computed_end) == (
        dt(2014, 3, 7, 17),
        dt(2014, 3, 11, 1),
    )


def test_a_vacation_is_the_instants_it_was_given_in(session):
    """A local day off (aware Los Angeles datetimes) blocks that local day."""
    studio, artist, comp = build(session, effort=9)
    friday = datetime.datetime(2014, 3, 7, tzinfo=LA)
    session.add(Vacation(user=artist, start=friday, end=friday + datetime.timedelta(1)))
    session.commit()
    run(studio, NativeScheduler(), session)
    assert local(comp.computed_start) == "Mon 2014-03-10 09:00 PDT"
    assert local(comp.computed_end) == "Mon 2014-03-10 18:00 PDT"


@pytest.mark.tj3
def test_tj3_reads_the_vacation_alike(session):
    studio, artist, comp = build(session, effort=9)
    friday = datetime.datetime(2014, 3, 7, tzinfo=LA)
    session.add(Vacation(user=artist, start=friday, end=friday + datetime.timedelta(1)))
    session.commit()
    run(studio, TaskJugglerScheduler(), session)
    assert local(comp.computed_start) == "Mon 2014-03-10 09:00 PDT"
    assert local(comp.computed_end) == "Mon 2014-03-10 18:00 PDT"


# -- the .tjp file ----------------------------------------------------------------


def test_the_tjp_states_the_zone_and_utc_dates(session):
    studio, artist, _ = build(session)
    session.add(Vacation(user=artist, start=dt(2014, 3, 20), end=dt(2014, 3, 21)))
    session.commit()
    header = studio.to_tjp.splitlines()
    zone_line = header.index('    timezone "America/Los_Angeles"')
    assert zone_line < header.index("    workinghours mon 09:00 - 18:00")
    assert "    now 2014-03-07-12:00-+0000" in header
    scheduler = TaskJugglerScheduler()
    scheduler.studio = studio
    scheduler._create_tjp_file()
    try:
        scheduler._create_tjp_file_content()
    finally:
        scheduler._clean_up()
    text = scheduler.tjp_content
    assert "vacation 2014-03-20-00:00:00-+0000 - 2014-03-21-00:00:00-+0000" in text
    assert '    timezone "UTC"\n    timeformat "%Y-%m-%d-%H:%M"' in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("UTC", None),
        ("Etc/UTC", None),
        ("GMT", None),
        ("Europe/London", "Europe/London"),
        ("Asia/Kolkata", "Asia/Kolkata"),
    ],
)
def test_tj3_zone_names(name, expected):
    assert tj3_time_zone(name) == expected


def test_a_zone_tj3_cannot_read_is_refused_by_name():
    with pytest.raises(ValueError, match=r"Studio\.timezone .*'Asia/Tokyo'.*'Japan'"):
        tj3_time_zone("Japan")


# -- per-user zones ----------------------------------------------------------------


def test_native_plans_a_remote_artist_in_her_own_zone(session):
    studio, _, comp = build(session, effort=9, minutes=30, timezone="Asia/Kolkata")
    studio.now = dt(2014, 3, 10)
    run(studio, NativeScheduler(), session)
    india = zoneinfo.ZoneInfo("Asia/Kolkata")
    assert local(comp.computed_start, india) == "Mon 2014-03-10 09:00 IST"
    assert local(comp.computed_end, india) == "Mon 2014-03-10 18:00 IST"


def test_tj3_refuses_a_remote_artist_and_changes_nothing(session):
    studio, _, comp = build(session, effort=9, timezone="Asia/Kolkata")
    studio.scheduler = TaskJugglerScheduler()
    with pytest.raises(SchedulingError) as caught:
        studio.schedule()
    message = str(caught.value)
    assert "artist (Asia/Kolkata)" in message
    assert "User.timezone" in message and "NativeScheduler" in message
    session.rollback()
    assert comp.computed_start is None and comp.computed_end is None


def test_a_user_in_the_studio_zone_is_fine_for_tj3(session):
    studio, _, _ = build(session, timezone=STUDIO_ZONE)
    scheduler = TaskJugglerScheduler()
    scheduler.studio = studio
    scheduler._create_tjp_file()
    try:
        scheduler._create_tjp_file_content()
    finally:
        scheduler._clean_up()
    assert 'timezone "America/Los_Angeles"' in scheduler.tjp_content


# -- plain data: the engine and the checker ----------------------------------------


def zoned_calendar(zone: str, **resource_zones: str) -> Any:
    from .helpers import calendar

    plain = calendar(start="2014-03-03-00:00", now="2014-03-03-00:00", minutes=30)
    return dataclasses.replace(
        plain,
        timezone=zone,
        resource_timezones={int(k[1:]): v for k, v in resource_zones.items()},
    )


def test_engine_mask_follows_the_clock_change():
    from stalker.scheduling.engine import _Slots

    slots = _Slots(zoned_calendar(STUDIO_ZONE))
    friday, monday = slots.index(dt(2014, 3, 7, 12)), slots.index(dt(2014, 3, 10, 12))
    assert slots.moment(slots.work.find(1, friday)) == dt(2014, 3, 7, 17)  # 09 PST
    assert slots.moment(slots.work.find(1, monday)) == dt(2014, 3, 10, 16)  # 09 PDT
    assert slots.work.count(1, friday, friday + 7 * 48) == 5 * 18


def test_checker_reads_each_resource_in_its_zone():
    from stalker.scheduling.checker import check_plan
    from stalker.scheduling.engine import schedule

    from .helpers import World

    world = World()
    world.task(1, 9, resources=(1,))
    world.task(2, 9, resources=(3,))
    zoned = zoned_calendar(STUDIO_ZONE, u3="Asia/Kolkata")
    plan = schedule(world.data, zoned)
    assert plan.tasks[1].start == dt(2014, 3, 3, 17)  # 09:00 in Los Angeles
    assert plan.tasks[2].start == dt(2014, 3, 3, 3, 30)  # 09:00 in India
    assert plan.tasks[2].reason == "calendar"  # she waited for her own hours
    assert check_plan(world.data, plan, zoned) == []
    studio_only = dataclasses.replace(zoned, resource_timezones={})
    kinds = {v.kind for v in check_plan(world.data, plan, studio_only)}
    assert kinds == {"outside_working_hours"}
