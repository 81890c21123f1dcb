"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import functools
import json
import time
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator


class JSONEncodedDict(TypeDecorator[Any]):
    """JSON stored as text, for databases without a native JSON type."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


GenericJSON = JSON().with_variant(JSONEncodedDict(), "sqlite")


def require_aware(value: datetime.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"naive datetime {value!r} cannot be stored: Stalker needs "
            "timezone-aware datetimes"
        )


class DateTimeUTC(TypeDecorator[datetime.datetime]):
    """Timezone-aware datetimes that read back the same on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no zones, so the value is
    stored as naive UTC there. Either way naive input is refused and values
    come back aware, in the machine's local zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        require_aware(value)
        if dialect.name == "sqlite":
            return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        return _in_local_zone(value, time.tzname, time.timezone, time.altzone)


@functools.lru_cache(maxsize=16384)
def _in_local_zone(value: datetime.datetime, *zone: Any) -> datetime.datetime:
    """``value`` (naive values are UTC) in the machine's zone, named by ``zone``.

    Converting to the local zone asks the C library every time (~2 us, six
    dates per task row: a third of loading a list of tasks); the dates of a
    production repeat, and the zone is part of the key, so a process that
    changes ``TZ`` and calls ``time.tzset()`` gets fresh conversions.
    """
    if value.tzinfo is None:  # SQLite: stored as naive UTC
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone()


#: The column type of every datetime in the object model.
GenericDateTime = DateTimeUTC()
