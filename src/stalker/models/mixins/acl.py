"""ACLMixin: a list of Permissions and the Pyramid-style ``__acl__``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Mapped, declared_attr, relationship, validates

from stalker.models.collections import UniqueList
from stalker.models.mixins.secondary import create_secondary_table
from stalker.models.validation import check_instance

if TYPE_CHECKING:
    from stalker.models.auth import Permission


class ACLMixin:
    """Gives a class a list of Permissions and the Pyramid-style ``__acl__``."""

    @declared_attr
    def permissions(cls: Any) -> Mapped[list[Permission]]:
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
