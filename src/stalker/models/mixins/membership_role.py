"""MembershipRoleMixin: the optional Role of a membership association object.

DepartmentUser, ClientUser, ProjectUser and ProjectClient all record that
someone belongs to something "as" a Role; the column, relationship and check
live here once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates

from stalker.models.validation import check_instance

if TYPE_CHECKING:
    from stalker.models.auth import Role


class MembershipRoleMixin:
    """Adds ``role_id`` (column ``rid``) and the validated ``role``."""

    @declared_attr
    def role_id(cls: Any) -> Mapped[int | None]:
        return mapped_column("rid", ForeignKey("Roles.id"), index=True)

    @declared_attr
    def role(cls: Any) -> Mapped[Role | None]:
        return relationship(primaryjoin=f"{cls.__name__}.role_id == Role.role_id")

    @validates("role")
    def _validate_role(self, key: str, role: Any) -> Role | None:
        return check_instance(self, key, role, "Role", allow_none=True)
