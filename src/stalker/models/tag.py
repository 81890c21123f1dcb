"""Tag: a free keyword attached to Entities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stalker.models.collections import UniqueList
from stalker.models.entity import Entity_Tags, SimpleEntity

if TYPE_CHECKING:
    from stalker.models.collections import UniqueList
from stalker.models.entity import Entity


class Tag(SimpleEntity):
    """A keyword; two tags with the same name are equal."""

    __tablename__ = "Tags"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Tag"}

    tag_id: Mapped[int] = mapped_column(
        "id", ForeignKey("SimpleEntities.id"), primary_key=True
    )
    entities: Mapped[list[Entity]] = relationship(
        secondary=Entity_Tags, back_populates="tags", collection_class=UniqueList
    )

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Tag)

    __hash__ = SimpleEntity.__hash__
