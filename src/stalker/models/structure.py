"""Structure: a project's folder and naming conventions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from stalker.models.collections import UniqueList
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.secondary import create_secondary_table
from stalker.models.template import FilenameTemplate
from stalker.models.validation import check_instance, check_str

Structure_FilenameTemplates = create_secondary_table(
    "Structure", "FilenameTemplate", "Structures", "FilenameTemplates"
)


class Structure(Entity):
    """FilenameTemplates (shared between structures) plus free-form folders."""

    __tablename__ = "Structures"
    __auto_name__ = False
    __strictly_typed__ = False
    __mapper_args__ = {"polymorphic_identity": "Structure"}

    structure_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    templates: Mapped[list[FilenameTemplate]] = relationship(
        secondary=Structure_FilenameTemplates,
        collection_class=UniqueList,
        primaryjoin="Structures.c.id == Structure_FilenameTemplates.c.structure_id",
        secondaryjoin=(
            "Structure_FilenameTemplates.c.filenametemplate_id == "
            "FilenameTemplates.c.id"
        ),
    )
    custom_template: Mapped[str] = mapped_column(Text, default="")

    def __init__(
        self,
        templates: list[FilenameTemplate] | None = None,
        custom_template: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.templates = [] if templates is None else templates
        self.custom_template = custom_template  # type: ignore[assignment]

    @validates("templates")
    def _validate_template(self, key: str, template: Any) -> FilenameTemplate:
        return check_instance(self, key, template, FilenameTemplate)

    @validates("custom_template")
    def _validate_custom_template(self, key: str, source: Any) -> str:
        return check_str(self, key, source, none_as="")

    def render_folders(self, **variables: Any) -> list[str]:
        """The folders ``custom_template`` describes, one per non-blank line.

        Rendered in the sandbox; every folder must stay inside the project
        root (no ``..`` segment, not absolute), otherwise ValueError.
        """
        from stalker.templates import check_relative_path, render_template

        label = f"Structure {self.name!r} (custom_template)"
        rendered = render_template(
            self.custom_template, template_name=label, **variables
        )
        folders = [line.strip() for line in rendered.splitlines() if line.strip()]
        return [check_relative_path(folder, template_name=label) for folder in folders]

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Structure)
            and list(self.templates) == list(other.templates)
            and self.custom_template == other.custom_template
        )

    __hash__ = SimpleEntity.__hash__
