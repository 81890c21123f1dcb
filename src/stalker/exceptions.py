"""Errors that Stalker raises besides the built-in TypeError/ValueError."""


class _StalkerError(Exception):
    """Base carrying the message on ``.value`` as the original API does."""

    def __init__(self, value: str = "") -> None:
        super().__init__(value)
        self.value = value

    def __str__(self) -> str:
        return str(self.value)


class LoginError(_StalkerError):
    """Login information is wrong (for user interfaces)."""


class CircularDependencyError(_StalkerError):
    """A parent/child or dependency relation would create a cycle."""


class OverBookedError(_StalkerError):
    """A TimeLog overlaps another TimeLog of the same resource."""


class StatusError(_StalkerError):
    """An action is not allowed in the current status."""


class DependencyViolationError(_StalkerError):
    """A TimeLog would start before one of the task's dependencies allows."""


class DeleteRefusedError(_StalkerError, ValueError):
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
