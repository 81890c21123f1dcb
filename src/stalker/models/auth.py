"""Users, groups, roles and permissions."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Enum,
    Float,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

import stalker
from stalker.db.declarative import Base, link_table, mapped_class
from stalker.db.types import GenericDateTime
from stalker.models.collections import UniqueList, unique_association_proxy
from stalker.models.entity import Entity, SimpleEntity, utc_now
from stalker.models.mixins.acl import ACLMixin
from stalker.models.validation import (
    check_choice,
    check_instance,
    check_number,
    check_str,
    type_error,
    value_error,
)
from stalker.passwords import hash_password, verify_password
from stalker.scheduling.tjp import resource_block

if TYPE_CHECKING:
    from stalker.models.client import Client, ClientUser
    from stalker.models.department import Department, DepartmentUser
    from stalker.models.studio import Vacation

LOGIN = "login"
LOGOUT = "logout"

_NOT_LOGIN_CHAR = re.compile(r"[^a-z0-9]+")
_LEADING_DIGITS = re.compile(r"^[0-9]+")


def format_login(login: str) -> str:
    """Lower-case ``a-z0-9``, no leading digit: ``'J.Doe_99'`` -> ``jdoe99``."""
    login = _NOT_LOGIN_CHAR.sub("", login.strip().lower())
    return _LEADING_DIGITS.sub("", login)


Group_Users = link_table("Group_Users", ("uid", "Users.id"), ("gid", "Groups.id"))


class Role(Entity):
    """A role name (``Lead``, ``Supervisor``) given to a member of a department,
    client or project."""

    __tablename__ = "Roles"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Role"}

    role_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )


class User(Entity, ACLMixin):
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
    company_role: Mapped[list[ClientUser]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        primaryjoin="User.user_id == ClientUser.user_id",
    )
    companies = unique_association_proxy(
        "company_role", "client", creator=lambda c: _client_user(c)
    )
    groups: Mapped[list[Group]] = relationship(
        secondary=Group_Users,
        back_populates="users",
        collection_class=UniqueList,
    )
    # "all" without delete-orphan: a vacation whose user is unset is a
    # studio-wide vacation, not garbage; deleting the user still deletes it
    vacations: Mapped[list[Vacation]] = relationship(
        back_populates="user",
        cascade="all",
        primaryjoin="User.user_id == Vacation.user_id",
    )
    authentication_logs: Mapped[list[AuthenticationLog]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        primaryjoin="User.user_id == AuthenticationLog.user_id",
    )

    #: When the user last logged in; kept in memory only, never stored.
    last_login = None

    def __init__(
        self,
        name: str | None = None,
        login: str | None = None,
        email: str | None = None,
        password: str | None = None,
        departments: list[Department] | None = None,
        companies: list[Client] | None = None,
        groups: list[Group] | None = None,
        efficiency: float | None = 1.0,
        rate: float | None = 0.0,
        **kwargs: Any,
    ) -> None:
        kwargs["name"] = name
        super().__init__(**kwargs)
        ACLMixin.__init__(self, **kwargs)
        self.login = login  # type: ignore[assignment]
        self.departments = [] if departments is None else departments
        self.companies = [] if companies is None else companies
        self.email = email  # type: ignore[assignment]
        self.password = password  # type: ignore[assignment]
        self.groups = [] if groups is None else groups
        self.efficiency = efficiency  # type: ignore[assignment]
        self.rate = rate  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self.name} ('{self.login}') (User)>"

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, User)
            and self.email == other.email
            and self.login == other.login
            and self.name == other.name
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
        return float(check_number(self, key, value, at_least=0))

    @validates("groups")
    def _validate_group(self, key: str, group: Any) -> Group:
        if not isinstance(group, Group):
            raise type_error(self, key, "a list of Group instances", group)
        return group

    @validates("vacations")
    def _validate_vacation(self, key: str, vacation: Any) -> Vacation:
        return check_instance(self, key, vacation, "Vacation")

    @validates("authentication_logs")
    def _validate_authentication_log(self, key: str, log: Any) -> AuthenticationLog:
        return check_instance(self, key, log, AuthenticationLog)

    @property
    def to_tjp(self) -> str:
        """This user as a TaskJuggler ``resource`` with efficiency and vacations."""
        vacations = sorted(self.vacations, key=lambda v: (v.id is None, v.id or 0))
        return resource_block(
            self.id,
            float(self.efficiency),
            [(vacation.start, vacation.end) for vacation in vacations],
        )

    def _owned_tickets(self, open_only: bool) -> list[Any]:
        # Ticket lives in a later module; until it is defined there are none.
        try:
            ticket_class: Any = mapped_class("Ticket")
        except LookupError:
            return []
        from sqlalchemy import inspect, select

        state = inspect(self)
        if state.session_id is None and state.identity is None:
            return []  # not stored anywhere: no stored ticket can name this user
        query = ticket_class.query.filter(ticket_class.owner == self)
        if open_only:
            status_class: Any = mapped_class("Status")
            closed = select(status_class.status_id).where(status_class.code == "CLS")
            query = query.filter(ticket_class.status_id.not_in(closed))
        return list(query.order_by(ticket_class.number).all())

    @property
    def tickets(self) -> list[Any]:
        """Tickets owned by this user (``[]`` while no Ticket class is defined)."""
        return self._owned_tickets(open_only=False)

    @property
    def open_tickets(self) -> list[Any]:
        """Owned tickets not closed (``CLS``); ``[]`` while Ticket is undefined."""
        return self._owned_tickets(open_only=True)


def _department_user(department: Any) -> DepartmentUser:
    from stalker.models.department import DepartmentUser

    return DepartmentUser(department=department)


def _client_user(client: Any) -> ClientUser:
    from stalker.models.client import ClientUser

    return ClientUser(client=client)


class Group(Entity, ACLMixin):
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
        self,
        name: str | None = "",
        users: list[User] | None = None,
        permissions: list[Permission] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        ACLMixin.__init__(self, permissions=permissions)
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
        check_choice(self, "action", action, stalker.defaults.actions)
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


class AuthenticationLog(SimpleEntity):
    """One login or logout of a user, kept for auditing."""

    __tablename__ = "AuthenticationLogs"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "AuthenticationLog"}

    log_id: Mapped[int] = mapped_column(
        "id", ForeignKey("SimpleEntities.id"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        "uid", ForeignKey("Users.id"), nullable=False, index=True
    )
    user: Mapped[User] = relationship(
        back_populates="authentication_logs",
        primaryjoin="AuthenticationLog.user_id == User.user_id",
    )
    action: Mapped[str] = mapped_column(
        Enum(LOGIN, LOGOUT, name="ActionNames"), nullable=False
    )
    date: Mapped[datetime.datetime] = mapped_column(GenericDateTime, nullable=False)

    def __init__(
        self,
        user: User | None = None,
        date: datetime.datetime | None = None,
        action: str | None = LOGIN,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.user = user  # type: ignore[assignment]
        self.action = action  # type: ignore[assignment]
        self.date = date  # type: ignore[assignment]

    @validates("user")
    def _validate_user(self, key: str, user: Any) -> User:
        return check_instance(self, key, user, User)

    @validates("action")
    def _validate_action(self, key: str, action: Any) -> str:
        if action is None:
            return LOGIN
        if action not in (LOGIN, LOGOUT):
            raise value_error(self, key, f"{LOGIN!r} or {LOGOUT!r}", action)
        return str(action)

    @validates("date")
    def _validate_date(self, key: str, date: Any) -> datetime.datetime:
        if date is None:
            return utc_now()
        if not isinstance(date, datetime.datetime):
            raise type_error(self, key, "a datetime.datetime", date)
        return date

    def _sort_key(self) -> tuple[datetime.datetime, str, str]:
        return (self.date, self.action, self.user.name if self.user else "")

    def __lt__(self, other: AuthenticationLog) -> bool:
        if not isinstance(other, AuthenticationLog):
            return NotImplemented
        return self._sort_key() < other._sort_key()


_SESSION_LIFETIME = datetime.timedelta(days=10)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_SECRET_FILE_NAME = "local_session_secret"
_SECRET_SIZE = 32


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class LocalSession:
    """Remembers the logged-in user of this machine between program runs.

    The file is signed with HMAC-SHA256 under a secret only this installation
    knows (D13), so editing the user id or the expiry date in it logs nobody
    in: data whose signature does not verify is ignored.
    """

    def __init__(self) -> None:
        self.logged_in_user_id: int | None = None
        self.valid_to: datetime.datetime | None = None
        self.session_data: dict[str, Any] | None = None
        self.load()

    @classmethod
    def _storage_path(cls) -> str:
        return os.path.expanduser(stalker.defaults.local_storage_path)

    @classmethod
    def session_file_full_path(cls) -> str:
        """Where the session data is written."""
        return os.path.normpath(
            os.path.join(
                cls._storage_path(), stalker.defaults.local_session_data_file_name
            )
        )

    @classmethod
    def secret_file_full_path(cls) -> str:
        """Where the per-installation signing secret is kept (owner-only file)."""
        return os.path.normpath(os.path.join(cls._storage_path(), _SECRET_FILE_NAME))

    @classmethod
    def _read_secret(cls) -> bytes | None:
        try:
            with open(cls.secret_file_full_path(), "rb") as secret_file:
                secret = secret_file.read()
        except OSError:
            return None
        return secret if len(secret) >= _SECRET_SIZE else None

    @classmethod
    def _secret(cls) -> bytes:
        """The signing secret, created with 0600 permissions the first time."""
        secret = cls._read_secret()
        if secret is not None:
            return secret
        path = cls.secret_file_full_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        secret = secrets.token_bytes(_SECRET_SIZE)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags, 0o600)
        with os.fdopen(descriptor, "wb") as secret_file:
            secret_file.write(secret)
        os.chmod(path, 0o600)  # an older, looser file keeps its mode otherwise
        return secret

    @staticmethod
    def _signature(secret: bytes, valid_to: int, user_id: int) -> str:
        message = json.dumps([valid_to, user_id], separators=(",", ":"))
        return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def load(self) -> None:
        """Take the saved session if it is signed by us and not expired yet."""
        try:
            with open(self.session_file_full_path(), encoding="utf-8") as data_file:
                data = json.load(data_file)
        except (OSError, ValueError):
            return
        if not isinstance(data, dict):
            return
        valid_to = data.get("valid_to")
        user_id = data.get("logged_in_user_id")
        signature = data.get("signature")
        if not (_is_int(valid_to) and _is_int(user_id) and isinstance(signature, str)):
            return
        secret = self._read_secret()
        if secret is None:
            return
        expected = self._signature(secret, valid_to, user_id)
        if not hmac.compare_digest(expected, signature):
            return
        valid_to_datetime = self.millis_to_datetime(valid_to)
        if valid_to_datetime <= utc_now():
            return
        self.valid_to = valid_to_datetime
        self.logged_in_user_id = user_id
        self.session_data = data

    def store_user(self, user: User | None) -> None:
        """Remember ``user`` as the logged-in user (ignored when falsy)."""
        if user:
            self.logged_in_user_id = user.id

    def save(self) -> None:
        """Write the signed session, valid for ten days from now."""
        self.valid_to = utc_now() + _SESSION_LIFETIME
        valid_to = self.datetime_to_millis(self.valid_to)
        user_id = self.logged_in_user_id
        data: dict[str, Any] = {"valid_to": valid_to, "logged_in_user_id": user_id}
        if _is_int(user_id):
            data["signature"] = self._signature(self._secret(), valid_to, user_id)
        path = self.session_file_full_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as data_file:
            json.dump(data, data_file, default=self.default_json_serializer)
        self.session_data = data

    def delete(self) -> None:
        """Remove the session file; a missing file is fine."""
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.session_file_full_path())

    @property
    def logged_in_user(self) -> User | None:
        """The remembered User, read from the database, or None."""
        if self.logged_in_user_id is None:
            return None
        return User.query.filter(User.user_id == self.logged_in_user_id).first()

    @classmethod
    def datetime_to_millis(cls, dt: datetime.datetime) -> int:
        """Whole milliseconds since the Unix epoch of an aware datetime."""
        return (dt - _EPOCH) // datetime.timedelta(milliseconds=1)

    @classmethod
    def millis_to_datetime(cls, millis: int) -> datetime.datetime:
        """The aware UTC datetime ``millis`` milliseconds after the epoch."""
        return _EPOCH + datetime.timedelta(milliseconds=millis)

    @classmethod
    def default_json_serializer(cls, obj: Any) -> int:
        """JSON form of the values a session holds (datetimes as milliseconds)."""
        if isinstance(obj, datetime.datetime):
            return cls.datetime_to_millis(obj)
        if _is_int(obj):
            return int(obj)
        raise TypeError(f"LocalSession cannot serialise {type(obj).__name__}")
