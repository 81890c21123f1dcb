"""Scene: the shots of one set or location, grouped inside a project."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import (
    Mapped,
    mapped_column,
    object_session,
    relationship,
    validates,
)

from stalker.models.collections import UniqueList, init_collection
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.code import CodeMixin
from stalker.models.mixins.project import ProjectMixin
from stalker.models.validation import check_instance

if TYPE_CHECKING:
    from stalker.models.shot import Shot


class Scene(Entity, ProjectMixin, CodeMixin):
    """A plain project entity (not a Task): it only groups shots.

    ``Project.scenes`` lists the scenes and deletes them with the project;
    ``Shot.scenes`` mirrors ``shots``.
    """

    __tablename__ = "Scenes"
    __auto_name__ = False
    __strictly_typed__ = False
    __mapper_args__ = {"polymorphic_identity": "Scene"}

    scene_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    shots: Mapped[list[Shot]] = relationship(
        secondary="Shot_Scenes",
        back_populates="scenes",
        primaryjoin="Scene.scene_id == Shot_Scenes.c.scene_id",
        secondaryjoin="Shot_Scenes.c.shot_id == Shot.shot_id",
        order_by="Shot.shot_id",
        collection_class=UniqueList,
    )

    def __init__(self, shots: list[Shot] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        CodeMixin.__init__(self, **kwargs)
        ProjectMixin.__init__(self, **kwargs)
        init_collection(self, "shots", shots)
        # SQLAlchemy 2 no longer cascades along the ``Project.scenes`` backref:
        # join the project's session like any other member of the project.
        session = object_session(self.project)
        if session is not None:
            session.add(self)

    @validates("shots")
    def _validate_shot(self, key: str, shot: Any) -> Shot:
        return check_instance(self, key, shot, "Shot")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scene) and super().__eq__(other)

    __hash__ = SimpleEntity.__hash__


# Shot defines the link table and the other side of ``shots``; importing it
# here lets this module be used on its own.
import stalker.models.shot  # noqa: E402, F401
