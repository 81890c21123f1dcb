"""Generic helpers used across the object model (also in ``stalker.models``)."""

from __future__ import annotations

import contextlib
import datetime
import gc
import os
import zoneinfo
from collections import deque
from collections.abc import Iterator
from typing import Any

from stalker.exceptions import CircularDependencyError


def make_plural(name: str) -> str:
    """Return the English plural of a class name (``Daily`` -> ``Dailies``)."""
    if name.endswith("y"):
        return f"{name[:-1]}ies"
    if name.endswith("ch"):
        return f"{name}es"
    if name.endswith("f"):
        return f"{name[:-1]}ves"
    if name.endswith("s"):
        return f"{name}es"
    return f"{name}s"


def _traversal_method(method: Any) -> int:
    """Map 0/1, a TraversalDirection member or its name to 0 (depth) / 1 (breadth)."""
    if isinstance(method, str):
        lowered = method.lower()
        if lowered in ("breadthfirst", "breadth_first", "breadth"):
            return 1
        return 0
    value = getattr(method, "value", method)
    return 1 if value else 0


def walk_hierarchy(entity: Any, attr: str, method: Any = 0) -> Iterator[Any]:
    """Yield ``entity`` then everything reachable through the list attribute ``attr``.

    ``method`` 0 walks depth-first (pre-order), 1 breadth-first. Nodes reachable
    along two paths are yielded twice: callers guarantee an acyclic graph.
    """
    if _traversal_method(method) == 1:
        queue: deque[Any] = deque([entity])
        while queue:
            node = queue.popleft()
            yield node
            queue.extend(getattr(node, attr))
        return
    stack = [entity]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(getattr(node, attr)))


def check_circular_dependency(entity: Any, other_entity: Any, attr_name: str) -> None:
    """Raise CircularDependencyError if ``other_entity`` is reachable from ``entity``.

    Reachable means through ``attr_name``, ``entity`` itself included.
    """
    for node in walk_hierarchy(entity, attr_name):
        if node is other_entity:
            raise CircularDependencyError(
                f"{entity!r} ({type(entity).__name__}) and {other_entity!r} "
                f"({type(other_entity).__name__}) are in a circular dependency "
                f"through their {attr_name!r} attribute"
            )


def utc_to_local(dt: datetime.datetime) -> datetime.datetime:
    """Convert a naive UTC datetime to naive local time (compatibility helper)."""
    aware = dt.replace(tzinfo=datetime.timezone.utc)
    return aware.astimezone().replace(tzinfo=None)


def local_to_utc(dt: datetime.datetime) -> datetime.datetime:
    """Convert a naive local datetime to naive UTC (compatibility helper)."""
    return dt.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def local_timezone_name() -> str:
    """The machine's IANA zone name (``UTC`` when the machine names none).

    A valid ``TZ`` environment variable wins, read at each call (tzlocal
    caches its first answer for the life of the process); ``Etc/UTC`` and
    friends are reported as ``UTC``.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if not is_zone_name(name):
        import tzlocal  # a dependency; imported here to keep ``import stalker`` light

        try:
            name = tzlocal.get_localzone_name()
        except Exception:  # a broken TZ setting must not stop a Studio being made
            return "UTC"
    if not is_zone_name(name) or name in _UTC_ALIASES:
        return "UTC"
    return name


_UTC_ALIASES = frozenset({"Etc/UTC", "Etc/Universal", "Etc/Zulu", "UTC", "Zulu"})


def is_zone_name(name: Any) -> bool:
    """Whether ``name`` is a zone the IANA database here knows (never a path)."""
    if not isinstance(name, str) or not name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return False
    return True


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a bulk computation, then resume it.

    Scheduling builds hundreds of thousands of short-lived rows that form no
    reference cycles; each full collection meanwhile walks the whole heap
    (every mapper, module and loaded object), which was a third of a
    15 000-task run.  Reference counting still frees everything as usual;
    only cycles made during the pause wait for the collector, which resumes
    on exit (even on an error) if it was running before.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
