"""The studio, its weekly working hours and people's vacations."""

from __future__ import annotations

import copy
import datetime
import math
import zoneinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Interval, String, Text
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import (
    Mapped,
    mapped_column,
    relationship,
    synonym,
    validates,
)

import stalker
from stalker.db.declarative import mapped_class
from stalker.db.session import DBSession
from stalker.db.types import GenericDateTime, GenericJSON, JSONEncodedDict
from stalker.exceptions import RangeShapeError
from stalker.models import schedulers
from stalker.models.auth import User
from stalker.models.department import Department
from stalker.models.entity import Entity, SimpleEntity, utc_now
from stalker.models.mixins.date_range import DateRangeMixin
from stalker.models.mixins.working_hours import WorkingHoursMixin
from stalker.models.schedulers import SchedulerBase
from stalker.models.validation import (
    check_instance,
    check_time_zone,
    describe,
    type_error,
    value_error,
)
from stalker.scheduling.changes import ScheduleText, changes_as_json
from stalker.scheduling.tjp import (
    DATE,
    MINUTE,
    indent,
    tj3_time_zone,
    utc_text,
    vacation_line,
)
from stalker.utils import local_timezone_name

if TYPE_CHECKING:
    from stalker.models.department import Department as DepartmentType

_MINUTES_PER_DAY = 1440
_WEEKS_PER_YEAR = 52.1428


_MINUTE = datetime.timedelta(minutes=1)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
#: ``Studio._record_schedule``'s "the run failed": keep the last changes.
_FAILED = object()


def _round_to(
    moment: datetime.datetime, resolution: datetime.timedelta
) -> datetime.datetime:
    """``moment`` rounded to the nearest ``resolution`` step (halves up)."""
    steps = ((moment - _EPOCH) + resolution / 2) // resolution
    return _EPOCH + steps * resolution


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _minutes_to_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class WorkingHours(Entity):
    """A weekly pattern of working time ranges, in minutes after midnight.

    ``working_hours`` maps day names (``defaults.day_order``) to lists of
    ``[start, end]`` pairs; days not given keep the default pattern.
    """

    __tablename__ = "WorkingHours"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "WorkingHours"}

    working_hours_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    _working_hours: Mapped[dict[str, Any]] = mapped_column(
        "working_hours", MutableDict.as_mutable(GenericJSON)
    )
    _daily_working_hours: Mapped[int] = mapped_column(
        "daily_working_hours", Integer, default=9
    )

    def __init__(
        self,
        working_hours: dict[str, Any] | None = None,
        daily_working_hours: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.working_hours = working_hours  # type: ignore[assignment]
        self.daily_working_hours = daily_working_hours  # type: ignore[assignment]

    def _get_working_hours(self) -> dict[str, Any]:
        return self._working_hours

    def _set_working_hours(self, working_hours: Any) -> None:
        if working_hours is None:
            working_hours = {}
        if not isinstance(working_hours, dict):
            raise type_error(self, "working_hours", "a dict", working_hours)
        merged = copy.deepcopy(stalker.defaults.working_hours)
        for day, ranges in working_hours.items():
            merged[day] = self._validate_ranges(day, ranges)
        self._working_hours = merged

    working_hours = synonym(
        "_working_hours", descriptor=property(_get_working_hours, _set_working_hours)
    )

    def _validate_ranges(self, day: Any, ranges: Any) -> list[list[int]]:
        """Check one day's ``[[start, end], ...]`` list and return a copy."""
        attr = f"working_hours[{day!r}]"
        if not isinstance(ranges, list):
            raise type_error(self, attr, "a list of [start, end] lists", ranges)
        checked = []
        for time_range in ranges:
            if not isinstance(time_range, list):
                raise type_error(self, attr, "a list of [start, end] lists", time_range)
            if len(time_range) != 2:
                raise RangeShapeError(
                    f"WorkingHours.{attr} ranges should be [start, end] pairs of "
                    f"two ints, not {describe(time_range)}"
                )
            for minute in time_range:
                if not _is_int(minute):
                    raise type_error(self, attr, "ranges of int minutes", minute)
                if not 0 <= minute <= _MINUTES_PER_DAY:
                    raise value_error(
                        self, attr, f"minutes between 0 and {_MINUTES_PER_DAY}", minute
                    )
            if time_range[1] < time_range[0]:
                raise value_error(
                    self, attr, "ranges that end after they start", time_range
                )
            checked.append(list(time_range))
        return checked

    def _get_daily_working_hours(self) -> int:
        return self._daily_working_hours

    def _set_daily_working_hours(self, hours: Any) -> None:
        if hours is None:
            hours = stalker.defaults.daily_working_hours
        if not _is_int(hours):
            raise type_error(self, "daily_working_hours", "an int", hours)
        if not 0 < hours <= 24:
            raise value_error(self, "daily_working_hours", "an int in 1..24", hours)
        self._daily_working_hours = hours

    daily_working_hours = synonym(
        "_daily_working_hours",
        descriptor=property(_get_daily_working_hours, _set_daily_working_hours),
    )

    def _day_name(self, item: Any) -> str:
        day_order: list[str] = stalker.defaults.day_order
        if _is_int(item):
            if item >= len(day_order):
                raise IndexError(
                    f"WorkingHours day index should be 0..{len(day_order) - 1}, "
                    f"not {item}"
                )
            return day_order[item]
        if item not in day_order:
            raise KeyError(
                f"WorkingHours day should be one of {day_order}, not {item!r}"
            )
        return str(item)

    def __getitem__(self, item: int | str) -> list[list[int]]:
        if _is_int(item):
            return self.working_hours[self._day_name(item)]  # type: ignore[no-any-return]
        return self.working_hours[item]  # type: ignore[index,no-any-return]

    def __setitem__(self, item: int | str, ranges: list[list[int]]) -> None:
        day = self._day_name(item)
        self._working_hours[day] = self._validate_ranges(day, ranges)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WorkingHours)
            and self.working_hours == other.working_hours
        )

    __hash__ = SimpleEntity.__hash__

    def _day_ranges(self) -> list[list[list[int]]]:
        return [self.working_hours.get(day, []) for day in stalker.defaults.day_order]

    @property
    def weekly_working_hours(self) -> float:
        """Hours of work in a week, summed over every range of every day."""
        minutes = sum(end - start for day in self._day_ranges() for start, end in day)
        return minutes / 60

    @property
    def weekly_working_days(self) -> int:
        """How many days of the week have at least one working range."""
        return sum(1 for day in self._day_ranges() if day)

    @property
    def yearly_working_days(self) -> int:
        """Working days in a year (weekly days x 52.1428, rounded up)."""
        return math.ceil(self.weekly_working_days * _WEEKS_PER_YEAR)

    def is_working_hour(self, check_for_date: datetime.datetime) -> bool:
        """Whether the wall-clock time of the datetime falls in a working range."""
        day = stalker.defaults.day_order[check_for_date.weekday()]
        minute = check_for_date.hour * 60 + check_for_date.minute
        return any(start <= minute < end for start, end in self.working_hours[day])

    def split_in_to_working_hours(
        self, start: datetime.datetime, end: datetime.datetime
    ) -> Any:
        """Not implemented (kept for API compatibility)."""
        raise NotImplementedError("WorkingHours.split_in_to_working_hours")

    @property
    def to_tjp(self) -> str:
        """One ``workinghours`` line per day, Monday to Sunday."""
        lines = []
        for day, ranges in zip(
            stalker.defaults.day_order, self._day_ranges(), strict=True
        ):
            spans = ", ".join(
                f"{_minutes_to_clock(start)} - {_minutes_to_clock(end)}"
                for start, end in ranges
            )
            lines.append(f"workinghours {day} {spans or 'off'}")
        return "\n".join(lines)


class Studio(Entity, DateRangeMixin, WorkingHoursMixin):
    """The studio: working hours, timing resolution and schedule bookkeeping.

    Its figures are its own: creating or loading a Studio leaves
    ``stalker.defaults`` alone (two databases in one process do not
    interfere) and the schedulers read the studio itself.  Call
    :meth:`update_defaults` to make them the process-wide defaults on purpose.
    """

    __tablename__ = "Studios"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Studio"}

    studio_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    _timing_resolution: Mapped[datetime.timedelta | None] = mapped_column(
        "timing_resolution", Interval
    )
    is_scheduling: Mapped[bool] = mapped_column(Boolean, default=False)
    is_scheduling_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("Users.id"), index=True
    )
    is_scheduling_by: Mapped[User | None] = relationship(
        primaryjoin="Studio.is_scheduling_by_id == User.user_id"
    )
    scheduling_started_at: Mapped[datetime.datetime | None] = mapped_column(
        GenericDateTime
    )
    last_scheduled_at: Mapped[datetime.datetime | None] = mapped_column(GenericDateTime)
    last_scheduled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("Users.id"), index=True
    )
    last_scheduled_by: Mapped[User | None] = relationship(
        primaryjoin="Studio.last_scheduled_by_id == User.user_id"
    )
    last_schedule_message: Mapped[str | None] = mapped_column(Text)
    #: What the last run moved against the plan before it (plain rows, JSON).
    #: Its own JSON type instance: ``working_hours`` makes the shared
    #: ``GenericJSON`` instance a MutableDict, which refuses a list.
    last_schedule_changes: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON().with_variant(JSONEncodedDict(), "sqlite")
    )
    _timezone: Mapped[str] = mapped_column(
        "timezone", String(64), nullable=False, default="UTC", server_default="UTC"
    )

    # Not persisted: a Studio read from the database starts without them.
    _now = None
    _scheduler = None

    def __init__(
        self,
        daily_working_hours: int | None = None,
        now: datetime.datetime | None = None,
        timing_resolution: datetime.timedelta | None = None,
        timezone: str | zoneinfo.ZoneInfo | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.timezone = timezone  # type: ignore[assignment]
        DateRangeMixin.__init__(self, **kwargs)
        WorkingHoursMixin.__init__(self, **kwargs)
        self.timing_resolution = timing_resolution  # type: ignore[assignment]
        if daily_working_hours is not None or kwargs.get("working_hours") is None:
            self.daily_working_hours = daily_working_hours  # type: ignore[assignment]
        self.now = now  # type: ignore[assignment]
        self.scheduler = None
        self.is_scheduling = False

    def update_defaults(self) -> None:
        """Make this studio's working-time figures the process-wide defaults.

        Only when asked: the figures then rule every work-time conversion
        and date rounding of the process, whichever database it uses.
        """
        defaults = stalker.defaults
        for key in (
            "daily_working_hours",
            "weekly_working_days",
            "weekly_working_hours",
            "yearly_working_days",
            "timing_resolution",
        ):
            value = getattr(self, key)
            if value:
                defaults[key] = value

    def _get_timing_resolution(self) -> datetime.timedelta | None:
        return self._timing_resolution

    def _set_timing_resolution(self, resolution: Any) -> None:
        if resolution is None:
            resolution = stalker.defaults.timing_resolution
        if not isinstance(resolution, datetime.timedelta):
            raise type_error(
                self, "timing_resolution", "a datetime.timedelta", resolution
            )
        if resolution <= datetime.timedelta(0) or resolution % _MINUTE:
            raise value_error(
                self,
                "timing_resolution",
                "a positive whole number of minutes",
                resolution,
            )
        self._timing_resolution = resolution
        if self._start is not None and self._end is not None:
            start, end = (
                _round_to(self._start, resolution),
                _round_to(self._end, resolution),
            )
            end = max(end, start + resolution)
            self._start, self._end, self._duration = start, end, end - start
        if self._now is not None:
            self._now = _round_to(self._now, resolution)

    def _get_timezone(self) -> str:
        return self._timezone

    def _set_timezone(self, name: Any) -> None:
        if name is None:
            name = local_timezone_name()
        self._timezone = check_time_zone(self, "timezone", name)

    timezone = synonym(
        "_timezone",
        descriptor=property(
            _get_timezone,
            _set_timezone,
            doc="IANA zone name of the working hours and vacations. A new "
            "studio takes the machine's zone; a database made before time zones "
            "reads UTC, which is what its hours meant.",
        ),
    )

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        """:attr:`timezone` as a ``zoneinfo.ZoneInfo``."""
        return zoneinfo.ZoneInfo(self.timezone)

    def _resolution(self) -> datetime.timedelta:
        """The studio's own step (the default until one is set)."""
        return self._timing_resolution or stalker.defaults.timing_resolution

    timing_resolution = synonym(
        "_timing_resolution",
        descriptor=property(_get_timing_resolution, _set_timing_resolution),
    )

    @property
    def now(self) -> datetime.datetime:
        """The moment scheduling counts from, rounded (not persisted)."""
        if self._now is None:
            self._now = _round_to(utc_now(), self._resolution())
        return self._now

    @now.setter
    def now(self, now: Any) -> None:
        if now is None:
            now = utc_now()
        if not isinstance(now, datetime.datetime) or now.utcoffset() is None:
            raise type_error(self, "now", "a timezone-aware datetime.datetime", now)
        self._now = _round_to(now, self._resolution())

    @property
    def scheduler(self) -> SchedulerBase | None:
        """The scheduler ``schedule()`` runs (not persisted; None after loading).

        None means "the default": ``schedule()`` then picks TaskJugglerScheduler
        when tj3 is installed, NativeScheduler otherwise, and stores it here.
        The getter itself does not report the default: looking for tj3 on
        every read would hit the file system, and a scheduler made on each
        read would lose its ``timings`` and ``plan``; after ``schedule()``
        this holds the very scheduler that ran, to be inspected.
        """
        return self._scheduler

    @scheduler.setter
    def scheduler(self, scheduler: Any) -> None:
        self._scheduler = check_instance(
            self, "scheduler", scheduler, SchedulerBase, allow_none=True
        )

    def schedule(self, scheduled_by: User | None = None) -> Any:
        """Run ``scheduler`` on this studio and record how it went; no commit.

        Without a scheduler the default one (see :attr:`scheduler`) is chosen
        and kept.  The bookkeeping fields are written whether the run succeeds
        or not: a failed run stores its error text in ``last_schedule_message``
        and the error propagates.  Setting ``is_scheduling`` to True beforehand
        (to guard against concurrent runs) is the caller's job.

        Returns the scheduler's text (tj3's warnings, ``''`` for the native
        engine).  When the scheduler reports the tasks it moved (both of
        Stalker's do), the text is a :class:`~stalker.scheduling.ScheduleText`:
        still an equal ``str``, with ``.changes`` added.  A successful run
        keeps them, as JSON rows, in ``last_schedule_changes`` (None if the
        scheduler does not report them); a failed run leaves that as it was,
        since the stored plan did not change.
        """
        if scheduled_by is not None:
            check_instance(self, "scheduled_by", scheduled_by, User)
        scheduler = self.scheduler
        if scheduler is None:
            scheduler = self.scheduler = schedulers.default_scheduler()
        self.scheduling_started_at = utc_now()
        scheduler.studio = self
        result = None
        changes: Any = _FAILED
        try:
            result = scheduler.schedule()
            changes = getattr(scheduler, "changes", None)
        except Exception as error:
            result = f"Scheduling failed: {type(error).__name__}: {error}"
            raise
        finally:
            self._record_schedule(result, scheduled_by, changes)
        if isinstance(result, str) and changes is not None:
            return ScheduleText(result, changes)
        return result

    def _record_schedule(
        self, message: Any, scheduled_by: User | None, changes: Any = _FAILED
    ) -> None:
        with DBSession.no_autoflush:
            self.is_scheduling = False
            self.is_scheduling_by = None
            self.last_schedule_message = message
            self.last_scheduled_at = utc_now()
            if scheduled_by is not None:
                self.last_scheduled_by = scheduled_by
            if changes is not _FAILED:
                self.last_schedule_changes = (
                    None if changes is None else changes_as_json(changes)
                )

    @property
    def to_tjp(self) -> str:
        """The TaskJuggler ``project`` header: horizon, resolution, working hours."""
        return self.tjp_project()

    def tjp_project(self, end: datetime.datetime | None = None) -> str:
        """:attr:`to_tjp` with the horizon ending at ``end`` (default :attr:`end`).

        A studio outside UTC states its ``timezone`` before the working hours
        (tj3 resets them when the zone is set), and ``now`` gets an explicit
        UTC offset, as tj3 reads dates in the project's zone.
        """
        resolution = self._resolution()
        minutes = (resolution.days * 86400 + resolution.seconds) // 60
        tjp_id = self.tjp_id
        zone = tj3_time_zone(self.timezone)
        zoned = zone is not None
        horizon_end = self.end if end is None else end
        lines = [
            f'project {tjp_id} "{tjp_id}" '
            f"{utc_text(self.start, DATE)} - {utc_text(horizon_end, DATE)} {{",
            f"    timingresolution {minutes}min",
        ]
        if zoned:
            lines.append(f'    timezone "{zone}"')
        lines += [
            f"    now {utc_text(self.now, MINUTE, zoned)}",
            f"    dailyworkinghours {self.daily_working_hours}",
            "    weekstartsmonday",
            indent(self.working_hours.to_tjp),
            '    timeformat "%Y-%m-%d"',
            '    scenario plan "Plan"',
            "    trackingscenario plan",
            "}",
        ]
        return "\n".join(lines)

    @property
    def daily_working_hours(self) -> int:
        """Working hours in one day, kept by ``working_hours``."""
        return self.working_hours.daily_working_hours  # type: ignore[no-any-return]

    @daily_working_hours.setter
    def daily_working_hours(self, hours: int | None) -> None:
        self.working_hours.daily_working_hours = hours

    @property
    def weekly_working_hours(self) -> float:
        """Hours of work in a week (from ``working_hours``)."""
        return self.working_hours.weekly_working_hours

    @property
    def weekly_working_days(self) -> int:
        """Days with work in a week (from ``working_hours``)."""
        return self.working_hours.weekly_working_days

    @property
    def yearly_working_days(self) -> int:
        """Working days in a year (from ``working_hours``)."""
        return self.working_hours.yearly_working_days

    @validates("is_scheduling_by", "last_scheduled_by")
    def _validate_user(self, key: str, user: Any) -> User | None:
        return check_instance(self, key, user, User, allow_none=True)

    def _projects(self, active: bool | None = None) -> list[Any]:
        # Project is defined by a later module; until then there are none.
        try:
            project_class: Any = mapped_class("Project")
        except LookupError:
            return []
        query = project_class.query
        if active is not None:
            query = query.filter(project_class.active.is_(active))
        return list(query.all())

    @property
    def projects(self) -> list[Any]:
        """Every Project (``[]`` while no Project class is defined)."""
        return self._projects()

    @property
    def active_projects(self) -> list[Any]:
        """Projects whose ``active`` flag is set."""
        return self._projects(active=True)

    @property
    def inactive_projects(self) -> list[Any]:
        """Projects whose ``active`` flag is cleared."""
        return self._projects(active=False)

    @property
    def departments(self) -> list[DepartmentType]:
        """Every Department in the database."""
        return list(Department.query.all())

    @property
    def users(self) -> list[User]:
        """Every User in the database."""
        return list(User.query.all())

    @property
    def vacations(self) -> list[Vacation]:
        """Studio-wide vacations (those without a user)."""
        return list(Vacation.query.filter(Vacation.user_id.is_(None)).all())

    def to_unit(
        self,
        from_timing: float,
        from_unit: str,
        to_unit: str,
        working_hours: bool = True,
    ) -> float:
        """Not implemented (kept for API compatibility)."""
        raise NotImplementedError("Studio.to_unit")


class Vacation(SimpleEntity, DateRangeMixin):
    """Time off of one user, or of the whole studio when ``user`` is None."""

    __tablename__ = "Vacations"
    __auto_name__ = True
    __strictly_typed__ = False
    __mapper_args__ = {"polymorphic_identity": "Vacation"}

    vacation_id: Mapped[int] = mapped_column(
        "id", ForeignKey("SimpleEntities.id"), primary_key=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("Users.id"), index=True)
    user: Mapped[User | None] = relationship(
        back_populates="vacations",
        primaryjoin="Vacation.user_id == User.user_id",
    )

    def __init__(
        self,
        user: User | None = None,
        start: datetime.datetime | None = None,
        end: datetime.datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        DateRangeMixin.__init__(self, start=start, end=end, **kwargs)
        self.user = user

    @validates("user")
    def _validate_user(self, key: str, user: Any) -> User | None:
        return check_instance(self, key, user, User, allow_none=True)

    @property
    def to_tjp(self) -> str:
        """``vacation <start> - <end>`` in UTC, as TaskJuggler reads it."""
        return vacation_line(self.start, self.end)
