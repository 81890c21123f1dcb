"""FilenameTemplate: where (path) and how (filename) versions are stored.

The two strings are Jinja2 sources; they are only rendered through
:mod:`stalker.templates`, which sandboxes them and keeps the result inside
the repository (D12).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.target_entity_type import TargetEntityTypeMixin
from stalker.models.validation import check_str


class FilenameTemplate(Entity, TargetEntityTypeMixin):
    """Path and filename templates for versions of one entity type."""

    __tablename__ = "FilenameTemplates"
    __auto_name__ = False
    __strictly_typed__ = False
    __mapper_args__ = {"polymorphic_identity": "FilenameTemplate"}

    filename_template_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    path: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(Text, default="")

    def __init__(
        self,
        target_entity_type: Any = None,
        path: str | None = None,
        filename: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        TargetEntityTypeMixin.__init__(self, target_entity_type)
        self.path = path  # type: ignore[assignment]
        self.filename = filename  # type: ignore[assignment]

    @validates("path", "filename")
    def _validate_source(self, key: str, source: Any) -> str:
        return check_str(self, key, source, none_as="")

    def render_path(self, **variables: Any) -> str:
        """Render ``path`` in the sandbox (no containment check: see templates)."""
        from stalker.templates import render_template

        return render_template(
            self.path, template_name=self._label("path"), **variables
        )

    def render_filename(self, **variables: Any) -> str:
        """Render ``filename`` in the sandbox."""
        from stalker.templates import render_template

        return render_template(
            self.filename, template_name=self._label("filename"), **variables
        )

    def _label(self, attr: str) -> str:
        return f"FilenameTemplate {self.name!r} ({attr})"

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, FilenameTemplate)
            and self.target_entity_type == other.target_entity_type
            and self.path == other.path
            and self.filename == other.filename
        )

    __hash__ = SimpleEntity.__hash__
