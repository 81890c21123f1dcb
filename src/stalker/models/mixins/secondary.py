"""``create_secondary_table``: the many-to-many link tables mixins need."""

from __future__ import annotations

from sqlalchemy import Table

from stalker.db.declarative import link_table
from stalker.models.validation import describe
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
    names = {
        "primary_cls_name": primary_cls_name,
        "secondary_cls_name": secondary_cls_name,
        "primary_cls_table_name": primary_cls_table_name,
        "secondary_cls_table_name": secondary_cls_table_name,
    }
    for argument, name in names.items():
        if not isinstance(name, str):
            raise TypeError(
                f"create_secondary_table() {argument} should be a str, "
                f"not {describe(name)}"
            )
        if not name.strip():
            raise ValueError(
                f"create_secondary_table() {argument} should not be empty, "
                f"not {describe(name)}"
            )
    if secondary_table_name is not None and not isinstance(secondary_table_name, str):
        raise TypeError(
            "create_secondary_table() secondary_table_name should be a str or None, "
            f"not {describe(secondary_table_name)}"
        )
    if not secondary_table_name:  # None or empty: the default name
        secondary_table_name = f"{primary_cls_name}_{make_plural(secondary_cls_name)}"
    return link_table(
        secondary_table_name,
        (f"{primary_cls_name.lower()}_id", f"{primary_cls_table_name}.id"),
        (f"{secondary_cls_name.lower()}_id", f"{secondary_cls_table_name}.id"),
    )
