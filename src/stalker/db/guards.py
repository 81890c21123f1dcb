"""Guards every mapped class gets: column checks, safe constructors, sessions.

Three mechanisms, installed on each mapper when SQLAlchemy configures it, so
no class can forget them:

* **Column guards.** Every column attribute refuses, when it is set, a value
  its column cannot store on *both* backends (NaN, NUL, lone surrogates, a
  str longer than ``String(n)``, an int beyond the column's width, a huge
  timedelta). Class validators run first; the guard is the last word before
  the value is stored, so SQLite and PostgreSQL refuse the same values with
  the same TypeError/ValueError instead of failing at commit.
* **Safe constructors.** A constructor that raises undoes what it linked:
  the half-built object (and the objects built for it, such as association
  objects) is removed from every collection and reference of the objects it
  joined, and from the session. A refused call leaves the graph as it was.
* **Joining the session of saved objects.** SQLAlchemy 2 does not cascade an
  object into a session through a back-reference: ``Vacation(user=saved)``
  would be left out of the next commit. An object that gets linked to an
  object in a session joins that session, once fully built.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Integer,
    Interval,
    Numeric,
    SmallInteger,
    String,
    TypeDecorator,
    event,
)
from sqlalchemy.orm import Mapper, object_session
from sqlalchemy.orm.attributes import instance_state

from stalker.models.validation import (
    check_finite,
    check_int_range,
    check_text,
    check_timedelta,
    type_error,
)

_Guard = Callable[[Any, Any, Any, Any], Any]
_guards: dict[Column[Any], _Guard] = {}


def _public(key: str) -> str:
    """``_start`` is set through ``start``: name the attribute users know."""
    return key.lstrip("_") or key


def _int_bits(column_type: Any) -> int:
    if isinstance(column_type, BigInteger):
        return 64
    if isinstance(column_type, SmallInteger):
        return 16
    return 32


def _value_check(column: Column[Any]) -> Callable[[Any, str, Any], Any] | None:
    """The check for values of ``column``'s type; None when there is none."""
    column_type = column.type
    plain = not isinstance(column_type, TypeDecorator)
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, String):
        length = column_type.length

        def check_string(owner: Any, attr: str, value: Any) -> Any:
            if isinstance(value, str):
                return check_text(owner, attr, value, length)
            if plain:
                raise type_error(owner, attr, "a str", value)
            return value

        return check_string
    if isinstance(column_type, Integer):
        bits = _int_bits(column_type)

        def check_integer(owner: Any, attr: str, value: Any) -> Any:
            if isinstance(value, int):
                return check_int_range(owner, attr, value, bits)
            if plain:
                raise type_error(owner, attr, "an int", value)
            return value

        return check_integer
    if isinstance(column_type, (Float, Numeric)):

        def check_float(owner: Any, attr: str, value: Any) -> Any:
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                return check_finite(owner, attr, value)
            if plain:
                raise type_error(owner, attr, "an int or float", value)
            return value

        return check_float
    if isinstance(column_type, Interval):

        def check_interval(owner: Any, attr: str, value: Any) -> Any:
            return check_timedelta(owner, attr, value, allow_negative=True)

        return check_interval
    return None


def _column_guard(column: Column[Any], key: str) -> _Guard | None:
    """One guard per column (so installing it twice is detectable)."""
    if column in _guards:
        return _guards[column]
    check = _value_check(column)
    if check is None:
        return None
    attr = _public(key)

    def guard(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
        if value is None:
            return value
        return check(target, attr, value)

    _guards[column] = guard
    return guard


def _install_column_guards(mapper: Mapper[Any]) -> None:
    manager = mapper.class_manager
    for prop in mapper.column_attrs:
        if len(prop.columns) != 1 or not isinstance(prop.columns[0], Column):
            continue
        guard = _column_guard(prop.columns[0], prop.key)
        attribute = manager.get(prop.key)
        if guard is None or attribute is None:
            continue
        if not event.contains(attribute, "set", guard):
            event.listen(attribute, "set", guard, retval=True)


# -- safe constructors -------------------------------------------------------

# the objects built since the outermost constructor started, in order
_building: ContextVar[list[Any] | None] = ContextVar("stalker_building", default=None)


def under_construction(obj: Any) -> bool:
    """True while ``obj``'s constructor (or one it is built in) runs."""
    building = _building.get()
    return building is not None and any(item is obj for item in building)


def _related(obj: Any, key: str) -> list[Any]:
    """What ``obj.key`` holds, without loading anything."""
    value = instance_state(obj).dict.get(key)
    if value is None:
        return []
    if isinstance(value, (list, set, tuple)):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def _unlink_from(other: Any, key: str, obj: Any) -> None:
    """Remove ``obj`` from ``other.key`` (a collection or a reference)."""
    state = instance_state(other)
    if key not in state.dict:  # never loaded: the link is only a pending append
        pending = state._pending_mutations.get(key)
        if pending is not None and obj in pending.added_items:
            pending.added_items.remove(obj)
        return
    value = state.dict[key]
    if value is obj:
        state.manager[key].impl.set(state, state.dict, None, None)
    elif isinstance(value, list) and any(item is obj for item in value):
        value.remove(obj)


def _undo(obj: Any) -> None:
    """Unlink a refused, half-built object from everything it joined."""
    state = instance_state(obj)
    links = [
        (other, reverse.key)
        for prop in state.mapper.relationships
        for other in _related(obj, prop.key)
        for reverse in prop._reverse_property
    ]
    with _no_autoflush_of(obj, *(other for other, _ in links)):
        for other, key in links:
            with contextlib.suppress(Exception):
                _unlink_from(other, key, obj)
        session = object_session(obj)
        if session is not None and state.key is None:
            with contextlib.suppress(Exception):
                session.expunge(obj)


@contextlib.contextmanager
def _no_autoflush_of(*objects: Any) -> Iterator[None]:
    """Unlinking may load expired attributes: never flush the half-built."""
    with contextlib.ExitStack() as stack:
        sessions = {id(s): s for s in map(object_session, objects) if s is not None}
        for session in sessions.values():
            stack.enter_context(session.no_autoflush)
        yield


def _join_saved_neighbour(obj: Any) -> None:
    """Add a new ``obj`` to the session of an object it references."""
    state = instance_state(obj)
    if state.session_id is not None or state.key is not None:
        return
    for prop in state.mapper.relationships:
        if prop.viewonly:
            continue
        for other in _related(obj, prop.key):
            session = object_session(other)
            if session is not None:
                session.add(obj)
                return


def _safe_init(original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        building = _building.get()
        outermost = building is None
        if building is None:
            building = []
            token = _building.set(building)
        first = len(building)
        building.append(self)
        try:
            original(self, *args, **kwargs)
        except BaseException:
            for built in reversed(building[first:]):
                _undo(built)
            del building[first:]
            raise
        finally:
            if outermost:
                _building.reset(token)
        if outermost:
            for built in building:
                _join_saved_neighbour(built)

    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    __init__._stalker_safe = True  # type: ignore[attr-defined]
    return __init__


def _install_safe_init(mapper: Mapper[Any]) -> None:
    manager = mapper.class_manager
    original = manager.original_init
    if original is None or getattr(original, "_stalker_safe", False):
        return
    manager.original_init = _safe_init(original)


# -- joining the session of a saved neighbour after construction --------------


def _join_on_link(target: Any, value: Any, *args: Any) -> Any:
    if value is None or under_construction(target):
        return value
    state = instance_state(target)
    if state.session_id is None and state.key is None:
        session = object_session(value)
        if session is not None:
            session.add(target)
    return value


def _install_join_listeners(mapper: Mapper[Any]) -> None:
    """Listen on every relationship the mapper defines, backrefs included."""
    manager = mapper.class_manager
    for prop in mapper.relationships:
        if prop.viewonly or prop.parent is not mapper:
            continue
        attribute = manager.get(prop.key)
        if attribute is None:
            continue
        name = "append" if prop.uselist else "set"
        if not event.contains(attribute, name, _join_on_link):
            event.listen(attribute, name, _join_on_link, retval=True, propagate=True)


def install(base: type) -> None:
    """Install the guards on every class mapped under ``base``."""

    @event.listens_for(base, "mapper_configured", propagate=True)
    def _configured(mapper: Mapper[Any], class_: type) -> None:
        _install_column_guards(mapper)
        _install_safe_init(mapper)

    # a backref is added to its mapper when the *other* class is configured,
    # so the relationship listeners wait until every mapper is
    @event.listens_for(Mapper, "after_configured")
    def _all_configured() -> None:
        for mapper in base.registry.mappers:  # type: ignore[attr-defined]
            _install_join_listeners(mapper)


__all__ = ["install", "under_construction"]
