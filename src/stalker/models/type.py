"""Type (free classification scoped to a class) and EntityType (class registry)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from stalker.db.declarative import Base
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.code import CodeMixin
from stalker.models.mixins.target_entity_type import TargetEntityTypeMixin


class Type(Entity, TargetEntityTypeMixin, CodeMixin):
    """A category such as ``Character`` for Assets or ``Defect`` for Tickets."""

    __tablename__ = "Types"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Type"}

    # Not ``type_id``: that is SimpleEntity's link to a Type, and one attribute
    # mapping both columns would store a Type's own id as its type.
    type_entity_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )

    def __init__(
        self,
        name: str | None = None,
        code: str | None = None,
        target_entity_type: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        TargetEntityTypeMixin.__init__(self, target_entity_type)
        CodeMixin.__init__(self, code=code)

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Type)
            and self.target_entity_type == other.target_entity_type
        )

    __hash__ = SimpleEntity.__hash__


class EntityType(Base):
    """A registered class name and what it supports (filled by ``db.register``)."""

    __tablename__ = "EntityTypes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    statusable: Mapped[bool] = mapped_column(Boolean, default=False)
    dateable: Mapped[bool] = mapped_column(Boolean, default=False)
    schedulable: Mapped[bool] = mapped_column(Boolean, default=False)
    accepts_references: Mapped[bool] = mapped_column(Boolean, default=False)

    def __init__(
        self,
        name: str,
        statusable: bool = False,
        schedulable: bool = False,
        accepts_references: bool = False,
    ) -> None:
        self.name = name
        self.statusable = statusable
        self.dateable = False
        self.schedulable = schedulable
        self.accepts_references = accepts_references

    def __repr__(self) -> str:
        return f"<EntityType {self.name!r}>"
