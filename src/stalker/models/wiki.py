"""Page: one page of a project's wiki."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from stalker.db.session import add_to_session_of
from stalker.models.entity import Entity
from stalker.models.mixins.project import ProjectMixin
from stalker.models.validation import check_str

if TYPE_CHECKING:
    from stalker.models.project import Project


class Page(Entity, ProjectMixin):
    """A titled wiki page of a project (``Project.pages``); content may be HTML."""

    __tablename__ = "Pages"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "Page"}

    page_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    title: Mapped[str] = mapped_column(Text, nullable=False)
    content: Mapped[str] = mapped_column(Text, default="")

    def __init__(
        self,
        title: str = "",
        content: str | None = "",
        project: Project | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        ProjectMixin.__init__(self, project=project)
        self.title = title
        self.content = content  # type: ignore[assignment]
        add_to_session_of(self, project)

    @validates("title")
    def _validate_title(self, key: str, title: Any) -> str:
        return check_str(self, key, title, allow_empty=False)

    @validates("content")
    def _validate_content(self, key: str, content: Any) -> str:
        return check_str(self, key, content, none_as="")


# Project must be mapped before ``Project.pages`` can be configured.
import stalker.models.project  # noqa: E402, F401
