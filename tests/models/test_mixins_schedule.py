"""ScheduleMixin (spec 07 §2, §0.4) through Task, TaskDependency and Review."""

from __future__ import annotations

import pytest

import stalker
from stalker import Review, ScheduleMixin, Task, TaskDependency

from ..task_factories import TaskWorld


@pytest.fixture
def world():
    return TaskWorld()


@pytest.fixture
def task(world):
    return world.task("T")


@pytest.fixture
def dependency(world):
    return TaskDependency(task=world.task("A"), depends_on=world.task("B"))


# --- class-level knobs and columns ---------------------------------------------


def test_task_knobs():
    assert Task.__default_schedule_attr_name__ == "schedule"
    assert Task.__default_schedule_timing__ == 60.0
    assert Task.__default_schedule_unit__ == "h"
    assert list(Task.__default_schedule_models__) == ["effort", "length", "duration"]


def test_task_dependency_knobs():
    assert TaskDependency.__default_schedule_attr_name__ == "gap"
    assert TaskDependency.__default_schedule_timing__ == 0
    assert TaskDependency.__default_schedule_unit__ == "h"
    assert list(TaskDependency.__default_schedule_models__) == ["length", "duration"]


@pytest.mark.parametrize(
    ("cls", "prefix", "model_enum"),
    [
        (Task, "schedule", "TaskScheduleModel"),
        (Review, "schedule", "ReviewScheduleModel"),
        (TaskDependency, "gap", "TaskDependencyGapModel"),
    ],
)
def test_columns_are_named_after_the_prefix(cls, prefix, model_enum):
    columns = cls.__table__.c
    assert columns[f"{prefix}_timing"].nullable
    assert columns[f"{prefix}_unit"].type.name == "TimeUnit"
    assert columns[f"{prefix}_model"].type.name == model_enum
    assert not columns[f"{prefix}_model"].nullable
    assert not columns[f"{prefix}_constraint"].nullable


# --- schedule_constraint -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), (0, 0), (1, 1), (2, 2), (3, 3), (-1, 0), (4, 3), (100, 3)],
)
def test_constraint_normalisation(task, value, expected):
    task.schedule_constraint = value
    assert task.schedule_constraint == expected


def test_constraint_in_constructor(world):
    assert world.task("T", schedule_constraint=None).schedule_constraint == 0
    assert world.task("T", schedule_constraint=5).schedule_constraint == 3


def test_constraint_constants():
    from stalker.models.task import (
        CONSTRAIN_BOTH,
        CONSTRAIN_END,
        CONSTRAIN_NONE,
        CONSTRAIN_START,
    )

    assert (CONSTRAIN_NONE, CONSTRAIN_START, CONSTRAIN_END, CONSTRAIN_BOTH) == (
        0,
        1,
        2,
        3,
    )


@pytest.mark.parametrize("bad", ["not an integer", [1], 1.5j])
def test_constraint_type_error(task, bad):
    with pytest.raises(TypeError, match=r"Task\.schedule_constraint"):
        task.schedule_constraint = bad


# --- schedule_model --------------------------------------------------------------


@pytest.mark.parametrize("falsy", [None, "", 0])
def test_falsy_model_is_the_first_model(world, falsy):
    task = world.task("T", schedule_model="duration")
    task.schedule_model = falsy
    assert task.schedule_model == "effort"
    assert world.task("U", schedule_model=falsy).schedule_model == "effort"


@pytest.mark.parametrize("model", ["effort", "length", "duration"])
def test_task_models(task, model):
    task.schedule_model = model
    assert task.schedule_model == model


@pytest.mark.parametrize("bad", [1, 1.0, ["effort"]])
def test_model_type_error(task, bad):
    with pytest.raises(TypeError, match=r"Task\.schedule_model"):
        task.schedule_model = bad


@pytest.mark.parametrize("bad", ["work", "Effortless", "d"])
def test_model_value_error(task, bad):
    with pytest.raises(ValueError, match=r"Task\.schedule_model"):
        task.schedule_model = bad


def test_dependency_model_list(dependency):
    assert dependency.gap_model == "length"
    dependency.gap_model = "duration"
    assert dependency.gap_model == "duration"
    dependency.gap_model = None
    assert dependency.gap_model == "length"
    with pytest.raises(ValueError, match=r"TaskDependency\.gap_model"):
        dependency.gap_model = "effort"


# --- schedule_timing -------------------------------------------------------------


def test_timing_none_gives_the_class_default_and_resets_the_unit(task):
    task.schedule_unit = "d"
    task.schedule_timing = None
    assert task.schedule_timing == 60.0
    assert task.schedule_unit == "h"


def test_timing_none_in_constructor_is_the_sixty_hour_quirk(world):
    task = world.task("T", schedule_timing=None)
    assert task.schedule_timing == 60.0
    assert task.schedule_unit == "h"


def test_constructor_sets_timing_before_unit(world):
    task = world.task("T", schedule_timing=None, schedule_unit="d")
    assert task.schedule_timing == 60.0
    assert task.schedule_unit == "d"


def test_dependency_gap_timing_none_is_zero_hours(dependency):
    dependency.gap_unit = "d"
    dependency.gap_timing = None
    assert dependency.gap_timing == 0
    assert dependency.gap_unit == "h"


@pytest.mark.parametrize("value", [10, 2.5, 0])
def test_timing_is_stored_as_given(task, value):
    task.schedule_timing = value
    assert task.schedule_timing == value
    assert type(task.schedule_timing) is type(value)


@pytest.mark.parametrize("value", [-3, float("nan"), float("inf")])
def test_negative_or_non_finite_timing_is_refused(task, value):
    # issue 16: the native scheduler would plan negative or NaN effort
    task.schedule_timing = 5
    with pytest.raises(ValueError, match=r"Task\.schedule_timing should be a"):
        task.schedule_timing = value
    assert task.schedule_timing == 5


@pytest.mark.parametrize("bad", ["10d", [1], object()])
def test_timing_type_error(task, bad):
    with pytest.raises(TypeError, match=r"Task\.schedule_timing"):
        task.schedule_timing = bad


def test_dependency_timing_error_names_the_gap_column(dependency):
    with pytest.raises(TypeError, match=r"TaskDependency\.gap_timing"):
        dependency.gap_timing = "2d"


# --- schedule_unit ---------------------------------------------------------------


@pytest.mark.parametrize("unit", ["min", "h", "d", "w", "m", "y"])
def test_units(task, unit):
    task.schedule_unit = unit
    assert task.schedule_unit == unit


def test_unit_none_is_the_default_unit(task):
    task.schedule_unit = "d"
    task.schedule_unit = None
    assert task.schedule_unit == "h"


@pytest.mark.parametrize("bad", [1, 1.5, ["h"]])
def test_unit_type_error(task, bad):
    with pytest.raises(TypeError, match=r"Task\.schedule_unit"):
        task.schedule_unit = bad


@pytest.mark.parametrize("bad", ["days", "hours", "s", "D"])
def test_unit_value_error(task, bad):
    with pytest.raises(ValueError, match=r"Task\.schedule_unit"):
        task.schedule_unit = bad


def test_dependency_unit_errors_name_the_gap_column(dependency):
    with pytest.raises(TypeError, match=r"TaskDependency\.gap_unit"):
        dependency.gap_unit = 3
    with pytest.raises(ValueError, match=r"TaskDependency\.gap_unit"):
        dependency.gap_unit = "days"


def test_units_are_read_from_the_config_at_call_time(task):
    stalker.defaults.datetime_units = ["h", "d"]
    with pytest.raises(ValueError):
        task.schedule_unit = "w"


# --- to_seconds / to_unit ------------------------------------------------------


WORK = [
    ("min", 60),
    ("h", 3600),
    ("d", 32400),
    ("w", 162000),
    ("m", 648000),
    ("y", 8456400),
]
CALENDAR = [
    ("min", 60),
    ("h", 3600),
    ("d", 86400),
    ("w", 604800),
    ("m", 2419200),
    ("y", 31536000),
]
TABLE_CASES = (
    [("effort", unit, seconds) for unit, seconds in WORK]
    + [("length", unit, seconds) for unit, seconds in WORK]
    + [("duration", unit, seconds) for unit, seconds in CALENDAR]
)


@pytest.mark.parametrize("owner", [ScheduleMixin, Task])
@pytest.mark.parametrize(("model", "unit", "seconds"), TABLE_CASES)
def test_to_seconds_tables(owner, model, unit, seconds):
    assert owner.to_seconds(1, unit, model) == seconds
    assert owner.to_seconds(2.5, unit, model) == 2.5 * seconds


@pytest.mark.parametrize(("model", "unit", "seconds"), TABLE_CASES)
def test_to_unit_is_the_inverse(model, unit, seconds):
    assert ScheduleMixin.to_unit(seconds * 3, unit, model) == pytest.approx(3.0)
    assert isinstance(ScheduleMixin.to_unit(seconds, unit, model), float)


@pytest.mark.parametrize("falsy_unit", [None, ""])
def test_to_seconds_and_to_unit_without_unit_are_none(falsy_unit):
    assert ScheduleMixin.to_seconds(10, falsy_unit, "effort") is None
    assert ScheduleMixin.to_unit(3600, falsy_unit, "effort") is None


def test_fractional_working_year_is_truncated():
    stalker.defaults.yearly_working_days = 260.714
    assert ScheduleMixin.to_seconds(1, "y", "effort") == 8424000


def test_work_table_reads_the_config_at_call_time():
    stalker.defaults.daily_working_hours = 8
    stalker.defaults.weekly_working_days = 6
    assert ScheduleMixin.to_seconds(1, "d", "effort") == 28800
    assert ScheduleMixin.to_seconds(1, "w", "length") == 6 * 28800
    assert ScheduleMixin.to_seconds(1, "m", "effort") == 4 * 6 * 28800
    assert ScheduleMixin.to_seconds(1, "d", "duration") == 86400


@pytest.mark.parametrize(
    ("model", "timing", "unit", "seconds"),
    [
        ("effort", 2, "d", 64800),
        ("duration", 2, "d", 172800),
        ("length", 3, "h", 10800),
    ],
)
def test_schedule_seconds_of_a_leaf(world, model, timing, unit, seconds):
    task = world.task(
        "T", schedule_model=model, schedule_timing=timing, schedule_unit=unit
    )
    assert task.schedule_seconds == seconds


# --- least_meaningful_time_unit ------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "as_work_time", "expected"),
    [
        (60, True, (1, "min")),
        (125, True, (2, "min")),
        (5400, True, (90, "min")),
        (10000, True, (166, "min")),
        (3600, True, (1, "h")),
        (32400, True, (1, "d")),
        (32400, False, (9, "h")),
        (86400, True, (24, "h")),
        (86400, False, (1, "d")),
        (162000, True, (1, "w")),
        (162000, False, (45, "h")),
        (604800, False, (1, "w")),
        (648000, True, (1, "m")),
        (2419200, False, (1, "m")),
        (8424000, True, (1, "y")),
        (8424000, False, (2340, "h")),
        (31536000, False, (1, "y")),
        (0, True, (0, "y")),
        (0, False, (0, "y")),
    ],
)
def test_least_meaningful_time_unit(seconds, as_work_time, expected):
    stalker.defaults.yearly_working_days = 260.714
    result = ScheduleMixin.least_meaningful_time_unit(seconds, as_work_time)
    assert tuple(result) == expected


def test_least_meaningful_time_unit_defaults_to_work_time():
    assert Task.least_meaningful_time_unit(32400) == (1, "d")


def test_least_meaningful_time_unit_reads_config_at_call_time():
    stalker.defaults.daily_working_hours = 8
    assert ScheduleMixin.least_meaningful_time_unit(28800) == (1, "d")
    assert ScheduleMixin.least_meaningful_time_unit(32400) == (9, "h")
