"""DateRangeMixin: start, end and duration kept consistent and rounded."""

from __future__ import annotations

import datetime
from typing import Any, cast

from sqlalchemy import Interval
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, synonym

import stalker
from stalker.db.types import GenericDateTime
from stalker.models.validation import check_timedelta, type_error, value_error

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_ONE_DAY = datetime.timedelta(days=1)


def round_time(dt: datetime.datetime) -> datetime.datetime:
    """Round to the nearest ``timing_resolution`` step from the epoch (halves up)."""
    if not isinstance(dt, datetime.datetime) or dt.utcoffset() is None:
        raise type_error("DateRangeMixin", "round_time", "an aware datetime", dt)
    resolution = int(stalker.defaults.timing_resolution.total_seconds())
    seconds = int((dt - _EPOCH).total_seconds() // 1)
    steps = (seconds + resolution / 2) // resolution
    return _EPOCH + datetime.timedelta(seconds=int(steps) * resolution)


def _is_datetime(value: Any) -> bool:
    return isinstance(value, datetime.datetime)


class DateRangeMixin:
    """Adds ``start``/``end``/``duration`` and the scheduler's computed dates."""

    @declared_attr
    def _start(cls) -> Mapped[datetime.datetime | None]:
        return mapped_column("start", GenericDateTime)

    @declared_attr
    def _end(cls) -> Mapped[datetime.datetime | None]:
        return mapped_column("end", GenericDateTime)

    @declared_attr
    def _duration(cls) -> Mapped[datetime.timedelta | None]:
        return mapped_column("duration", Interval)

    @declared_attr
    def computed_start(cls) -> Mapped[datetime.datetime | None]:
        return mapped_column(GenericDateTime)

    @declared_attr
    def computed_end(cls) -> Mapped[datetime.datetime | None]:
        return mapped_column(GenericDateTime)

    # ``cls`` is the mapped class (a type checker would take it for an
    # instance): the accessors are looked up on it so subclasses' overrides count.

    @declared_attr
    def start(cls: Any) -> Mapped[datetime.datetime]:
        return synonym("_start", descriptor=property(cls._get_start, cls._set_start))

    @declared_attr
    def end(cls: Any) -> Mapped[datetime.datetime]:
        return synonym("_end", descriptor=property(cls._get_end, cls._set_end))

    @declared_attr
    def duration(cls: Any) -> Mapped[datetime.timedelta]:
        return synonym(
            "_duration", descriptor=property(cls._get_duration, cls._set_duration)
        )

    def __init__(
        self,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        duration: datetime.timedelta | None = None,
        **kwargs: Any,
    ) -> None:
        self._start, self._end, self._duration = self._validate_dates(
            start, end, duration
        )

    @classmethod
    def round_time(cls, dt: datetime.datetime) -> datetime.datetime:
        """Round ``dt`` to the timing resolution (see :func:`round_time`)."""
        return round_time(dt)

    def _check_date(self, attr: str, value: Any) -> None:
        """None keeps the default; anything but an aware datetime is refused."""
        if value is None:
            return
        if not _is_datetime(value):
            raise type_error(self, attr, "a timezone-aware datetime or None", value)
        if value.utcoffset() is None:
            raise type_error(self, attr, "a timezone-aware datetime", value)

    def _validate_dates(
        self, start: Any, end: Any, duration: Any
    ) -> tuple[datetime.datetime, datetime.datetime, datetime.timedelta]:
        """Normalise the triple; None takes the default, wrong types are refused."""
        self._check_date("start", start)
        self._check_date("end", end)
        check_timedelta(self, "duration", duration, allow_none=True)
        try:
            return self._normalise_dates(start, end, duration)
        except OverflowError:
            raise value_error(
                self,
                "duration",
                "dates that stay within the years 1 to 9999",
                (start, end, duration),
            ) from None

    def _normalise_dates(
        self, start: Any, end: Any, duration: Any
    ) -> tuple[datetime.datetime, datetime.datetime, datetime.timedelta]:
        resolution = stalker.defaults.timing_resolution
        if start is None:
            duration = duration or resolution
            if end is None:
                start = datetime.datetime.now(datetime.timezone.utc)
                end = start + duration
            else:
                start = end - duration
        if end is None:
            duration = duration or resolution
            end = start + duration
        if end < start:
            if duration is None or duration < _ONE_DAY:
                duration = _ONE_DAY
            end = start + duration
        start = round_time(start)
        end = round_time(end)
        duration = end - start
        if duration < resolution:
            duration = resolution
            end = start + duration
        return start, end, duration

    # the constructor always sets the three; only a foreign row may hold NULL
    def _get_start(self) -> datetime.datetime:
        return cast(datetime.datetime, self._start)

    def _set_start(self, start: Any) -> None:
        self._start, self._end, self._duration = self._validate_dates(
            start, self._end, self._duration
        )

    def _get_end(self) -> datetime.datetime:
        return cast(datetime.datetime, self._end)

    def _set_end(self, end: Any) -> None:
        self._start, self._end, self._duration = self._validate_dates(
            self._start, end, self._duration
        )

    def _get_duration(self) -> datetime.timedelta:
        return cast(datetime.timedelta, self._duration)

    def _set_duration(self, duration: Any) -> None:
        if isinstance(duration, datetime.timedelta):
            triple = self._validate_dates(self._start, None, duration)
        else:
            triple = self._validate_dates(self._start, self._end, duration)
        self._start, self._end, self._duration = triple

    @property
    def computed_duration(self) -> datetime.timedelta | None:
        """``computed_end - computed_start`` once scheduled, else None."""
        if self.computed_start and self.computed_end:
            return self.computed_end - self.computed_start
        return None

    @property
    def total_seconds(self) -> int:
        """Whole seconds of ``duration`` (microseconds ignored)."""
        return self.duration.days * 86400 + self.duration.seconds

    @property
    def computed_total_seconds(self) -> int:
        """Whole seconds of ``computed_duration``."""
        duration = self.computed_duration
        if duration is None:
            raise ValueError(
                f"{type(self).__name__}.computed_total_seconds needs computed dates"
            )
        return duration.days * 86400 + duration.seconds
