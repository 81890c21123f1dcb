"""Project and its memberships: ProjectUser, ProjectClient, ProjectRepository.

This module also extends :class:`~stalker.models.auth.User` and
:class:`~stalker.models.client.Client`: it adds their ``project_role``
back-references and set-like ``projects`` lists, so the project side owns the
Project <-> User and Project <-> Client relations in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Float, ForeignKey, Select, inspect, select
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import (
    Mapped,
    backref,
    mapped_column,
    object_session,
    relationship,
    selectinload,
    validates,
)

from stalker.db.declarative import Base
from stalker.db.session import no_autoflush
from stalker.models.auth import Role, User
from stalker.models.client import Client
from stalker.models.collections import unique_association_proxy
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.format import ImageFormat
from stalker.models.mixins.code import CodeMixin
from stalker.models.mixins.date_range import DateRangeMixin
from stalker.models.mixins.membership_role import MembershipRoleMixin
from stalker.models.mixins.reference import ReferenceMixin
from stalker.models.mixins.status import StatusMixin
from stalker.models.repository import Repository
from stalker.models.structure import Structure
from stalker.models.validation import (
    check_instance,
    check_number,
)
from stalker.scheduling.tjp import indent

if TYPE_CHECKING:
    from stalker.models.status import Status, StatusList  # noqa: F401
    from stalker.models.task import Task
    from stalker.models.ticket import Ticket


class Project(Entity, ReferenceMixin, StatusMixin, DateRangeMixin, CodeMixin):
    """A production: its repositories, structure, image format and members."""

    __tablename__ = "Projects"
    __auto_name__ = False
    __strictly_typed__ = False
    __mapper_args__ = {"polymorphic_identity": "Project"}

    if TYPE_CHECKING:  # back-references declared by the task and ticket modules
        tasks: Mapped[list[Task]]
        tickets: Mapped[list[Ticket]]

    project_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("Structures.id"), index=True
    )
    structure: Mapped[Structure | None] = relationship(
        primaryjoin="Project.structure_id == Structure.structure_id"
    )
    image_format_id: Mapped[int | None] = mapped_column(
        ForeignKey("ImageFormats.id"), index=True
    )
    image_format: Mapped[ImageFormat | None] = relationship(
        primaryjoin="Project.image_format_id == ImageFormat.image_format_id"
    )
    fps: Mapped[float] = mapped_column(Float(precision=3), default=25.0)
    is_stereoscopic: Mapped[bool] = mapped_column(Boolean, default=False)

    user_role: Mapped[list[ProjectUser]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        primaryjoin="Project.project_id == ProjectUser.project_id",
    )
    users = unique_association_proxy(
        "user_role", "user", creator=lambda user: ProjectUser(user=user)
    )
    repositories_proxy: Mapped[list[ProjectRepository]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        primaryjoin="Project.project_id == ProjectRepository.project_id",
        order_by="ProjectRepository.position",
        collection_class=ordering_list("position"),
    )
    repositories = unique_association_proxy(
        "repositories_proxy",
        "repository",
        creator=lambda repository: ProjectRepository(repository=repository),
    )

    def __init__(
        self,
        name: str | None = None,
        code: str | None = None,
        clients: list[Any] | None = None,
        repositories: list[Repository] | None = None,
        structure: Structure | None = None,
        image_format: ImageFormat | None = None,
        fps: float = 25.0,
        is_stereoscopic: bool = False,
        users: list[User] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["name"] = name
        super().__init__(**kwargs)
        ReferenceMixin.__init__(self, **kwargs)
        StatusMixin.__init__(self, **kwargs)
        DateRangeMixin.__init__(self, **kwargs)
        CodeMixin.__init__(self, code=code)
        self.active = True
        self.repositories = [] if repositories is None else repositories
        self.structure = structure
        self.image_format = image_format
        self.fps = fps
        self.is_stereoscopic = is_stereoscopic
        self.users = [] if users is None else users
        self.clients = [] if clients is None else clients

    @validates("structure")
    def _validate_structure(self, key: str, structure: Any) -> Structure | None:
        return check_instance(self, key, structure, Structure, allow_none=True)

    @validates("image_format")
    def _validate_image_format(self, key: str, image_format: Any) -> ImageFormat | None:
        return check_instance(self, key, image_format, ImageFormat, allow_none=True)

    @validates("fps")
    def _validate_fps(self, key: str, fps: Any) -> float:
        return float(check_number(self, key, fps, above=0))

    @validates("is_stereoscopic")
    def _validate_is_stereoscopic(self, key: str, value: Any) -> bool:
        return bool(value)

    @property
    def repository(self) -> Repository | None:
        """The first repository: what templates mean by ``project.repository``."""
        repositories = self.repositories
        return repositories[0] if repositories else None

    @property
    def is_active(self) -> bool:
        """Whether the project is active (the ``active`` flag)."""
        return self.active

    # --- task-based views (06 §9.4); Task classes are imported late because
    # their modules import this one.

    def _tasks_of_class(self, cls: type) -> list[Any]:
        """Tasks of ``cls`` in this project, by id; in memory when unsaved."""
        session = object_session(self)
        identity = inspect(self).identity
        if session is None or identity is None:
            return [task for task in self.tasks if isinstance(task, cls)]
        query: Select[Any] = (
            select(cls)
            .where(cls.project_id == identity[0])  # type: ignore[attr-defined]
            .order_by(cls.task_id)  # type: ignore[attr-defined]
        )
        return list(session.scalars(query))

    @property
    def root_tasks(self) -> list[Any]:
        """Tasks without a parent (Assets/Shots/Sequences included), by id.

        The whole subtree is loaded with them, so walking ``children`` from
        here (schedule sums, to_tjp) costs a bounded number of queries.
        """
        from stalker.models.task import Task

        session = object_session(self)
        identity = inspect(self).identity
        if session is None or identity is None:
            return [task for task in self.tasks if task.parent is None]
        query = (
            select(Task)
            .where(Task.project_id == identity[0])
            .where(Task.parent_id.is_(None))
            .order_by(Task.task_id)
            .options(selectinload(Task.children, recursion_depth=-1))
        )
        with session.no_autoflush:
            return list(session.scalars(query))

    @property
    def assets(self) -> list[Any]:
        """All Assets of the project, at any depth."""
        from stalker.models.asset import Asset

        return self._tasks_of_class(Asset)

    @property
    def sequences(self) -> list[Any]:
        """All Sequences of the project, at any depth."""
        from stalker.models.sequence import Sequence

        return self._tasks_of_class(Sequence)

    @property
    def shots(self) -> list[Any]:
        """All Shots of the project, at any depth."""
        from stalker.models.shot import Shot

        return self._tasks_of_class(Shot)

    @property
    def total_logged_seconds(self) -> int | float:
        """Seconds logged over the whole project (sum of the root tasks)."""
        return _sum_task_seconds(self.root_tasks, "total_logged_seconds")

    @property
    def schedule_seconds(self) -> int | float:
        """Seconds scheduled over the whole project (sum of the root tasks)."""
        return _sum_task_seconds(self.root_tasks, "schedule_seconds")

    @property
    def percent_complete(self) -> float:
        """Logged over scheduled seconds, in percent; 0 with nothing scheduled."""
        root_tasks = self.root_tasks
        schedule_seconds = _sum_task_seconds(root_tasks, "schedule_seconds")
        if schedule_seconds <= 0:
            return 0
        logged_seconds = _sum_task_seconds(root_tasks, "total_logged_seconds")
        return logged_seconds / schedule_seconds * 100

    @property
    def open_tickets(self) -> list[Any]:
        """Tickets of this project not closed (status code ``CLS``), by number."""
        from stalker.models.status import Status
        from stalker.models.ticket import Ticket

        session = object_session(self)
        identity = inspect(self).identity
        if session is None or identity is None:
            return [ticket for ticket in self.tickets if ticket.status.code != "CLS"]
        closed = select(Status.status_id).where(Status.code == "CLS")
        query = (
            select(Ticket)
            .where(Ticket.project_id == identity[0])
            .where(Ticket.status_id.not_in(closed))
            .order_by(Ticket.number)
        )
        return list(session.scalars(query))

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Project)

    __hash__ = SimpleEntity.__hash__

    @property
    def to_tjp(self) -> str:
        """A TaskJuggler ``task`` holding every root task's ``to_tjp``, indented.

        The scheduler writes its own compact file; this is for reading.
        """
        from stalker.models.task import gathered_for_tjp, load_subtrees_for_tjp
        from stalker.scheduling.tjp import readable_task_text

        lines = [f'task {self.tjp_id} "{self.tjp_id}" {{']
        data = gathered_for_tjp(self, self.id)
        if data is not None:
            for root in data.roots.get(self.id, ()):
                lines.append(indent(readable_task_text(data, root, 0)))
        else:
            roots = self.root_tasks
            loaded = load_subtrees_for_tjp(self, roots)  # noqa: F841 (kept alive)
            lines.extend(indent(task._tjp_text()) for task in roots)
        lines.append("}")
        return "\n".join(lines)


def _sum_task_seconds(tasks: list[Any], attr: str) -> int | float:
    """Sum a seconds attribute of tasks, refreshing a task whose cache is empty."""
    total: int | float = 0
    for task in tasks:
        value = getattr(task, attr)
        if value is None:
            task.update_schedule_info()
            value = getattr(task, attr)
        total += value or 0
    return total


class ProjectUser(MembershipRoleMixin, Base):
    """A user's membership of a project: an optional role and a per-project rate."""

    __tablename__ = "Project_Users"

    project_id: Mapped[int] = mapped_column(ForeignKey("Projects.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("Users.id"), primary_key=True, index=True
    )
    rate: Mapped[float] = mapped_column(Float, default=0.0)

    project: Mapped[Project | None] = relationship(
        back_populates="user_role",
        primaryjoin="ProjectUser.project_id == Project.project_id",
    )
    user: Mapped[User | None] = relationship(
        primaryjoin="ProjectUser.user_id == User.user_id",
        backref=backref("project_role", cascade="all, delete-orphan"),
    )

    def __init__(
        self,
        project: Project | None = None,
        user: User | None = None,
        role: Role | None = None,
    ) -> None:
        self.user = user
        self.project = project
        self.role = role

    @validates("project")
    def _validate_project(self, key: str, project: Any) -> Project | None:
        return check_instance(self, key, project, Project, allow_none=True)

    @validates("user")
    def _validate_user(self, key: str, user: Any) -> User | None:
        user = check_instance(self, key, user, User, allow_none=True)
        if user is not None:
            # The rate starts as the user's general rate and may then differ.
            with no_autoflush(user):
                self.rate = user.rate
        return user

    @validates("rate")
    def _validate_rate(self, key: str, rate: Any) -> float:
        if rate is None:
            return 0.0
        return float(check_number(self, key, rate, at_least=0))


class ProjectRepository(Base):
    """One repository of a project at one position of ``Project.repositories``."""

    __tablename__ = "Project_Repositories"

    project_id: Mapped[int] = mapped_column(ForeignKey("Projects.id"), primary_key=True)
    repository_id: Mapped[int] = mapped_column(
        ForeignKey("Repositories.id"), primary_key=True, index=True
    )
    position: Mapped[int | None] = mapped_column()

    project: Mapped[Project | None] = relationship(
        back_populates="repositories_proxy",
        primaryjoin="ProjectRepository.project_id == Project.project_id",
    )
    repository: Mapped[Repository | None] = relationship(
        primaryjoin="ProjectRepository.repository_id == Repository.repository_id"
    )

    def __init__(
        self,
        project: Project | None = None,
        repository: Repository | None = None,
        position: int | None = None,
    ) -> None:
        self.project = project
        self.repository = repository
        self.position = position

    @validates("repository")
    def _validate_repository(self, key: str, repository: Any) -> Repository | None:
        return check_instance(self, key, repository, Repository, allow_none=True)


# The mirror of ``Project.users`` (D2: set-like from both sides).
User.projects = unique_association_proxy(  # type: ignore[attr-defined]
    "project_role", "project", creator=lambda project: ProjectUser(project=project)
)


class ProjectClient(MembershipRoleMixin, Base):
    """A client's part in a project."""

    __tablename__ = "Project_Clients"

    project_id: Mapped[int] = mapped_column(ForeignKey("Projects.id"), primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("Clients.id"), primary_key=True, index=True
    )

    project: Mapped[Project | None] = relationship(
        primaryjoin="ProjectClient.project_id == Project.project_id",
        backref=backref("client_role", cascade="all, delete-orphan"),
    )
    client: Mapped[Client | None] = relationship(
        primaryjoin="ProjectClient.client_id == Client.client_id",
        backref=backref("project_role", cascade="all, delete-orphan"),
    )

    def __init__(
        self,
        project: Project | None = None,
        client: Any = None,
        role: Role | None = None,
    ) -> None:
        self.project = project
        self.client = client
        self.role = role

    @validates("project")
    def _validate_project(self, key: str, project: Any) -> Project | None:
        return check_instance(self, key, project, Project, allow_none=True)

    @validates("client")
    def _validate_client(self, key: str, client: Any) -> Any:
        return check_instance(self, key, client, Client, allow_none=True)


def _attach_client_proxies() -> None:
    """Add the set-like ``Project.clients`` and ``Client.projects`` lists (D2).

    The project module extends Client (defined earlier) with its side.
    """
    Project.clients = unique_association_proxy(  # type: ignore[assignment]
        "client_role", "client", creator=lambda client: ProjectClient(client=client)
    )
    Client.projects = unique_association_proxy(  # type: ignore[assignment]
        "project_role",
        "project",
        creator=lambda project: ProjectClient(project=project),
    )


_attach_client_proxies()
