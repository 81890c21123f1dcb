"""Logging as a library should do it: a ``NullHandler`` and no level of its own.

The application decides what is shown (``logging.basicConfig(level=...)``
shows Stalker's debug lines too).  ``register_logger`` and ``set_level`` are
the 1.x spelling for an application that wants to set the level of Stalker's
loggers, and of its own registered ones, in one call; the library never calls
them itself.
"""

from __future__ import annotations

import logging

from stalker.models.validation import describe

logging.getLogger("stalker").addHandler(logging.NullHandler())

#: Loggers ``set_level`` changes besides the ``stalker`` package logger.
_registered: list[logging.Logger] = []


def get_logger(name: str) -> logging.Logger:
    """The logger called ``name``; its level is left to the application."""
    return logging.getLogger(name)


def register_logger(logger: logging.Logger) -> None:
    """Let ``set_level`` change ``logger`` too (registering twice adds nothing)."""
    if not isinstance(logger, logging.Logger):
        raise TypeError(
            f"register_logger() should get a logging.Logger, not {describe(logger)}"
        )
    if logger not in _registered:
        _registered.append(logger)


def set_level(level: int | str) -> None:
    """Set ``level`` (``logging.DEBUG`` or a name like ``"DEBUG"``) on Stalker's
    package logger and on every registered logger."""
    if isinstance(level, bool) or not isinstance(level, (int, str)):
        raise TypeError(
            "set_level() should get a logging level (int or name), "
            f"not {describe(level)}"
        )
    if isinstance(level, str) and not isinstance(
        logging.getLevelName(level.upper()), int
    ):
        raise ValueError(
            "set_level() should get a logging level name such as 'DEBUG', "
            f"not {describe(level)}"
        )
    value = level.upper() if isinstance(level, str) else level
    logging.getLogger("stalker").setLevel(value)
    for logger in _registered:
        logger.setLevel(value)


__all__ = ["get_logger", "register_logger", "set_level"]
