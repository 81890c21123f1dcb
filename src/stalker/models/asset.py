"""Asset: a character, prop or set, tracked as a Task with a code and a Type."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from stalker.db.session import no_autoflush
from stalker.models.entity import SimpleEntity
from stalker.models.mixins.code import CodeMixin
from stalker.models.task import Task


class Asset(Task, CodeMixin):
    """A production asset; its work lives in child tasks (``Asset.tasks``).

    Assets are strictly typed: the Type (Character, Prop, ...) is what
    pipelines branch on, so an untyped asset is refused at construction.
    """

    __tablename__ = "Assets"
    __auto_name__ = False
    __strictly_typed__ = True
    __mapper_args__ = {"polymorphic_identity": "Asset"}

    asset_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Tasks.id"), primary_key=True
    )

    def __init__(self, code: str | None = None, **kwargs: Any) -> None:
        # The code first: a refused code must not leave a half-built task in
        # its project (and session).
        CodeMixin.__init__(self, code=code)
        with no_autoflush(kwargs.get("project"), kwargs.get("parent")):
            super().__init__(**kwargs)

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Asset)
            and self.type == other.type
        )

    __hash__ = SimpleEntity.__hash__
