"""Users, groups, roles and permissions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

import stalker
from stalker.db.declarative import Base
from stalker.models.collections import UniqueList, unique_association_proxy
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.validation import check_str, type_error, value_error
from stalker.passwords import hash_password, verify_password

if TYPE_CHECKING:
    from stalker.models.department import Department, DepartmentUser

LOGIN = "login"
LOGOUT = "logout"

_NOT_LOGIN_CHAR = re.compile(r"[^a-z0-9]+")
_LEADING_DIGITS = re.compile(r"^[0-9]+")


def format_login(login: str) -> str:
    """Lower-case ``a-z0-9``, no leading digit: ``'J.Doe_99'`` -> ``jdoe99``."""
    login = _NOT_LOGIN_CHAR.sub("", login.strip().lower())
    return _LEADING_DIGITS.sub("", login)


Group_Users = Table(
    "Group_Users",
    Base.metadata,
    Column("uid", Integer, ForeignKey("Users.id"), primary_key=True, index=True),
    Column("gid", Integer, ForeignKey("Groups.id"), primary_key=True),
)


class Role(Entity):
    """A role name (``Lead``, ``Supervisor``) given to a member of a department,
    client or project."""

    __tablename__ = "Roles"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Role"}

    role_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )


class User(Entity):
    """A person: a login account and a schedulable resource."""

    __tablename__ = "Users"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "User"}

    user_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    login: Mapped[str] = mapped_column(String(256), nullable=False, unique=True)
    email: Mapped[str] = mapped_column(String(256), nullable=False, unique=True)
    _password: Mapped[str] = mapped_column("password", String(256), nullable=False)
    efficiency: Mapped[float] = mapped_column(Float, default=1.0)
    rate: Mapped[float] = mapped_column(Float, default=0.0)

    entities_created: Mapped[list[SimpleEntity]] = relationship(
        primaryjoin="User.user_id == SimpleEntity.created_by_id",
        back_populates="created_by",
        viewonly=True,
    )
    entities_updated: Mapped[list[SimpleEntity]] = relationship(
        primaryjoin="User.user_id == SimpleEntity.updated_by_id",
        back_populates="updated_by",
        viewonly=True,
    )
    department_role: Mapped[list[DepartmentUser]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        primaryjoin="User.user_id == DepartmentUser.user_id",
    )
    departments = unique_association_proxy(
        "department_role", "department", creator=lambda d: _department_user(d)
    )
    groups: Mapped[list[Group]] = relationship(
        secondary=Group_Users,
        back_populates="users",
        collection_class=UniqueList,
    )

    def __init__(
        self,
        name: str | None = None,
        login: str | None = None,
        email: str | None = None,
        password: str | None = None,
        departments: list[Department] | None = None,
        groups: list[Group] | None = None,
        efficiency: float | None = 1.0,
        rate: float | None = 0.0,
        **kwargs: Any,
    ) -> None:
        kwargs["name"] = name
        super().__init__(**kwargs)
        self.login = login  # type: ignore[assignment]
        self.departments = [] if departments is None else departments
        self.email = email  # type: ignore[assignment]
        self.password = password  # type: ignore[assignment]
        self.groups = [] if groups is None else groups
        self.efficiency = efficiency  # type: ignore[assignment]
        self.rate = rate  # type: ignore[assignment]
        self.last_login: Any = None

    def __repr__(self) -> str:
        return f"<{self.name} ('{self.login}') (User)>"

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, User)
            and self.email == other.email
            and self.login == other.login
        )

    __hash__ = SimpleEntity.__hash__

    @validates("login")
    def _validate_login(self, key: str, login: Any) -> str:
        login = format_login(check_str(self, key, login))
        if not login:
            raise value_error(
                self, key, "a login with at least one letter (a-z) or digit", login
            )
        return login

    @validates("email")
    def _validate_email(self, key: str, email: Any) -> str:
        email = check_str(self, key, email)
        local, at, domain = email.partition("@")
        if not at or "@" in domain or not local or not domain:
            raise value_error(
                self, key, "an e-mail address like name@domain (one '@')", email
            )
        return email

    @property
    def password(self) -> str:
        """The stored password hash (never the password itself)."""
        return self._password

    @password.setter
    def password(self, raw: Any) -> None:
        check_str(self, "password", raw, allow_empty=False)
        self._password = hash_password(raw)

    def check_password(self, raw: str) -> bool:
        """Whether ``raw`` is this user's password (a legacy value is upgraded)."""
        if not isinstance(raw, str) or not self._password:
            return False
        matches, needs_rehash = verify_password(self._password, raw)
        if matches and needs_rehash:
            self._password = hash_password(raw)
        return matches

    @validates("efficiency", "rate")
    def _validate_non_negative_number(self, key: str, value: Any) -> float:
        if value is None:
            return 1.0 if key == "efficiency" else 0.0
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise type_error(self, key, "an int or float", value)
        if value < 0:
            raise value_error(self, key, "a number >= 0", value)
        return float(value)

    @validates("groups")
    def _validate_group(self, key: str, group: Any) -> Group:
        if not isinstance(group, Group):
            raise type_error(self, key, "a list of Group instances", group)
        return group


def _department_user(department: Any) -> DepartmentUser:
    from stalker.models.department import DepartmentUser

    return DepartmentUser(department=department)


class Group(Entity):
    """A permission group of users."""

    __tablename__ = "Groups"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Group"}

    group_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    users: Mapped[list[User]] = relationship(
        secondary=Group_Users,
        back_populates="groups",
        collection_class=UniqueList,
    )

    def __init__(
        self, name: str | None = "", users: list[User] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(name=name, **kwargs)
        self.users = [] if users is None else users

    @validates("users")
    def _validate_user(self, key: str, user: Any) -> User:
        if not isinstance(user, User):
            raise type_error(self, key, "a list of User instances", user)
        return user

    __hash__ = SimpleEntity.__hash__


class Permission(Base):
    """Allow or deny one action on one class: ``('Allow', 'Create', 'Project')``."""

    __tablename__ = "Permissions"
    __table_args__ = (UniqueConstraint("access", "action", "class_name"),)

    permission_id: Mapped[int] = mapped_column("id", primary_key=True)
    _access: Mapped[str] = mapped_column(
        "access", Enum("Allow", "Deny", name="AccessNames"), nullable=False
    )
    _action: Mapped[str] = mapped_column(
        "action",
        Enum(*stalker.defaults.actions, name="AuthenticationActions"),
        nullable=False,
    )
    _class_name: Mapped[str] = mapped_column("class_name", String(32), nullable=False)

    def __init__(self, access: str, action: str, class_name: str) -> None:
        if not isinstance(access, str):
            raise type_error(self, "access", "'Allow' or 'Deny'", access)
        if access not in ("Allow", "Deny"):
            raise value_error(self, "access", "'Allow' or 'Deny'", access)
        actions = stalker.defaults.actions
        if not isinstance(action, str):
            raise type_error(self, "action", f"one of {actions}", action)
        if action not in actions:
            raise value_error(self, "action", f"one of {actions}", action)
        self._access = access
        self._action = action
        self._class_name = check_str(self, "class_name", class_name)

    @property
    def access(self) -> str:
        """``'Allow'`` or ``'Deny'`` (read-only)."""
        return self._access

    @property
    def action(self) -> str:
        """One of ``defaults.actions`` (read-only)."""
        return self._action

    @property
    def class_name(self) -> str:
        """The name of the class this permission is about (read-only)."""
        return self._class_name

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Permission)
            and self.access == other.access
            and self.action == other.action
            and self.class_name == other.class_name
        )

    def __hash__(self) -> int:
        return hash(self.access + self.action + self.class_name)

    def __repr__(self) -> str:
        return f"<Permission {self.access} {self.action} {self.class_name}>"
