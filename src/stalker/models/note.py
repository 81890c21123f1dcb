"""Note: a comment that can be left on any Entity (``Entity.notes``).

Notes and Tags are plain SimpleEntities, so a note cannot itself be noted
or tagged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from stalker.models.collections import UniqueList
from stalker.models.entity import Entity, Entity_Notes, SimpleEntity


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

    def __init__(self, content: str | None = "", **kwargs: Any) -> None:
        # ``description=`` is the same attribute; an explicit content wins.
        if (content is not None and content != "") or "description" not in kwargs:
            kwargs["description"] = content
        super().__init__(**kwargs)

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Note)
            and self.content == other.content
        )

    __hash__ = SimpleEntity.__hash__
