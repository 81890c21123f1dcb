"""ProjectClient: the Project <-> Client membership (with an optional role).

Kept apart from :mod:`stalker.models.project` because it needs the Client
class; importing this module adds ``Project.client_role``/``Project.clients``
and, through the back-reference, ``Client.project_role``/``Client.projects``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

from stalker.db.declarative import Base
from stalker.models.auth import Role
from stalker.models.client import Client  # type: ignore[import-not-found]
from stalker.models.collections import unique_association_proxy
from stalker.models.project import Project
from stalker.models.validation import check_instance


class ProjectClient(Base):
    """A client's part in a project."""

    __tablename__ = "Project_Clients"

    project_id: Mapped[int] = mapped_column(ForeignKey("Projects.id"), primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("Clients.id"), primary_key=True, index=True
    )
    role_id: Mapped[int | None] = mapped_column(
        "rid", ForeignKey("Roles.id"), index=True
    )

    project: Mapped[Project | None] = relationship(
        primaryjoin="ProjectClient.project_id == Project.project_id",
        backref=backref("client_role", cascade="all, delete-orphan"),
    )
    client: Mapped[Client | None] = relationship(
        primaryjoin="ProjectClient.client_id == Client.client_id",
        backref=backref("project_role", cascade="all, delete-orphan"),
    )
    role: Mapped[Role | None] = relationship(
        primaryjoin="ProjectClient.role_id == Role.role_id"
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

    @validates("role")
    def _validate_role(self, key: str, role: Any) -> Role | None:
        return check_instance(self, key, role, Role, allow_none=True)


def _attach_proxies() -> None:
    """Add the set-like ``Project.clients`` and ``Client.projects`` lists (D2)."""
    Project.clients = unique_association_proxy(  # type: ignore[attr-defined]
        "client_role", "client", creator=lambda client: ProjectClient(client=client)
    )
    Client.projects = unique_association_proxy(
        "project_role",
        "project",
        creator=lambda project: ProjectClient(project=project),
    )


_attach_proxies()
