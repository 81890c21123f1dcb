"""Ticket and TicketLog: Trac-style change requests and their audit trail.

Workflow
    ``stalker.defaults.ticket_workflow`` maps an action (``resolve``,
    ``accept``, ``reassign``, ``reopen``) and the ticket's current status name
    to the next status and a side effect (``set_owner``, ``set_resolution``,
    ``del_resolution``).  Every action that applies records a
    :class:`TicketLog`; an action that does not apply to the current status
    returns None and changes nothing.

Numbering (D11)
    Numbers are global (not per project) and unique (``Tickets.number`` is
    UNIQUE).  A new ticket gets a *provisional* number at construction: one
    more than the highest number in the database and among the tickets still
    pending in the same session, so ``Ticket #N`` can be shown at once.

    The number is made final at flush (``before_flush`` below), under a lock
    that only one transaction at a time can hold until it ends:
    ``pg_advisory_xact_lock`` on PostgreSQL, SQLite's database write lock
    (taken by an UPDATE that touches no row) on SQLite.  Under that lock the
    highest committed number cannot move, so a pending ticket whose number is
    already taken - by a ticket another session committed since the
    provisional number was read - is renumbered (and renamed) to the next free
    one before its INSERT.  A second session creating tickets simply waits
    for the first one's commit; nobody sees an IntegrityError.  This is the
    "locked counter" variant of D11: the counter is the ``max(number)`` read
    under the lock, so no extra table has to be kept in step.

    Limits: the PostgreSQL read must see other sessions' commits, i.e. the
    default READ COMMITTED isolation.  On SQLite a transaction that has read
    before its first write cannot wait for another writer (SQLite reports
    "database is locked" at once rather than deadlock); the provisional number
    is therefore read on a short connection of its own when the session has no
    transaction open, so creating a ticket does not itself start a read.
"""

from __future__ import annotations

import itertools
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    event,
    func,
    select,
    text,
)
from sqlalchemy.exc import OperationalError, ProgrammingError, UnboundExecutionError
from sqlalchemy.orm import (
    Mapped,
    Session,
    backref,
    mapped_column,
    relationship,
    synonym,
    validates,
)

import stalker
from stalker.db.declarative import link_table
from stalker.db.session import (
    DBSession,
    add_to_session_of,
    session_of,
    take_sqlite_write_lock,
    transaction_notes,
)
from stalker.exceptions import SelfReferenceError
from stalker.models.auth import User
from stalker.models.collections import UniqueList
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.status import StatusMixin
from stalker.models.project import Project
from stalker.models.status import Status
from stalker.models.validation import (
    check_choice,
    check_instance,
    check_str,
    read_only,
    value_error,
)

if TYPE_CHECKING:
    from stalker.models.status import StatusList  # noqa: F401

#: Resolutions (also ``stalker.defaults.ticket_resolutions``); any str is allowed.
FIXED = "fixed"
INVALID = "invalid"
WONTFIX = "wontfix"
DUPLICATE = "duplicate"
WORKSFORME = "worksforme"
CANTFIX = "cantfix"

#: The priorities a ticket may have, lowest first (DB enum ``PriorityType``).
PRIORITIES = ("TRIVIAL", "MINOR", "MAJOR", "CRITICAL", "BLOCKER")

#: Key of the PostgreSQL advisory lock that serialises ticket numbering
#: (an arbitrary constant; only ticket numbering uses it).
_NUMBERING_LOCK_KEY = 0x5354_4B54  # "STKT"

_creation_order = itertools.count()


def _workflow_actions() -> list[str]:
    return list(stalker.defaults.ticket_workflow)


Ticket_SimpleEntities = link_table(
    "Ticket_SimpleEntities",
    ("ticket_id", "Tickets.id"),
    ("simple_entity_id", "SimpleEntities.id"),
)

Ticket_Related_Tickets = link_table(
    "Ticket_Related_Tickets",
    ("ticket_id", "Tickets.id"),
    ("related_ticket_id", "Tickets.id"),
)


class Ticket(Entity, StatusMixin):
    """A bug report or change request about anything in one project.

    ``links`` point at what the ticket is about (any object), ``owner`` is
    who handles it and ``logs`` record every workflow step.  The name is
    always ``Ticket #<number>``.
    """

    __tablename__ = "Tickets"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "Ticket"}

    ticket_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    _number: Mapped[int] = mapped_column("number", Integer, nullable=False, unique=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("Projects.id"), nullable=False, index=True
    )
    _project: Mapped[Project] = relationship(
        primaryjoin="Ticket.project_id == Project.project_id",
        backref=backref(
            "tickets", cascade="all, delete-orphan", order_by="Ticket._number"
        ),
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(
        Enum(*PRIORITIES, name="PriorityType"), default="TRIVIAL"
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("Users.id"), index=True)
    owner: Mapped[User | None] = relationship(
        primaryjoin="Ticket.owner_id == User.user_id"
    )
    resolution: Mapped[str | None] = mapped_column(String(128))
    links: Mapped[list[SimpleEntity]] = relationship(
        secondary=Ticket_SimpleEntities,
        primaryjoin="Tickets.c.id == Ticket_SimpleEntities.c.ticket_id",
        secondaryjoin="Ticket_SimpleEntities.c.simple_entity_id == SimpleEntities.c.id",
        order_by="SimpleEntity.id",
        collection_class=UniqueList,
    )
    related_tickets: Mapped[list[Ticket]] = relationship(
        secondary=Ticket_Related_Tickets,
        primaryjoin="Tickets.c.id == Ticket_Related_Tickets.c.ticket_id",
        secondaryjoin="Ticket_Related_Tickets.c.related_ticket_id == Tickets.c.id",
        order_by="Ticket._number",
        collection_class=UniqueList,
    )
    logs: Mapped[list[TicketLog]] = relationship(
        back_populates="ticket",
        cascade="all, delete-orphan",
        primaryjoin="Ticket.ticket_id == TicketLog.ticket_id",
        order_by="TicketLog.ticket_log_id",
    )

    comments = synonym("notes")
    reported_by = synonym("created_by")

    def __init__(
        self,
        project: Project | None = None,
        links: list[SimpleEntity] | None = None,
        priority: str = "TRIVIAL",
        summary: str | None = None,
        **kwargs: Any,
    ) -> None:
        self._number = _provisional_number(project)
        self._created_in_order = next(_creation_order)
        kwargs.pop("name", None)  # the name is derived from the number
        super().__init__(**kwargs)
        StatusMixin.__init__(
            self, status=kwargs.get("status"), status_list=kwargs.get("status_list")
        )
        self._project = check_instance(self, "project", project, Project)
        self.priority = priority
        self.links = [] if links is None else links
        self.summary = summary  # type: ignore[assignment]
        add_to_session_of(self, project)

    # -- read-only attributes ---------------------------------------------------

    number = read_only("_number", "number", "numbers are assigned by Stalker")
    project = read_only("_project", "project", "it is set when the ticket is created")

    # -- validation -------------------------------------------------------------

    @validates("name")
    def _validate_name(self, key: str, name: Any) -> str:
        return f"{stalker.defaults.ticket_label} #{self._number}"

    @validates("summary")
    def _validate_summary(self, key: str, summary: Any) -> str:
        return check_str(self, key, summary, none_as="")

    @validates("priority")
    def _validate_priority(self, key: str, priority: Any) -> str:
        return check_choice(self, key, priority, PRIORITIES)

    @validates("links")
    def _validate_link(self, key: str, entity: Any) -> SimpleEntity:
        return check_instance(self, key, entity, SimpleEntity)  # type: ignore[no-any-return]

    @validates("related_tickets")
    def _validate_related_ticket(self, key: str, ticket: Any) -> Ticket:
        check_instance(self, key, ticket, Ticket)
        if ticket is self:
            message = value_error(self, key, "a Ticket other than itself", ticket)
            raise SelfReferenceError(str(message))
        return ticket  # type: ignore[no-any-return]

    @validates("owner")
    def _validate_owner(self, key: str, owner: Any) -> User | None:
        return check_instance(self, key, owner, User, allow_none=True)  # type: ignore[no-any-return]

    @validates("resolution")
    def _validate_resolution(self, key: str, resolution: Any) -> str | None:
        if resolution is None:
            return None
        return check_str(self, key, resolution, max_length=128)

    # -- workflow ---------------------------------------------------------------

    def resolve(
        self, created_by: User | None = None, resolution: str = ""
    ) -> TicketLog | None:
        """Close the ticket with ``resolution`` (e.g. ``fixed``)."""
        return self._take_action("resolve", created_by, resolution)

    def accept(self, created_by: User | None = None) -> TicketLog | None:
        """``created_by`` takes the ticket over and becomes its owner."""
        return self._take_action("accept", created_by, created_by)

    def reassign(
        self, created_by: User | None = None, assign_to: User | None = None
    ) -> TicketLog | None:
        """Hand the ticket to ``assign_to``, who becomes its owner."""
        return self._take_action("reassign", created_by, assign_to)

    def reopen(self, created_by: User | None = None) -> TicketLog | None:
        """Open a closed ticket again; its resolution is cleared."""
        return self._take_action("reopen", created_by, None)

    def set_owner(self, *args: Any) -> None:
        """Side effect of accept/reassign: the first argument becomes the owner."""
        self.owner = args[0]

    def set_resolution(self, *args: Any) -> None:
        """Side effect of resolve: the first argument becomes the resolution."""
        self.resolution = args[0]

    def del_resolution(self, *args: Any) -> None:
        """Side effect of reopen: the ticket has no resolution any more."""
        self.resolution = ""

    def _take_action(
        self, action: str, created_by: User | None, action_arg: Any
    ) -> TicketLog | None:
        """Apply one workflow step; None (and no change) when it does not apply.

        Everything that can fail is checked before the ticket changes, so a
        wrong argument leaves the ticket as it was.
        """
        step = stalker.defaults.ticket_workflow.get(action, {}).get(self.status.name)
        if step is None:
            return None
        check_instance(TicketLog, "created_by", created_by, User, allow_none=True)
        to_status = self.status_list[step["new_status"]]
        if to_status is None:
            raise value_error(
                self,
                "status_list",
                f"a list holding the status {step['new_status']!r} for {action!r}",
                self.status_list,
            )
        from_status = self.status
        getattr(self, step["action"])(action_arg)
        self.status = to_status
        return TicketLog(self, from_status, to_status, action, created_by=created_by)

    @property
    def is_open(self) -> bool:
        """True unless the ticket is closed (status code ``CLS``)."""
        return self.status.code != "CLS"

    # -- equality ---------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Ticket)
            and self.number == other.number
            and self.status == other.status
            and self.priority == other.priority
            and list(self.logs) == list(other.logs)
        )

    __hash__ = SimpleEntity.__hash__


class TicketLog(SimpleEntity):
    """One workflow step of a ticket: who moved it from which status to which."""

    __tablename__ = "TicketLogs"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "TicketLog"}

    ticket_log_id: Mapped[int] = mapped_column(
        "id", ForeignKey("SimpleEntities.id"), primary_key=True
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("Tickets.id"), index=True)
    ticket: Mapped[Ticket | None] = relationship(
        back_populates="logs", primaryjoin="TicketLog.ticket_id == Ticket.ticket_id"
    )
    from_status_id: Mapped[int | None] = mapped_column(ForeignKey("Statuses.id"))
    from_status: Mapped[Status | None] = relationship(
        primaryjoin="TicketLog.from_status_id == Status.status_id"
    )
    to_status_id: Mapped[int | None] = mapped_column(ForeignKey("Statuses.id"))
    to_status: Mapped[Status | None] = relationship(
        primaryjoin="TicketLog.to_status_id == Status.status_id"
    )
    action: Mapped[str | None] = mapped_column(
        Enum(*stalker.defaults.ticket_workflow, name="TicketActions")
    )

    def __init__(
        self,
        ticket: Ticket | None = None,
        from_status: Status | None = None,
        to_status: Status | None = None,
        action: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("name", None)  # always generated
        super().__init__(**kwargs)
        self.ticket = ticket
        self.from_status = from_status
        self.to_status = to_status
        self.action = action
        add_to_session_of(self, ticket)

    @validates("name")
    def _validate_name(self, key: str, name: Any) -> str:
        return f"TicketLog_{uuid.uuid4().hex}"

    @validates("ticket", include_backrefs=False)
    def _validate_ticket(self, key: str, ticket: Any) -> Ticket | None:
        return check_instance(self, key, ticket, Ticket, allow_none=True)  # type: ignore[no-any-return]

    @validates("from_status", "to_status")
    def _validate_status(self, key: str, status: Any) -> Status | None:
        return check_instance(self, key, status, Status, allow_none=True)  # type: ignore[no-any-return]

    @validates("action")
    def _validate_action(self, key: str, action: Any) -> str | None:
        if action is None:
            return None
        return check_choice(self, key, action, _workflow_actions())


# -- numbering (D11) -----------------------------------------------------------

_max_number = select(func.max(Ticket.__table__.c.number))


def _session_for(project: Any) -> Session | None:
    """The session whose database numbers a ticket of ``project``; None if none."""
    session = session_of(project)
    if session is None:
        session = DBSession()
    try:
        session.get_bind()
    except UnboundExecutionError:
        return None
    return session


def _highest_stored_number(session: Session) -> int:
    """The highest ticket number the session can see in its database.

    While the session holds no connection the read runs on a short
    connection of its own (it would see the same rows), so that merely
    building a ticket does not start a read transaction (see the module
    docstring about SQLite).
    """
    bind = session.get_bind()
    if transaction_notes(session).get("connected") or not isinstance(bind, Engine):
        with session.no_autoflush:
            return session.scalar(_max_number) or 0
    with bind.connect() as connection:
        return connection.scalar(_max_number) or 0


def _pending_tickets(session: Session) -> list[Ticket]:
    return [obj for obj in session.new if isinstance(obj, Ticket)]


def _provisional_number(project: Any) -> int:
    """1 + the highest number stored or pending in the session (1 without a DB)."""
    session = _session_for(project)
    if session is None:
        return 1
    pending = [ticket.number for ticket in _pending_tickets(session)]
    try:
        stored = _highest_stored_number(session)
    except (OperationalError, ProgrammingError):
        # No reachable database or no Tickets table: only a guess is lost,
        # the flush assigns the real number (or reports the real problem).
        stored = 0
    return max([stored, *pending]) + 1


def _order_of(ticket: Ticket) -> int:
    return getattr(ticket, "_created_in_order", 0)


def _lock_numbering(connection: Connection) -> None:
    """Hold the numbering lock until this transaction ends (see module docstring)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _NUMBERING_LOCK_KEY}
        )
    elif dialect == "sqlite":
        take_sqlite_write_lock(connection)


@event.listens_for(Session, "before_flush")
def _finalise_ticket_numbers(
    session: Session, flush_context: Any, instances: Any
) -> None:
    """Give pending tickets free numbers, keeping the provisional ones if free."""
    pending = _pending_tickets(session)
    if not pending:
        return
    connection = session.connection()
    _lock_numbering(connection)
    next_free = (connection.scalar(_max_number) or 0) + 1
    pending.sort(key=lambda ticket: (ticket._number, _order_of(ticket)))
    for ticket in pending:
        if ticket._number < next_free:
            ticket._number = next_free
            ticket.name = ""  # the name validator spells the new number
        next_free = ticket._number + 1


__all__ = [
    "CANTFIX",
    "DUPLICATE",
    "FIXED",
    "INVALID",
    "PRIORITIES",
    "WONTFIX",
    "WORKSFORME",
    "Ticket",
    "TicketLog",
]
