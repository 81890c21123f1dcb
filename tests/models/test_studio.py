"""Studio, WorkingHours, WorkingHoursMixin and Vacation (spec 05, spec 02)."""

import datetime

import pytest

import stalker
from stalker import Department, Studio, User, Vacation, WorkingHours, db
from stalker.db.session import DBSession

from ..factories import make_user

UTC = datetime.timezone.utc
DEFAULT_HOURS = {
    "mon": [[540, 1080]],
    "tue": [[540, 1080]],
    "wed": [[540, 1080]],
    "thu": [[540, 1080]],
    "fri": [[540, 1080]],
    "sat": [],
    "sun": [],
}


# -- WorkingHours ------------------------------------------------------------------


def test_working_hours_defaults():
    wh = WorkingHours()
    assert wh.working_hours == DEFAULT_HOURS
    assert wh.daily_working_hours == 9
    assert wh.weekly_working_hours == 45.0
    assert wh.weekly_working_days == 5
    assert wh.yearly_working_days == 261
    assert wh.name.startswith("WorkingHours_")


def test_given_days_update_a_copy_of_the_defaults():
    wh = WorkingHours(working_hours={"sat": [[900, 1080]]})
    assert wh["sat"] == [[900, 1080]]
    assert wh["mon"] == [[540, 1080]]
    assert wh.weekly_working_days == 6
    assert wh.weekly_working_hours == 48.0
    assert stalker.defaults.working_hours["sat"] == []


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("9-18", TypeError),
        ({"mon": "9-18"}, TypeError),
        ({"mon": ["9-18"]}, TypeError),
        ({"mon": [[540]]}, RuntimeError),
        ({"mon": [[540, 600, 700]]}, RuntimeError),
        ({"mon": [[540, "18:00"]]}, TypeError),
        ({"mon": [[540.0, 1080]]}, TypeError),
        ({"mon": [[-1, 1080]]}, ValueError),
        ({"mon": [[540, 1441]]}, ValueError),
    ],
)
def test_working_hours_value_rules(value, error):
    with pytest.raises(error) as raised:
        WorkingHours(working_hours=value)
    assert "WorkingHours.working_hours" in str(raised.value)
    wh = WorkingHours()
    with pytest.raises(error):
        wh.working_hours = value
    assert wh.working_hours == DEFAULT_HOURS


def test_range_limits_are_inclusive():
    wh = WorkingHours(working_hours={"sun": [[0, 1440]]})
    assert wh["sun"] == [[0, 1440]]
    assert wh.weekly_working_hours == 45.0 + 24


def test_item_access_by_index_and_name():
    wh = WorkingHours()
    wh["mon"] = [[570, 720], [780, 1110]]
    assert wh[0] == [[570, 720], [780, 1110]]
    assert wh.weekly_working_hours == 45.0 - 9 + 2.5 + 5.5
    wh[6] = [[600, 660]]
    assert wh["sun"] == [[600, 660]]
    assert wh.weekly_working_days == 6
    assert wh.yearly_working_days == 313


def test_item_access_errors():
    wh = WorkingHours()
    with pytest.raises(RuntimeError):
        wh[0] = [[3]]
    with pytest.raises(ValueError, match=r"WorkingHours\.working_hours"):
        wh["sat"] = [[0, 1800]]
    with pytest.raises(IndexError):
        wh[7] = [[32, 23]]
    with pytest.raises(KeyError):
        wh["zon"] = [[32, 23]]
    with pytest.raises(IndexError):
        wh[7]
    with pytest.raises(KeyError):
        wh["zon"]
    assert wh.working_hours == DEFAULT_HOURS


def test_yearly_working_days_rounds_up():
    four_days = {"fri": []}
    assert WorkingHours(working_hours=four_days).yearly_working_days == 209


def test_daily_working_hours_rules():
    assert WorkingHours(daily_working_hours=8).daily_working_hours == 8
    wh = WorkingHours(daily_working_hours=24)
    wh.daily_working_hours = None
    assert wh.daily_working_hours == 9
    for bad in ("8", 8.5, True):
        with pytest.raises(TypeError, match=r"WorkingHours\.daily_working_hours"):
            wh.daily_working_hours = bad
    for bad in (0, -1, 25):
        with pytest.raises(ValueError, match=r"WorkingHours\.daily_working_hours"):
            wh.daily_working_hours = bad
    assert wh.daily_working_hours == 9


def test_is_working_hour():
    wh = WorkingHours(working_hours={"sat": [[600, 720]]})
    monday = datetime.datetime(2013, 4, 15, 9, 0, tzinfo=UTC)
    assert wh.is_working_hour(monday)
    assert wh.is_working_hour(monday.replace(hour=17, minute=59))
    assert not wh.is_working_hour(monday.replace(hour=18))
    assert not wh.is_working_hour(monday.replace(hour=8, minute=59))
    saturday = datetime.datetime(2013, 4, 20, 10, 30, tzinfo=UTC)
    assert wh.is_working_hour(saturday)
    assert not wh.is_working_hour(saturday + datetime.timedelta(days=1))


def test_split_in_to_working_hours_is_not_implemented():
    now = datetime.datetime.now(UTC)
    with pytest.raises(NotImplementedError):
        WorkingHours().split_in_to_working_hours(now, now)


def test_working_hours_to_tjp():
    wh = WorkingHours(working_hours={"mon": [[570, 720], [780, 1110]]})
    assert wh.to_tjp.split("\n") == [
        "workinghours mon 09:30 - 12:00, 13:00 - 18:30",
        "workinghours tue 09:00 - 18:00",
        "workinghours wed 09:00 - 18:00",
        "workinghours thu 09:00 - 18:00",
        "workinghours fri 09:00 - 18:00",
        "workinghours sat off",
        "workinghours sun off",
    ]


def test_working_hours_equality_and_hash():
    assert WorkingHours() == WorkingHours()
    assert WorkingHours() != WorkingHours(working_hours={"sat": [[0, 60]]})
    assert WorkingHours() != DEFAULT_HOURS
    wh = WorkingHours()
    assert {wh: 1}[wh] == 1


def test_working_hours_persist_including_item_changes(session):
    wh = WorkingHours(working_hours={"sat": [[600, 720]]}, daily_working_hours=8)
    session.add(wh)
    session.commit()
    wh["sun"] = [[60, 120]]
    session.commit()
    wh_id = wh.id
    session.expunge_all()
    stored = session.get(WorkingHours, wh_id)
    assert stored.working_hours["sat"] == [[600, 720]]
    assert stored.working_hours["sun"] == [[60, 120]]
    assert stored.daily_working_hours == 8
    assert stored.weekly_working_days == 7


# -- Studio -----------------------------------------------------------------------


def test_studio_name_is_required():
    with pytest.raises(TypeError, match=r"Studio\.name"):
        Studio()
    with pytest.raises(ValueError, match=r"Studio\.name"):
        Studio(name="")


def test_studio_defaults():
    before = datetime.datetime.now(UTC)
    studio = Studio(name="My Great Studio")
    assert studio.working_hours == WorkingHours()
    assert studio.daily_working_hours == 9
    assert studio.timing_resolution == datetime.timedelta(hours=1)
    assert studio.weekly_working_hours == 45.0
    assert studio.weekly_working_days == 5
    assert studio.yearly_working_days == 261
    assert studio.scheduler is None
    assert studio.is_scheduling is False
    assert studio.is_scheduling_by is None
    assert studio.last_scheduled_at is None
    assert studio.last_scheduled_by is None
    assert studio.last_schedule_message is None
    assert studio.duration == datetime.timedelta(hours=1)
    assert studio.now.minute == studio.now.second == 0
    assert abs(studio.now - before) <= datetime.timedelta(minutes=31)


def test_studio_working_hours_mixin():
    wh = WorkingHours(working_hours={"sat": [[600, 720]]})
    studio = Studio(name="S", working_hours=wh)
    assert studio.working_hours is wh
    assert studio.weekly_working_days == 6
    studio.working_hours = None
    assert studio.working_hours == WorkingHours()
    with pytest.raises(TypeError, match=r"Studio\.working_hours"):
        studio.working_hours = {"mon": []}


def test_studio_daily_working_hours():
    studio = Studio(name="S", daily_working_hours=8)
    assert studio.daily_working_hours == 8
    assert studio.working_hours.daily_working_hours == 8
    studio.daily_working_hours = 10
    assert studio.working_hours.daily_working_hours == 10
    with pytest.raises(ValueError, match="daily_working_hours"):
        studio.daily_working_hours = 30
    given = WorkingHours(daily_working_hours=7)
    assert Studio(name="S", working_hours=given).daily_working_hours == 7


def test_studio_weekly_figures_follow_working_hours():
    studio = Studio(name="S")
    studio.working_hours["sat"] = [[540, 720]]
    assert studio.weekly_working_hours == 48.0
    assert studio.weekly_working_days == 6
    assert studio.yearly_working_days == 313
    with pytest.raises(AttributeError):
        studio.weekly_working_hours = 10


def test_timing_resolution_rules():
    studio = Studio(name="S", timing_resolution=datetime.timedelta(minutes=10))
    assert studio.timing_resolution == datetime.timedelta(minutes=10)
    studio.timing_resolution = None
    assert studio.timing_resolution == stalker.defaults.timing_resolution
    with pytest.raises(TypeError, match=r"Studio\.timing_resolution"):
        studio.timing_resolution = 15


def test_timing_resolution_rerounds_start_and_end():
    start = datetime.datetime(2013, 4, 15, 10, 20, tzinfo=UTC)
    end = datetime.datetime(2013, 4, 16, 10, 40, tzinfo=UTC)
    # the constructor rounds with the defaults first, then with its own step
    stalker.defaults.timing_resolution = datetime.timedelta(minutes=5)
    studio = Studio(
        name="S", start=start, end=end, timing_resolution=datetime.timedelta(minutes=5)
    )
    assert stalker.defaults.timing_resolution == datetime.timedelta(minutes=5)
    assert (studio.start, studio.end) == (start, end)
    studio.timing_resolution = datetime.timedelta(hours=1)  # its own step rules
    assert stalker.defaults.timing_resolution == datetime.timedelta(minutes=5)
    assert studio.start == datetime.datetime(2013, 4, 15, 10, 0, tzinfo=UTC)
    assert studio.end == datetime.datetime(2013, 4, 16, 11, 0, tzinfo=UTC)
    assert studio.duration == studio.end - studio.start


def test_studio_duration_sets_the_horizon():
    studio = Studio(name="S")
    studio.duration = datetime.timedelta(days=365)
    assert studio.end - studio.start == datetime.timedelta(days=365)


def test_now_is_rounded_and_validated():
    studio = Studio(name="S", now=datetime.datetime(2013, 4, 15, 21, 9, tzinfo=UTC))
    assert studio.now == datetime.datetime(2013, 4, 15, 21, 0, tzinfo=UTC)
    studio.now = datetime.datetime(2013, 4, 15, 21, 40, tzinfo=UTC)
    assert studio.now == datetime.datetime(2013, 4, 15, 22, 0, tzinfo=UTC)
    studio.now = None
    assert abs(studio.now - datetime.datetime.now(UTC)) <= datetime.timedelta(
        minutes=31
    )
    for bad in ("2013-04-15", datetime.datetime(2013, 4, 15)):
        with pytest.raises(TypeError, match=r"Studio\.now"):
            studio.now = bad


def test_scheduler_accepts_only_none_or_a_scheduler():
    studio = Studio(name="S")
    studio.scheduler = None
    assert studio.scheduler is None
    with pytest.raises(TypeError, match=r"Studio\.scheduler"):
        studio.scheduler = "tj3"


def test_to_unit_is_not_implemented():
    with pytest.raises(NotImplementedError):
        Studio(name="S").to_unit(1, "h", "d")


def test_update_defaults_copies_the_studio_figures():
    wh = WorkingHours(
        working_hours={
            "mon": [[600, 1080]],
            "tue": [[600, 1080]],
            "wed": [[600, 1080]],
            "thu": [[600, 1080]],
            "fri": [],
        },
        daily_working_hours=8,
    )
    studio = Studio(
        name="S", working_hours=wh, timing_resolution=datetime.timedelta(minutes=5)
    )
    defaults = stalker.defaults
    assert defaults.timing_resolution == datetime.timedelta(hours=1)  # its own
    assert defaults.daily_working_hours == 9
    studio.update_defaults()  # only when asked
    assert defaults.timing_resolution == datetime.timedelta(minutes=5)
    assert defaults.daily_working_hours == 8
    assert defaults.weekly_working_days == 4
    assert defaults.weekly_working_hours == 32
    assert defaults.yearly_working_days == 209


def test_update_defaults_after_db_setup(empty_database_settings):
    db.setup(empty_database_settings)
    db.init()
    wh = WorkingHours(
        working_hours={
            "mon": [[600, 1080]],
            "tue": [[600, 1080]],
            "wed": [[600, 1080]],
            "thu": [[600, 1080]],
            "fri": [],
        },
        daily_working_hours=8,
    )
    studio = Studio(
        name="S", working_hours=wh, timing_resolution=datetime.timedelta(minutes=5)
    )
    DBSession.add(studio)
    DBSession.commit()
    DBSession.remove()
    defaults = stalker.defaults
    for key, value in {
        "timing_resolution": datetime.timedelta(hours=1),
        "daily_working_hours": 9,
        "weekly_working_days": 5,
        "weekly_working_hours": 45,
        "yearly_working_days": 261,
    }.items():
        defaults[key] = value
    db.setup(empty_database_settings)
    assert defaults.timing_resolution == datetime.timedelta(hours=1)  # untouched
    assert defaults.daily_working_hours == 9
    db.update_defaults_with_studio()  # only when asked
    assert defaults.timing_resolution == datetime.timedelta(minutes=5)
    assert defaults.daily_working_hours == 8
    assert defaults.weekly_working_days == 4
    assert defaults.weekly_working_hours == 32
    assert defaults.yearly_working_days == 209


def test_studio_persists_and_loads(session):
    user = make_user("studiouser")
    studio = Studio(name="Stored Studio", daily_working_hours=8)
    studio.is_scheduling = True
    studio.is_scheduling_by = user
    studio.last_scheduled_by = user
    moment = datetime.datetime(2013, 4, 15, 21, 0, tzinfo=UTC)
    studio.scheduling_started_at = moment
    studio.last_scheduled_at = moment
    studio.last_schedule_message = "all fine"
    session.add(studio)
    session.commit()
    studio_id = studio.id
    session.expunge_all()
    stalker.defaults.daily_working_hours = 9
    stored = session.get(Studio, studio_id)
    assert stalker.defaults.daily_working_hours == 9  # loading changes no default
    assert stored.daily_working_hours == 8
    assert stored.scheduler is None
    assert stored.now.minute == 0
    assert stored.is_scheduling is True
    assert stored.is_scheduling_by.login == "studiouser"
    assert stored.last_scheduled_by.login == "studiouser"
    assert stored.scheduling_started_at == moment
    assert stored.last_scheduled_at == moment
    assert stored.last_schedule_message == "all fine"
    assert stored.timing_resolution == datetime.timedelta(hours=1)
    assert stored.tjp_id == f"Studio_{studio_id}"


def test_studio_user_fields_are_validated():
    studio = Studio(name="S")
    with pytest.raises(TypeError, match=r"Studio\.is_scheduling_by"):
        studio.is_scheduling_by = "admin"
    with pytest.raises(TypeError, match=r"Studio\.last_scheduled_by"):
        studio.last_scheduled_by = 1


def test_studio_query_properties(session):
    user = make_user("studiouser")
    department = Department(name="Studio Dept", users=[user])
    studio_wide = Vacation()
    personal = Vacation(user=user)
    studio = Studio(name="S")
    session.add_all([studio, department, studio_wide, personal])
    session.commit()
    assert [u.login for u in studio.users] == ["admin", "studiouser"]
    assert [d.name for d in studio.departments] == ["admins", "Studio Dept"]
    assert studio.vacations == [studio_wide]
    assert studio.projects == []
    assert studio.active_projects == []
    assert studio.inactive_projects == []
    with pytest.raises(AttributeError):
        studio.users = []


def test_studio_equality():
    assert Studio(name="S") == Studio(name="S")
    assert Studio(name="S") != Studio(name="T")
    assert hash(Studio(name="S")) == hash(Studio(name="S"))


# -- Vacation -----------------------------------------------------------------------


def test_vacation_user_mirrors_user_vacations(session):
    user = make_user("studiouser")
    vacation = Vacation(user=user)
    assert user.vacations == [vacation]
    assert vacation.name.startswith("Vacation_")
    with pytest.raises(TypeError, match=r"Vacation\.user"):
        Vacation(user="studiouser")
    session.add(user)
    session.commit()
    session.expunge_all()
    stored = User.query.filter_by(login="studiouser").one()
    assert len(stored.vacations) == 1
    assert stored.vacations[0].user is stored


def test_vacation_dates_are_rounded():
    vacation = Vacation(
        start=datetime.datetime(2013, 6, 6, 10, 10, tzinfo=UTC),
        end=datetime.datetime(2013, 6, 10, 18, 50, tzinfo=UTC),
    )
    assert vacation.start == datetime.datetime(2013, 6, 6, 10, 0, tzinfo=UTC)
    assert vacation.end == datetime.datetime(2013, 6, 10, 19, 0, tzinfo=UTC)
    assert vacation.user is None


def test_vacation_to_tjp_is_in_utc():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    vacation = Vacation(
        start=datetime.datetime(2013, 6, 6, 12, 0, tzinfo=plus_two),
        end=datetime.datetime(2013, 6, 10, 19, 0, tzinfo=UTC),
    )
    assert vacation.to_tjp == "vacation 2013-06-06-10:00:00 - 2013-06-10-19:00:00"


def test_removing_a_vacation_from_a_user_keeps_it_studio_wide(session):
    # issue 16 case 5: no delete-orphan, an unlinked vacation is studio-wide
    user = make_user("studiouser")
    vacation = Vacation(user=user)
    session.add(user)
    session.commit()
    user.vacations.remove(vacation)
    session.commit()
    assert Vacation.query.one() is vacation and vacation.user is None
