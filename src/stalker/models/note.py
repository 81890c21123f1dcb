"""Note: a piece of text attached to Entities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from stalker.models.collections import UniqueList
from stalker.models.entity import Entity_Notes, SimpleEntity

if TYPE_CHECKING:
    from stalker.models.collections import UniqueList
from stalker.models.entity import Entity


class Note(SimpleEntity):
    """A comment; ``content`` is stored in (and validated as) ``description``."""

    __tablename__ = "Notes"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "Note"}

    note_id: Mapped[int] = mapped_column(
        "id", ForeignKey("SimpleEntities.id"), primary_key=True
    )
    content = synonym("description")
    entities: Mapped[list[Entity]] = relationship(
        secondary=Entity_Notes, back_populates="notes", collection_class=UniqueList
    )

    def __init__(self, content: str | None = None, **kwargs: Any) -> None:
        if content is not None or "description" not in kwargs:
            kwargs["description"] = content
        super().__init__(**kwargs)

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Note)
            and self.content == other.content
        )

    __hash__ = SimpleEntity.__hash__
