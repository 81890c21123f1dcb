"""``create_secondary_table``: the many-to-many link tables mixins need."""

from __future__ import annotations

from sqlalchemy import Table

from stalker.db.declarative import link_table
from stalker.utils import make_plural


def create_secondary_table(
    primary_cls_name: str,
    secondary_cls_name: str,
    primary_cls_table_name: str,
    secondary_cls_table_name: str,
    secondary_table_name: str | None = None,
) -> Table:
    """Return the link table between two classes, creating it once.

    Mixins are applied to several classes, so each mixed-in class needs its
    own table; asking twice for the same name reuses the first table.
    """
    if secondary_table_name is None:
        secondary_table_name = f"{primary_cls_name}_{make_plural(secondary_cls_name)}"
    return link_table(
        secondary_table_name,
        (f"{primary_cls_name.lower()}_id", f"{primary_cls_table_name}.id"),
        (f"{secondary_cls_name.lower()}_id", f"{secondary_cls_table_name}.id"),
    )
