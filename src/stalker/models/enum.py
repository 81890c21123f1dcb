"""Named values of the scheduling attributes, spelled as Stalker 1.x scripts do.

The seeds' plain strings and ints stay the primary spelling: every member
*is* its string or int (a ``str``/``int`` mix-in), so it is accepted wherever
that value is, compares equal to it, and is stored as the plain value.  The
``to_...`` class methods turn a member, its value or its name (any case) into
the member, and refuse anything else naming the valid members.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from stalker.models.validation import describe

_Member = TypeVar("_Member", bound="_Convertible")


class _Convertible(enum.Enum):
    """Conversion shared by every enum below."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def _convert(cls: type[_Member], value: Any) -> _Member:
        if isinstance(value, cls):
            return value
        for member in cls:
            if _matches(member, value):
                return member
        valid = ", ".join(f"{member.name} ({member.value!r})" for member in cls)
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise TypeError(
                f"{cls.__name__} should be one of {valid}, not {describe(value)}"
            )
        raise ValueError(
            f"{cls.__name__} should be one of {valid}, not {describe(value)}"
        )


def _matches(member: enum.Enum, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        text = value.strip().lower()
        return text in (member.name.lower(), str(member.value).lower())
    return (
        isinstance(value, int)
        and isinstance(member.value, int)
        and member.value == value
    )


class ScheduleConstraint(int, _Convertible):
    """Which of a task's dates the scheduler must keep."""

    NONE = 0
    Start = 1
    End = 2
    Both = 3

    @classmethod
    def to_constraint(cls, value: Any) -> ScheduleConstraint:
        return cls._convert(value)


class TimeUnit(str, _Convertible):
    """Units of schedule timings, bids and gaps."""

    Minute = "min"
    Hour = "h"
    Day = "d"
    Week = "w"
    Month = "m"
    Year = "y"

    @classmethod
    def to_unit(cls, value: Any) -> TimeUnit:
        return cls._convert(value)


class ScheduleModel(str, _Convertible):
    """How a task's timing is read: work, calendar time, or working days."""

    Effort = "effort"
    Duration = "duration"
    Length = "length"

    @classmethod
    def to_model(cls, value: Any) -> ScheduleModel:
        return cls._convert(value)


class DependencyTarget(str, _Convertible):
    """Which end of the dependency a dependent task waits for."""

    OnStart = "onstart"
    OnEnd = "onend"

    @classmethod
    def to_target(cls, value: Any) -> DependencyTarget:
        return cls._convert(value)


class TraversalDirection(int, _Convertible):
    """Order of the hierarchy and dependency walks."""

    DepthFirst = 0
    BreadthFirst = 1

    @classmethod
    def to_direction(cls, value: Any) -> TraversalDirection:
        return cls._convert(value)


__all__ = [
    "DependencyTarget",
    "ScheduleConstraint",
    "ScheduleModel",
    "TimeUnit",
    "TraversalDirection",
]
