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
