"""ACLMixin and the helper that builds many-to-many link tables for mixins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, ForeignKey, Integer, Table
from sqlalchemy.orm import Mapped, declared_attr, relationship, validates

from stalker.db.declarative import Base
from stalker.models.collections import UniqueList
from stalker.models.validation import check_instance
from stalker.utils import make_plural

if TYPE_CHECKING:
    from stalker.models.auth import Permission


def create_secondary_table(
    primary_cls_name: str,
    secondary_cls_name: str,
    primary_cls_table_name: str,
    secondary_cls_table_name: str,
    secondary_table_name: str | None = None,
) -> Table:
    """Return the link table between two classes, creating it only once.

    Mixins declare the same table for every class they are mixed into, so an
    existing table of that name in the metadata is reused.
    """
    if secondary_table_name is None:
        secondary_table_name = f"{primary_cls_name}_{make_plural(secondary_cls_name)}"
    existing = Base.metadata.tables.get(secondary_table_name)
    if existing is not None:
        return existing
    primary_column = f"{primary_cls_name.lower()}_id"
    secondary_column = f"{secondary_cls_name.lower()}_id"
    return Table(
        secondary_table_name,
        Base.metadata,
        Column(
            primary_column,
            Integer,
            ForeignKey(f"{primary_cls_table_name}.id"),
            primary_key=True,
        ),
        Column(
            secondary_column,
            Integer,
            ForeignKey(f"{secondary_cls_table_name}.id"),
            primary_key=True,
            index=True,
        ),
    )


class ACLMixin:
    """Gives a class a list of Permissions and the Pyramid-style ``__acl__``."""

    @declared_attr
    def permissions(cls) -> Mapped[list[Permission]]:
        table = create_secondary_table(
            cls.__name__, "Permission", cls.__tablename__, "Permissions"
        )
        return relationship("Permission", secondary=table, collection_class=UniqueList)

    def __init__(self, permissions: list[Permission] | None = None, **kwargs: Any):
        self.permissions = [] if permissions is None else permissions

    @validates("permissions")
    def _validate_permission(self, key: str, permission: Any) -> Permission:
        return check_instance(self, key, permission, "Permission")

    @property
    def __acl__(self) -> list[tuple[str, str, str]]:
        """``(access, "<Class>:<name>", "<action>_<class_name>")`` per permission."""
        owner = f"{type(self).__name__}:{getattr(self, 'name', '')}"
        return [
            (p.access, owner, f"{p.action}_{p.class_name}") for p in self.permissions
        ]
