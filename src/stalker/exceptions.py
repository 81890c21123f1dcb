"""Errors that Stalker raises besides the built-in TypeError/ValueError.

Every error the library defines derives from :class:`StalkerError` as well as
from the built-in class that says what went wrong, so a script catches either
"anything stalker refused" or, say, every ``ValueError``.
"""


class StalkerError(Exception):
    """Base of every Stalker error; the message is also on ``.value``.

    ``.value`` is where both generations of the original API kept the message.
    """

    def __init__(self, value: str = "") -> None:
        super().__init__(value)
        self.value = value

    def __str__(self) -> str:
        return str(self.value)


class LoginError(StalkerError):
    """Login information is wrong (for user interfaces)."""


class CircularDependencyError(StalkerError):
    """A parent/child or dependency relation would create a cycle."""


class OverBookedError(StalkerError):
    """A TimeLog overlaps another TimeLog of the same resource."""


class SelfReferenceError(CircularDependencyError, ValueError):
    """An object was related to itself (a ticket among its own related tickets)."""


class RangeShapeError(StalkerError, ValueError, RuntimeError):
    """A range that is not a ``[start, end]`` pair.

    Also a RuntimeError, which is what the 1.x generation raised here.
    """


class StatusError(StalkerError):
    """An action is not allowed in the current status."""


class DependencyViolationError(StalkerError):
    """A TimeLog would start before one of the task's dependencies allows."""


class DeleteRefusedError(StalkerError, ValueError):
    """A delete would destroy work records or break a reference; nothing was written.

    Raised at flush (so by ``commit()``) when a deleted object, directly or
    through the objects deleted with it, holds time logs, versions, reviews,
    tickets, budget entries, invoices or payments, or when another row still
    refers to it (a user owning tickets, a status in a list, a version other
    versions were built from).  ``refusals`` lists ``(object, holder,
    what)`` texts, one per holder and kind.  Roll the session back to go on;
    :func:`stalker.db.delete_with_work_records` removes work records on
    purpose.
    """

    def __init__(
        self, value: str = "", refusals: list[tuple[str, str, str]] | None = None
    ) -> None:
        super().__init__(value)
        self.refusals = list(refusals or [])
