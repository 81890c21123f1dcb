"""The Stalker Object Model; helper functions shared by the model modules."""

from stalker.utils import (
    check_circular_dependency,
    local_to_utc,
    make_plural,
    utc_to_local,
    walk_hierarchy,
)

__all__ = [
    "check_circular_dependency",
    "local_to_utc",
    "make_plural",
    "utc_to_local",
    "walk_hierarchy",
]
