"""Sequence: a run of shots in story order, itself a Task with a code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from stalker.models.collections import UniqueList
from stalker.models.entity import SimpleEntity
from stalker.models.mixins.code import CodeMixin
from stalker.models.task import Task
from stalker.models.validation import check_instance

if TYPE_CHECKING:
    from stalker.models.shot import Shot


class Sequence(Task, CodeMixin):
    """Groups shots (many-to-many, mirrored by ``Shot.sequences``).

    A shot may appear in several sequences (e.g. a flashback reused as is),
    so membership is a set-like list on both sides.
    """

    __tablename__ = "Sequences"
    __auto_name__ = False
    __strictly_typed__ = False
    __mapper_args__ = {"polymorphic_identity": "Sequence"}

    sequence_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Tasks.id"), primary_key=True
    )
    shots: Mapped[list[Shot]] = relationship(
        secondary="Shot_Sequences",
        back_populates="sequences",
        primaryjoin="Sequence.sequence_id == Shot_Sequences.c.sequence_id",
        secondaryjoin="Shot_Sequences.c.shot_id == Shot.shot_id",
        order_by="Shot.shot_id",
        collection_class=UniqueList,
    )

    def __init__(self, code: str | None = None, **kwargs: Any) -> None:
        # Shots join a sequence from the shot side (Shot(sequences=[...]));
        # a ``shots=`` keyword is deliberately not honoured.
        kwargs.pop("shots", None)
        # The code first: a refused code must not leave a half-built task in
        # its project (and session).
        CodeMixin.__init__(self, code=code)
        from stalker.db.session import no_autoflush

        with no_autoflush(kwargs.get("project"), kwargs.get("parent")):
            super().__init__(**kwargs)

    @validates("shots")
    def _validate_shot(self, key: str, shot: Any) -> Shot:
        return check_instance(self, key, shot, "Shot")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and super().__eq__(other)

    __hash__ = SimpleEntity.__hash__


# Shot defines the link table and the other side of ``shots``; importing it
# here lets this module be used on its own.
import stalker.models.shot  # noqa: E402, F401
