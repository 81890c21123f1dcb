"""ScheduleMixin: a timing, its unit, a schedule model and a date constraint.

Task uses it for its effort/length/duration, Review for the revision time it
asks for, and TaskDependency (under the column prefix ``gap``) for the gap
between two tasks.  The Python attribute names are always ``schedule_*``;
only the column names follow the prefix.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Enum, Float, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, validates

import stalker
from stalker.models.validation import check_choice, check_number, type_error

_MINUTE = 60
_HOUR = 3600

#: Calendar seconds per unit, used by the ``duration`` model.
CALENDAR_SECONDS = {
    "min": _MINUTE,
    "h": _HOUR,
    "d": 86400,
    "w": 604800,
    "m": 2419200,
    "y": 31536000,
}


def work_time_seconds() -> dict[str, int]:
    """Work-time seconds per unit, read from ``stalker.defaults`` at call time."""
    defaults = stalker.defaults
    day = int(defaults.daily_working_hours * _HOUR)
    week = int(defaults.weekly_working_days) * day
    return {
        "min": _MINUTE,
        "h": _HOUR,
        "d": day,
        "w": week,
        "m": 4 * week,
        "y": int(defaults.yearly_working_days) * day,
    }


def _seconds_table(model: str | None) -> dict[str, int]:
    return CALENDAR_SECONDS if model == "duration" else work_time_seconds()


class ScheduleMixin:
    """Adds ``schedule_timing``, ``schedule_unit``, ``schedule_model`` and
    ``schedule_constraint``.

    The class knobs below let a mixed-in class choose its column prefix, its
    defaults and its list of valid models.
    """

    __default_schedule_attr_name__ = "schedule"
    __default_schedule_timing__: float = stalker.defaults.timing_resolution.seconds / 60
    __default_schedule_unit__ = "h"
    __default_schedule_models__: list[str] = list(stalker.defaults.task_schedule_models)

    @declared_attr
    def schedule_timing(cls: Any) -> Mapped[float | None]:
        return mapped_column(
            f"{cls.__default_schedule_attr_name__}_timing", Float, default=0
        )

    @declared_attr
    def schedule_unit(cls: Any) -> Mapped[str]:
        return mapped_column(
            f"{cls.__default_schedule_attr_name__}_unit",
            Enum(*stalker.defaults.datetime_units, name="TimeUnit"),
            default="h",
        )

    @declared_attr
    def schedule_model(cls: Any) -> Mapped[str]:
        prefix = cls.__default_schedule_attr_name__
        return mapped_column(
            f"{prefix}_model",
            Enum(
                *cls.__default_schedule_models__,
                name=f"{cls.__name__}{prefix.title()}Model",
            ),
            nullable=False,
            default=cls.__default_schedule_models__[0],
        )

    @declared_attr
    def schedule_constraint(cls: Any) -> Mapped[int]:
        return mapped_column(
            f"{cls.__default_schedule_attr_name__}_constraint",
            Integer,
            nullable=False,
            default=0,
        )

    def __init__(
        self,
        schedule_timing: float | None = None,
        schedule_unit: str | None = None,
        schedule_model: str | None = None,
        schedule_constraint: int = 0,
        **kwargs: Any,
    ) -> None:
        self.schedule_constraint = schedule_constraint
        self.schedule_model = schedule_model  # type: ignore[assignment]
        self.schedule_timing = schedule_timing
        self.schedule_unit = schedule_unit  # type: ignore[assignment]

    def _schedule_column(self, suffix: str) -> str:
        return f"{self.__default_schedule_attr_name__}_{suffix}"

    @validates("schedule_constraint")
    def _validate_schedule_constraint(self, key: str, constraint: Any) -> int:
        if not constraint:
            return 0
        if isinstance(constraint, bool) or not isinstance(constraint, int):
            raise type_error(
                self, self._schedule_column("constraint"), "an int (0-3)", constraint
            )
        return max(0, min(3, int(constraint)))

    @validates("schedule_model")
    def _validate_schedule_model(self, key: str, model: Any) -> str:
        models = self.__default_schedule_models__
        if not model:
            return models[0]
        return check_choice(self, self._schedule_column("model"), model, models)

    @validates("schedule_timing")
    def _validate_schedule_timing(self, key: str, timing: Any) -> float:
        if timing is None:
            timing = self.__default_schedule_timing__
            self.schedule_unit = self.__default_schedule_unit__  # type: ignore[assignment]
        if isinstance(timing, bool) or not isinstance(timing, (int, float)):
            raise type_error(
                self, self._schedule_column("timing"), "an int or float", timing
            )
        check_number(self, self._schedule_column("timing"), timing, at_least=0)
        self._schedule_timing_changed(timing)
        return timing

    @validates("schedule_unit")
    def _validate_schedule_unit(self, key: str, unit: Any) -> str:
        if unit is None:
            unit = self.__default_schedule_unit__
        unit = check_choice(
            self, self._schedule_column("unit"), unit, stalker.defaults.datetime_units
        )
        self._schedule_unit_changed(unit)
        return unit

    def _schedule_timing_changed(self, timing: float) -> None:
        """Hook run with a validated new timing, before it is stored."""

    def _schedule_unit_changed(self, unit: str) -> None:
        """Hook run with a validated new unit, before it is stored."""

    @property
    def schedule_seconds(self) -> float | None:
        """The timing in seconds, in the table of the schedule model."""
        return self.to_seconds(
            self.schedule_timing, self.schedule_unit, self.schedule_model
        )

    @classmethod
    def to_seconds(
        cls, timing: float | None, unit: str | None, model: str | None
    ) -> float | None:
        """``timing`` units in seconds (work time unless the model is duration)."""
        if not unit:
            return None
        return timing * _seconds_table(model)[unit]  # type: ignore[operator]

    @classmethod
    def to_unit(
        cls, seconds: float, unit: str | None, model: str | None
    ) -> float | None:
        """``seconds`` expressed in ``unit`` (work time unless duration)."""
        if not unit:
            return None
        return seconds / _seconds_table(model)[unit]

    @classmethod
    def least_meaningful_time_unit(
        cls, seconds: int | float, as_work_time: bool = True
    ) -> tuple[int | float, str]:
        """The largest unit dividing ``seconds`` exactly, as ``(value, unit)``.

        Falls back to hours, then to whole minutes (floored).
        """
        table = work_time_seconds() if as_work_time else CALENDAR_SECONDS
        for unit in ("y", "m", "w", "d"):
            if seconds % table[unit] == 0:
                return seconds // table[unit], unit
        if seconds % _HOUR == 0:
            return seconds // _HOUR, "h"
        return seconds // _MINUTE, "min"
