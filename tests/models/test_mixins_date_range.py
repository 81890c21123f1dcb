"""DateRangeMixin (spec 07 §1): date normalisation, setters and round_time."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

import stalker
from stalker import DateRangeMixin, Entity
from stalker.models.entity import SimpleEntity

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def dt(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)


class DateRangeSample(Entity, DateRangeMixin):
    """A test-only class with nothing but a date range."""

    __tablename__ = "DateRangeSamples"
    __mapper_args__ = {"polymorphic_identity": "DateRangeSample"}

    sample_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        DateRangeMixin.__init__(self, **kwargs)

    __hash__ = SimpleEntity.__hash__


def sample(**kwargs) -> DateRangeSample:
    return DateRangeSample(name="sample", **kwargs)


def now_rounded() -> datetime.datetime:
    return DateRangeMixin.round_time(datetime.datetime.now(datetime.timezone.utc))


# --- defaults ------------------------------------------------------------------


def test_nothing_given_starts_now_and_lasts_one_resolution():
    before = now_rounded()
    obj = sample()
    after = now_rounded()
    assert before <= obj.start <= after
    assert obj.duration == HOUR
    assert obj.end == obj.start + HOUR


def test_only_end_given_start_is_one_resolution_before():
    obj = sample(end=dt(2013, 4, 17, 10))
    assert obj.start == dt(2013, 4, 17, 9)
    assert obj.duration == HOUR


def test_only_end_and_duration_given_start_is_end_minus_duration():
    obj = sample(end=dt(2013, 4, 17, 10), duration=datetime.timedelta(days=2))
    assert obj.start == dt(2013, 4, 15, 10)
    assert obj.duration == datetime.timedelta(days=2)


def test_only_start_given_end_is_one_resolution_after():
    obj = sample(start=dt(2013, 4, 17, 10))
    assert obj.end == dt(2013, 4, 17, 11)
    assert obj.duration == HOUR


def test_start_and_duration_given_end_follows():
    obj = sample(start=dt(2013, 4, 17), duration=datetime.timedelta(days=3))
    assert obj.end == dt(2013, 4, 20)
    assert obj.duration == datetime.timedelta(days=3)


def test_duration_is_ignored_when_start_and_end_are_valid():
    obj = sample(
        start=dt(2013, 4, 17), end=dt(2013, 4, 18), duration=datetime.timedelta(10)
    )
    assert obj.end == dt(2013, 4, 18)
    assert obj.duration == DAY


# issue 16 overrides the spec: a wrong type is refused, None keeps the default
WRONG_DATES = [datetime.date(2013, 4, 17), datetime.timedelta(days=1), 12, "2013"]
WRONG_IDS = ["date", "timedelta", "number", "string"]


@pytest.mark.parametrize("wrong", WRONG_DATES, ids=WRONG_IDS)
@pytest.mark.parametrize("attr", ["start", "end"])
def test_wrong_typed_date_is_a_type_error(attr, wrong):
    with pytest.raises(TypeError, match=rf"DateRangeSample\.{attr}"):
        sample(**{attr: wrong})
    obj = sample(start=dt(2013, 4, 17, 10), end=dt(2013, 4, 17, 11))
    with pytest.raises(TypeError, match=rf"DateRangeSample\.{attr}"):
        setattr(obj, attr, wrong)
    assert (obj.start, obj.end) == (dt(2013, 4, 17, 10), dt(2013, 4, 17, 11))


@pytest.mark.parametrize("wrong", [5, 1.5, "1h", dt(2013, 4, 17)])
def test_wrong_typed_duration_is_a_type_error(wrong):
    with pytest.raises(TypeError, match=r"DateRangeSample\.duration"):
        sample(start=dt(2013, 4, 17, 10), duration=wrong)


def test_none_keeps_the_defaults():
    obj = sample(start=None, end=dt(2013, 4, 17, 10), duration=None)
    assert obj.start == dt(2013, 4, 17, 9)


@pytest.mark.parametrize(
    "duration", [datetime.timedelta(hours=-1), datetime.timedelta(days=10**6)]
)
def test_negative_or_huge_duration_is_a_value_error(duration):
    with pytest.raises(ValueError, match=r"DateRangeSample\.duration"):
        sample(start=dt(2013, 4, 17, 10), duration=duration)


def test_a_range_beyond_the_calendar_is_a_value_error():
    with pytest.raises(ValueError, match=r"DateRangeSample\.duration"):
        sample(start=dt(9999, 12, 30), duration=datetime.timedelta(days=5))


# --- the worked examples -------------------------------------------------------


def test_rounding_that_collapses_the_range_forces_one_resolution():
    obj = sample(start=dt(2013, 12, 22, 23, 8), end=dt(2013, 12, 22, 23, 15))
    assert obj.start == dt(2013, 12, 22, 23)
    assert obj.end == dt(2013, 12, 23, 0)
    assert obj.duration == HOUR


def test_end_before_start_uses_the_given_long_duration():
    start = dt(2013, 4, 17)
    obj = sample(
        start=start,
        end=start - datetime.timedelta(days=10),
        duration=datetime.timedelta(days=10),
    )
    assert obj.start == start
    assert obj.end == start + datetime.timedelta(days=10)
    assert obj.duration == datetime.timedelta(days=10)


@pytest.mark.parametrize("duration", [None, HOUR, datetime.timedelta(hours=23)])
def test_end_before_start_with_short_or_no_duration_gives_one_day(duration):
    start = dt(2013, 4, 17)
    obj = sample(start=start, end=start - DAY, duration=duration)
    assert obj.end == start + DAY
    assert obj.duration == DAY


def test_moving_start_keeps_the_duration():
    start = dt(2013, 4, 1)
    obj = sample(start=start, end=start + datetime.timedelta(days=20))
    obj.start = start + datetime.timedelta(days=40)
    assert obj.start == start + datetime.timedelta(days=40)
    assert obj.end == obj.start + datetime.timedelta(days=20)
    assert obj.duration == datetime.timedelta(days=20)


def test_moving_start_before_end_keeps_the_end():
    obj = sample(start=dt(2013, 4, 10), end=dt(2013, 4, 20))
    obj.start = dt(2013, 4, 5)
    assert obj.end == dt(2013, 4, 20)
    assert obj.duration == datetime.timedelta(days=15)


def test_setting_end_keeps_start():
    obj = sample(start=dt(2013, 4, 10), end=dt(2013, 4, 20))
    obj.end = dt(2013, 4, 25)
    assert obj.start == dt(2013, 4, 10)
    assert obj.duration == datetime.timedelta(days=15)


def test_setting_end_before_start_keeps_the_longer_duration():
    obj = sample(start=dt(2013, 4, 10), end=dt(2013, 4, 20))
    obj.end = dt(2013, 4, 1)
    assert obj.start == dt(2013, 4, 10)
    assert obj.end == dt(2013, 4, 20)
    assert obj.duration == datetime.timedelta(days=10)


def test_setting_duration_moves_the_end():
    obj = sample(start=dt(2013, 4, 10), end=dt(2013, 4, 20))
    obj.duration = datetime.timedelta(days=2)
    assert obj.start == dt(2013, 4, 10)
    assert obj.end == dt(2013, 4, 12)


def test_negative_duration_is_refused_and_changes_nothing():
    obj = sample(start=dt(2013, 4, 10), end=dt(2013, 4, 20))
    with pytest.raises(ValueError, match=r"DateRangeSample\.duration"):
        obj.duration = datetime.timedelta(-10)
    assert obj.duration == datetime.timedelta(days=10)


def test_too_short_duration_is_forced_to_the_resolution():
    obj = sample(start=dt(2013, 4, 10), end=dt(2013, 4, 20))
    obj.duration = datetime.timedelta(minutes=10)
    assert obj.duration == HOUR
    assert obj.end == dt(2013, 4, 10, 1)


def test_none_duration_is_recomputed_from_start_and_end():
    obj = sample(start=dt(2013, 4, 10), end=dt(2013, 4, 20))
    obj.duration = None
    assert obj.duration == datetime.timedelta(days=10)
    assert obj.end == dt(2013, 4, 20)


def test_start_and_end_are_rounded_on_assignment():
    obj = sample(start=dt(2013, 4, 10, 9, 31), end=dt(2013, 4, 10, 12, 29))
    assert obj.start == dt(2013, 4, 10, 10)
    assert obj.end == dt(2013, 4, 10, 12)


# --- round_time ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt(2013, 4, 17, 15, 15), dt(2013, 4, 17, 15)),
        (dt(2013, 4, 17, 15, 30), dt(2013, 4, 17, 16)),
        (dt(2013, 4, 17, 15, 29, 59), dt(2013, 4, 17, 15)),
        (dt(2013, 12, 22, 23, 8), dt(2013, 12, 22, 23)),
        (dt(2013, 12, 31, 23, 45), dt(2014, 1, 1)),
    ],
)
def test_round_time_hour_resolution(value, expected):
    result = DateRangeMixin.round_time(value)
    assert result == expected
    assert result.utcoffset() == datetime.timedelta(0)


def test_round_time_drops_sub_seconds():
    stalker.defaults.timing_resolution = datetime.timedelta(seconds=2)
    value = datetime.datetime(
        2013, 4, 17, 0, 0, 0, 999999, tzinfo=datetime.timezone.utc
    )
    assert DateRangeMixin.round_time(value) == dt(2013, 4, 17, 0, 0, 0)


def test_round_time_five_minutes():
    stalker.defaults.timing_resolution = datetime.timedelta(minutes=5)
    assert DateRangeMixin.round_time(dt(2013, 4, 17, 2, 38, 55)) == dt(
        2013, 4, 17, 2, 40
    )


def test_round_time_converts_other_timezones_to_utc():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    value = datetime.datetime(2013, 4, 17, 17, 20, tzinfo=plus_two)
    result = DateRangeMixin.round_time(value)
    assert result == dt(2013, 4, 17, 15)
    assert result.utcoffset() == datetime.timedelta(0)


def test_round_time_reads_the_resolution_at_call_time():
    value = dt(2013, 4, 17, 15, 20)
    assert DateRangeMixin.round_time(value) == dt(2013, 4, 17, 15)
    stalker.defaults.timing_resolution = datetime.timedelta(minutes=10)
    assert DateRangeMixin.round_time(value) == value


def test_round_time_rejects_naive_datetimes():
    with pytest.raises(TypeError):
        DateRangeMixin.round_time(datetime.datetime(2013, 4, 17, 15))


@pytest.mark.parametrize("attr", ["start", "end"])
def test_naive_datetime_in_constructor_names_class_and_attribute(attr):
    with pytest.raises(TypeError, match=rf"DateRangeSample\.{attr}"):
        sample(**{attr: datetime.datetime(2013, 4, 17, 15)})


@pytest.mark.parametrize("attr", ["start", "end"])
def test_naive_datetime_assignment_names_class_and_attribute(attr):
    obj = sample(start=dt(2013, 4, 17), end=dt(2013, 4, 18))
    with pytest.raises(TypeError, match=rf"DateRangeSample\.{attr}"):
        setattr(obj, attr, datetime.datetime(2013, 4, 17, 15))
    assert obj.start == dt(2013, 4, 17)
    assert obj.end == dt(2013, 4, 18)


def test_resolution_is_read_at_call_time_for_the_minimum_duration():
    stalker.defaults.timing_resolution = datetime.timedelta(minutes=10)
    obj = sample(start=dt(2013, 4, 17, 10))
    assert obj.duration == datetime.timedelta(minutes=10)


# --- computed dates and derived numbers ----------------------------------------


def test_computed_dates_default_to_none():
    obj = sample()
    assert obj.computed_start is None
    assert obj.computed_end is None
    assert obj.computed_duration is None


def test_computed_duration_is_end_minus_start():
    obj = sample()
    obj.computed_start = dt(2013, 4, 17)
    obj.computed_end = dt(2013, 4, 19, 6)
    assert obj.computed_duration == datetime.timedelta(days=2, hours=6)
    assert obj.computed_total_seconds == 2 * 86400 + 6 * 3600


def test_computed_duration_is_read_only():
    obj = sample()
    with pytest.raises(AttributeError):
        obj.computed_duration = DAY


def test_computed_duration_needs_both_dates():
    obj = sample()
    obj.computed_start = dt(2013, 4, 17)
    assert obj.computed_duration is None


def test_total_seconds():
    obj = sample(start=dt(2013, 4, 17), end=dt(2013, 4, 19, 5))
    assert obj.total_seconds == 2 * 86400 + 5 * 3600


def test_total_seconds_is_read_only():
    obj = sample()
    with pytest.raises(AttributeError):
        obj.total_seconds = 5


# --- database round trip -------------------------------------------------------


def test_dates_come_back_aware_from_the_database(session):
    obj = sample(start=dt(2013, 4, 17, 9), end=dt(2013, 4, 18, 12))
    obj.computed_start = dt(2013, 4, 17, 10)
    obj.computed_end = dt(2013, 4, 18, 11)
    session.add(obj)
    session.commit()
    obj_id = obj.id
    session.expunge_all()
    loaded = session.get(DateRangeSample, obj_id)
    assert loaded.start == dt(2013, 4, 17, 9)
    assert loaded.end == dt(2013, 4, 18, 12)
    assert loaded.start.utcoffset() == datetime.timedelta(0)
    assert loaded.duration == datetime.timedelta(days=1, hours=3)
    assert loaded.computed_duration == datetime.timedelta(hours=25)
