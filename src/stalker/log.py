"""Logging set-up shared by the package's modules."""

import logging

logging_level = logging.INFO


def get_logger(name: str) -> logging.Logger:
    """Return a module logger at the package's logging level."""
    logger = logging.getLogger(name)
    logger.setLevel(logging_level)
    return logger
