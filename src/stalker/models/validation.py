"""The one place that words validation errors and runs the common checks.

Every message names the class, the attribute, what was expected and what was
received (type and value), e.g.::

    Task.priority should be an int, not str: 'high'
"""

from __future__ import annotations

import datetime
import enum
import math
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import synonym

from stalker.utils import is_zone_name

_MAX_REPR = 200


def _owner_name(owner: Any) -> str:
    return owner.__name__ if isinstance(owner, type) else type(owner).__name__


def describe(value: Any) -> str:
    """``<type name>: <repr>`` of a received value, shortened when huge."""
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = f"{text[:_MAX_REPR]}..."
    return f"{type(value).__name__}: {text}"


def type_error(owner: Any, attr: str, expected: str, value: Any) -> TypeError:
    """A TypeError saying ``<Class>.<attr> should be <expected>, not <received>``."""
    return TypeError(
        f"{_owner_name(owner)}.{attr} should be {expected}, not {describe(value)}"
    )


def value_error(owner: Any, attr: str, expected: str, value: Any) -> ValueError:
    """A ValueError saying ``<Class>.<attr> should be <expected>, not <received>``."""
    return ValueError(
        f"{_owner_name(owner)}.{attr} should be {expected}, not {describe(value)}"
    )


def check_text(owner: Any, attr: str, value: str, max_length: int | None) -> str:
    """Refuse what a database would refuse or mangle in a str.

    PostgreSQL rejects NUL characters and both drivers fail to encode lone
    surrogates; a string longer than its ``String(n)`` column fails on
    PostgreSQL only. Checking here makes both backends refuse the same values.
    """
    if "\x00" in value:
        raise value_error(owner, attr, "a str without NUL characters", value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise value_error(owner, attr, "a str without lone surrogates", value) from None
    if max_length is not None and len(value) > max_length:
        raise value_error(
            owner, attr, f"a str of at most {max_length} characters", value
        )
    return value


def check_str(
    owner: Any,
    attr: str,
    value: Any,
    *,
    none_as: str | None = None,
    allow_empty: bool = True,
    allow_blank: bool = True,
    max_length: int | None = None,
) -> str:
    """Return ``value`` if it is a str (``None`` becomes ``none_as`` when given).

    ``allow_blank=False`` also refuses whitespace-only strings: a code of
    ``"   "`` names nothing.
    """
    if value is None and none_as is not None:
        return none_as
    if not isinstance(value, str):
        raise type_error(owner, attr, "a str", value)
    if not allow_empty and value == "":
        raise value_error(owner, attr, "a non-empty str", value)
    if not allow_blank and value.strip() == "":
        raise value_error(owner, attr, "a str that is not blank", value)
    return check_text(owner, attr, value, max_length)


def plain_value(value: Any) -> Any:
    """The plain str/int of an enum member (``stalker.models.enum``); else ``value``.

    Stored values stay plain: a database driver may write an enum member by
    its name rather than by its value.
    """
    return value.value if isinstance(value, enum.Enum) else value


def check_choice(owner: Any, attr: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` (plain, if an enum member) if it is one of ``choices``."""
    choices = list(choices)
    value = plain_value(value)
    if not isinstance(value, str):
        raise type_error(owner, attr, f"a str, one of {choices}", value)
    if value not in choices:
        raise value_error(owner, attr, f"one of {choices}", value)
    return value


def check_time_zone(owner: Any, attr: str, value: Any) -> str:
    """The IANA name of a time zone (a str or a ``zoneinfo.ZoneInfo``).

    Only names the zone database knows are kept, so a stored value always
    loads on another machine and never names a file outside the database.
    """
    if isinstance(value, zoneinfo.ZoneInfo):
        value = value.key
    name = check_str(owner, attr, value, allow_empty=False, max_length=64)
    if not is_zone_name(name):
        raise value_error(
            owner, attr, "an IANA time zone name such as 'Europe/London'", value
        )
    return name


def resolve_class(cls_or_name: type | str) -> type:
    """Return a mapped class given itself or its name (breaks import cycles)."""
    if isinstance(cls_or_name, type):
        return cls_or_name
    from stalker.db.declarative import mapped_class

    return mapped_class(cls_or_name)


def _class_label(cls: type) -> str:
    name = cls.__name__
    article = "an" if name[0] in "AEIO" else "a"
    return f"{article} {name} instance"


def check_instance(
    owner: Any,
    attr: str,
    value: Any,
    cls_or_name: type | str,
    *,
    allow_none: bool = False,
) -> Any:
    """Return ``value`` if it is an instance of the class (or None when allowed)."""
    if value is None and allow_none:
        return None
    cls = resolve_class(cls_or_name)
    if not isinstance(value, cls):
        expected = _class_label(cls)
        if allow_none:
            expected += " or None"
        raise type_error(owner, attr, expected, value)
    return value


def check_collection(owner: Any, attr: str, value: Any) -> list[Any]:
    """Turn a collection assignment into a list, refusing None and scalars.

    Strings and mappings are refused too: they iterate, but never mean a list
    of SOM objects.
    """
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
        raise type_error(owner, attr, "a list", value)
    return list(value)


def check_items(
    owner: Any, attr: str, items: Iterable[Any], cls_or_name: type | str
) -> list[Any]:
    """Type-check every element of a collection, returning them as a list."""
    cls = resolve_class(cls_or_name)
    checked = []
    for item in items:
        if not isinstance(item, cls):
            raise type_error(owner, attr, f"a list of {cls.__name__} instances", item)
        checked.append(item)
    return checked


def check_number(
    owner: Any,
    attr: str,
    value: Any,
    *,
    at_least: float | None = None,
    above: float | None = None,
) -> int | float:
    """Return ``value`` if it is a finite int or float (not a bool) within the bound."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise type_error(owner, attr, "an int or float", value)
    check_finite(owner, attr, value)
    if at_least is not None and value < at_least:
        raise value_error(owner, attr, f"a number >= {at_least}", value)
    if above is not None and value <= above:
        raise value_error(owner, attr, f"a number > {above}", value)
    return value


def check_finite(owner: Any, attr: str, value: Any) -> Any:
    """Refuse NaN and infinities (SQLite stores NaN as NULL, PostgreSQL keeps it)."""
    if isinstance(value, (float, Decimal)) and not math.isfinite(value):
        raise value_error(owner, attr, "a finite number", value)
    if isinstance(value, int) and abs(value) > _LARGEST_FLOAT_INT:
        raise value_error(owner, attr, "a number a float can hold", value)
    return value


_LARGEST_FLOAT_INT = 2**1023
INT_RANGES = {16: (-(2**15), 2**15 - 1), 32: (-(2**31), 2**31 - 1)}
INT_RANGES[64] = (-(2**63), 2**63 - 1)


def check_int_range(owner: Any, attr: str, value: int, bits: int = 32) -> int:
    """Refuse an int its ``bits``-wide column cannot hold (same on both backends)."""
    low, high = INT_RANGES[bits]
    if not low <= value <= high:
        raise value_error(owner, attr, f"an int from {low} to {high}", value)
    return value


# an Interval is stored as 1970-01-01 + delta on SQLite: keep inside year 1-9999
LONGEST_TIMEDELTA = datetime.timedelta(days=700_000)


def check_timedelta(
    owner: Any,
    attr: str,
    value: Any,
    *,
    allow_none: bool = False,
    allow_negative: bool = False,
    allow_zero: bool = True,
) -> datetime.timedelta | None:
    """Return ``value`` if it is a timedelta both backends can store.

    Negative (and with ``allow_zero=False`` zero) durations are refused
    unless allowed: a length of time spent or planned is never below zero.
    """
    if value is None and allow_none:
        return None
    if not isinstance(value, datetime.timedelta):
        expected = "a timedelta or None" if allow_none else "a timedelta"
        raise type_error(owner, attr, expected, value)
    if abs(value) > LONGEST_TIMEDELTA:
        raise value_error(
            owner, attr, f"a timedelta of at most {LONGEST_TIMEDELTA.days} days", value
        )
    if not allow_negative and value < datetime.timedelta(0):
        raise value_error(owner, attr, "a timedelta that is not negative", value)
    if not allow_zero and not value:
        raise value_error(owner, attr, "a timedelta above zero", value)
    return value


def read_only(stored: str, public: str, why: str) -> Any:
    """A read-only attribute ``public`` over the mapped attribute ``stored``.

    Queries may still use it (it is a synonym); assigning to it raises an
    AttributeError naming the class and saying ``why``.
    """

    def read(self: Any) -> Any:
        return getattr(self, stored)

    def refuse(self: Any, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__}.{public} is read-only: {why}")

    return synonym(stored, descriptor=property(read, refuse))
