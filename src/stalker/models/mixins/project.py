"""ProjectMixin: the object belongs to exactly one Project, which owns it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import (
    Mapped,
    backref,
    declared_attr,
    mapped_column,
    relationship,
    validates,
)

from stalker.models.validation import check_instance

if TYPE_CHECKING:
    from stalker.models.project import Project


class ProjectMixin:
    """Adds ``project``; the Project gets a ``<tablename lower-cased>`` list.

    The back-reference cascades ``all, delete-orphan``: scenes, pages,
    budgets and dailies make no sense without their project.
    """

    @declared_attr
    def project_id(cls: Any) -> Mapped[int | None]:
        return mapped_column(ForeignKey("Projects.id"), index=True)

    @declared_attr
    def project(cls: Any) -> Mapped[Project]:
        return relationship(
            "Project",
            primaryjoin=f"{cls.__name__}.project_id == Project.project_id",
            post_update=True,
            backref=backref(
                cls.__tablename__.lower(),  # type: ignore[attr-defined]
                cascade="all, delete-orphan",
                post_update=False,
            ),
        )

    def __init__(self, project: Project | None = None, **kwargs: Any) -> None:
        self.project = project  # type: ignore[assignment]

    # Backref events are not validated: removing the object from
    # ``project.<table>`` sets None here, and delete-orphan then deletes it.
    @validates("project", include_backrefs=False)
    def _validate_project(self, key: str, project: Any) -> Project:
        return check_instance(self, key, project, "Project")
