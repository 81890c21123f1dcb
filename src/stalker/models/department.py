"""Departments and the role each member plays in one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym, validates

from stalker.db.declarative import Base
from stalker.models.auth import Role, User
from stalker.models.collections import unique_association_proxy
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.membership_role import MembershipRoleMixin
from stalker.models.validation import check_instance
from stalker.scheduling.tjp import indent


class Department(Entity):
    """A studio department (TDs, Modeling, ...); ``members`` aliases ``users``."""

    __tablename__ = "Departments"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Department"}

    department_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    user_role: Mapped[list[DepartmentUser]] = relationship(
        back_populates="department",
        cascade="all, delete-orphan",
        primaryjoin="Department.department_id == DepartmentUser.department_id",
    )
    users = unique_association_proxy(
        "user_role", "user", creator=lambda user: DepartmentUser(user=user)
    )
    members = synonym("users")

    def __init__(self, users: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.users = [] if users is None else users

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Department)

    __hash__ = SimpleEntity.__hash__

    @property
    def to_tjp(self) -> str:
        """A TaskJuggler resource group holding the members' resource blocks."""
        lines = [f'resource {self.tjp_id} "{self.tjp_id}" {{']
        lines.extend(indent(user.to_tjp) for user in self.users)
        lines.append("}")
        return "\n".join(lines)


class DepartmentUser(MembershipRoleMixin, Base):
    """A user's membership of a department, with an optional role."""

    __tablename__ = "Department_Users"

    user_id: Mapped[int] = mapped_column(
        "uid", ForeignKey("Users.id"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(
        "did", ForeignKey("Departments.id"), primary_key=True, index=True
    )

    user: Mapped[User | None] = relationship(
        back_populates="department_role",
        primaryjoin="DepartmentUser.user_id == User.user_id",
    )
    department: Mapped[Department | None] = relationship(
        back_populates="user_role",
        primaryjoin="DepartmentUser.department_id == Department.department_id",
    )

    def __init__(
        self,
        department: Department | None = None,
        user: User | None = None,
        role: Role | None = None,
    ) -> None:
        self.department = department
        self.user = user
        self.role = role

    @validates("department")
    def _validate_department(self, key: str, department: Any) -> Department | None:
        return check_instance(self, key, department, Department, allow_none=True)

    @validates("user")
    def _validate_user(self, key: str, user: Any) -> User | None:
        return check_instance(self, key, user, User, allow_none=True)
