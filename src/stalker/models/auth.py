"""Users, groups, roles and permissions."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import secrets
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import (
    Enum,
    Float,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    event,
    insert,
    select,
)
from sqlalchemy.exc import UnboundExecutionError
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
    check_time_zone,
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
    #: IANA zone of a remote artist's working hours; None: the studio's zone.
    timezone: Mapped[str | None] = mapped_column(String(64))

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
        timezone: str | None = None,
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
        self.timezone = timezone

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
        # the rejected value is never echoed: messages end up in tool logs
        if not isinstance(raw, str):
            raise TypeError(
                f"User.password should be a str, not {type(raw).__name__} "
                "(value not shown)"
            )
        if not raw:
            raise ValueError("User.password should be a non-empty str, not ''")
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

    @validates("timezone")
    def _validate_timezone(self, key: str, name: Any) -> str | None:
        if name is None:
            return None
        return check_time_zone(self, key, name)

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

    @validates("tasks", "watching")  # the user's side of Task.resources/watchers
    def _validate_task(self, key: str, task: Any) -> Any:
        return check_instance(self, key, task, "Task")

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
_DATABASE_ID_KEY = "database_id"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class LocalSessionToken(Base):
    """One remembered login ("remember me"): the hash of its random token.

    The token itself is only in the user's session file; the database keeps
    its SHA-256, so reading this table does not give a usable session.
    Deleting the row (logout, :meth:`LocalSession.revoke_all`, deleting the
    user) revokes every copy of the file.
    """

    __tablename__ = "LocalSessionTokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(
        String(64), nullable=False, unique=True, index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("Users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    expires: Mapped[datetime.datetime] = mapped_column(GenericDateTime, nullable=False)
    created: Mapped[datetime.datetime] = mapped_column(GenericDateTime, nullable=False)


class DatabaseSetting(Base):
    """A key/value fact about the database itself (e.g. its random id)."""

    __tablename__ = "DatabaseSettings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


_TOKENS = cast(Table, LocalSessionToken.__table__)
_SETTINGS = cast(Table, DatabaseSetting.__table__)


def database_id(session: Any, create: bool = False) -> str | None:
    """This database's own random id (made when ``create`` and missing).

    A session file names the database it was made for, so a file copied
    from (or left by) another database matches nothing here.
    """
    table = _SETTINGS
    connection = session.connection()
    found = connection.execute(
        select(table.c.value).where(table.c.key == _DATABASE_ID_KEY)
    ).scalar()
    if found is not None or not create:
        return found  # type: ignore[no-any-return]
    new_id = secrets.token_hex(16)
    connection.execute(insert(table).values(key=_DATABASE_ID_KEY, value=new_id))
    return new_id


def _current_session() -> Any | None:
    """DBSession when it is bound to a database, else None."""
    from stalker.db.session import DBSession

    try:
        DBSession.get_bind()
    except UnboundExecutionError:
        return None
    return DBSession


class LocalSession:
    """Remembers the logged-in user of this machine between program runs.

    The file holds the database's id and a random per-login token; the
    database holds the token's hash, its user and its expiry
    (``LocalSessionTokens``).  Loading looks the token up, so editing the
    file, copying it to another database or keeping a copy past logout logs
    nobody in: a session exists only while its row does.  This is "remember
    me" on a shared database, not authentication against someone who holds
    the database credentials (they can write that table anyway).
    """

    def __init__(self) -> None:
        self.logged_in_user_id: int | None = None
        self.valid_to: datetime.datetime | None = None
        self.session_data: dict[str, Any] | None = None
        self._token: str | None = None
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

    def _read_file(self) -> dict[str, Any] | None:
        try:
            with open(self.session_file_full_path(), encoding="utf-8") as data_file:
                data = json.load(data_file)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        if not (
            isinstance(data.get("token"), str)
            and isinstance(data.get("database_id"), str)
        ):
            return None
        return data

    def load(self) -> None:
        """Take the saved session if this database knows its token (unexpired)."""
        data = self._read_file()
        session = _current_session() if data is not None else None
        if data is None or session is None:
            return
        if database_id(session) != data["database_id"]:
            return
        table = _TOKENS
        row = (
            session.connection()
            .execute(
                select(table.c.user_id, table.c.expires).where(
                    table.c.token_hash == _token_hash(data["token"])
                )
            )
            .first()
        )
        if row is None or row.expires <= utc_now():
            return
        self.logged_in_user_id = row.user_id  # the database's, not the file's
        self.valid_to = row.expires
        self.session_data = data
        self._token = data["token"]

    def store_user(self, user: User | None) -> None:
        """Remember ``user`` as the logged-in user (ignored when falsy)."""
        if user:
            self.logged_in_user_id = user.id

    def save(self) -> None:
        """Start a new remembered login of ten days and commit it.

        A new random token is written to the file (owner-only) and its hash
        to the database; a previous token of this object is revoked.
        """
        user_id = self.logged_in_user_id
        if not _is_int(user_id):
            raise ValueError(
                "LocalSession.save() needs a stored user: call store_user() "
                f"with a saved User first, not {type(user_id).__name__}"
            )
        session = _current_session()
        if session is None:
            raise RuntimeError("LocalSession.save() needs a database: db.setup()")
        token = secrets.token_urlsafe(32)
        now = utc_now()
        self.valid_to = now + _SESSION_LIFETIME
        connection = session.connection()
        self._delete_row(connection)
        connection.execute(
            insert(_TOKENS).values(
                token_hash=_token_hash(token),
                user_id=user_id,
                expires=self.valid_to,
                created=now,
            )
        )
        data = {
            "database_id": database_id(session, create=True),
            "token": token,
            "logged_in_user_id": user_id,
            "valid_to": self.datetime_to_millis(self.valid_to),
        }
        session.commit()
        self._write_file(data)
        self._token = token
        self.session_data = data

    def _write_file(self, data: dict[str, Any]) -> None:
        path = self.session_file_full_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)  # a new file gets the owner-only mode below
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as data_file:
            json.dump(data, data_file)

    def _delete_row(self, connection: Any) -> None:
        if self._token is not None:
            table = _TOKENS
            connection.execute(
                delete(table).where(table.c.token_hash == _token_hash(self._token))
            )

    def delete(self) -> None:
        """Log out: revoke this session in the database and remove the file.

        Every copy of the file stops working.  A missing file is fine.
        """
        if self._token is None:
            data = self._read_file()
            self._token = data["token"] if data is not None else None
        session = _current_session()
        if session is not None and self._token is not None:
            self._delete_row(session.connection())
            session.commit()
        self._token = None
        self.logged_in_user_id = None
        self.valid_to = None
        self.session_data = None
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.session_file_full_path())

    @classmethod
    def revoke_all(cls, user: User) -> int:
        """Log ``user`` out everywhere; returns how many sessions ended."""
        session = _current_session()
        if session is None:
            raise RuntimeError("LocalSession.revoke_all() needs a database")
        if not isinstance(user, User) or user.id is None:
            raise TypeError(
                "LocalSession.revoke_all() user should be a saved User, not "
                f"{type(user).__name__}"
            )
        table = _TOKENS
        result = session.connection().execute(
            delete(table).where(table.c.user_id == user.id)
        )
        session.commit()
        return int(result.rowcount or 0)

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


@event.listens_for(User, "before_delete")
def _revoke_sessions_of_deleted_user(mapper: Any, connection: Any, user: User) -> None:
    """A deleted user's sessions go with it (also where foreign keys are off)."""
    table = _TOKENS
    connection.execute(delete(table).where(table.c.user_id == user.id))
