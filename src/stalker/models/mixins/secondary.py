"""``create_secondary_table``: the many-to-many link tables mixins need."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, Table

from stalker.db.declarative import Base
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
    own table; asking twice for the same name must reuse the first table
    because SQLAlchemy's metadata refuses a second definition.
    """
    if secondary_table_name is None:
        secondary_table_name = f"{primary_cls_name}_{make_plural(secondary_cls_name)}"
    existing = Base.metadata.tables.get(secondary_table_name)
    if existing is not None:
        return existing
    return Table(
        secondary_table_name,
        Base.metadata,
        Column(
            f"{primary_cls_name.lower()}_id",
            Integer,
            ForeignKey(f"{primary_cls_table_name}.id"),
            primary_key=True,
        ),
        Column(
            f"{secondary_cls_name.lower()}_id",
            Integer,
            ForeignKey(f"{secondary_cls_table_name}.id"),
            primary_key=True,
            index=True,
        ),
    )
