"""Shot: a Task with a per-project unique code, frame ranges, fps and format.

Also defines the ``Shot_Sequences`` and ``Shot_Scenes`` link tables behind
``Shot.sequences`` / ``Sequence.shots`` and ``Shot.scenes`` / ``Scene.shots``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Float, ForeignKey, Index, Integer, bindparam, inspect, select
from sqlalchemy.orm import (
    Mapped,
    mapped_column,
    object_session,
    relationship,
    synonym,
    validates,
)

from stalker.db.session import no_autoflush
from stalker.models.collections import UniqueList, init_collection
from stalker.models.entity import SimpleEntity
from stalker.models.format import ImageFormat
from stalker.models.mixins.code import CodeMixin
from stalker.models.mixins.secondary import create_secondary_table
from stalker.models.scene import Scene
from stalker.models.sequence import Sequence
from stalker.models.task import Task
from stalker.models.validation import (
    check_instance,
    check_number,
    type_error,
    value_error,
)

if TYPE_CHECKING:
    from stalker.models.project import Project

Shot_Sequences = create_secondary_table(
    "Shot", "Sequence", "Shots", "Sequences", "Shot_Sequences"
)
Shot_Scenes = create_secondary_table("Shot", "Scene", "Shots", "Scenes", "Shot_Scenes")


def _check_frame(owner: Any, attr: str, value: Any) -> int:
    """Frame numbers are whole ints (a bool is not a frame number)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise type_error(owner, attr, "an int", value)
    return value


@functools.cache
def _taken_code_query(excluding_own_row: bool) -> Any:
    """The id of a flushed shot with a given project and code, built once.

    Building the statement cost three times more than running it (each new
    shot of a saved project asks).
    """
    query = select(Shot.shot_id).where(
        Shot.project_id == bindparam("project_id"), Shot.code == bindparam("code")
    )
    if excluding_own_row:
        query = query.where(Shot.shot_id != bindparam("own_id"))
    return query.limit(1)


class Shot(Task, CodeMixin):
    """A shot; ``fps`` and ``image_format`` follow the project's until set."""

    __tablename__ = "Shots"
    __auto_name__ = True
    __strictly_typed__ = False
    __mapper_args__ = {"polymorphic_identity": "Shot"}
    # every new shot checks its code is free in its project: without an index
    # that check scans every shot, so creating a production was quadratic
    __table_args__ = (Index("ix_Shots_code", "code"),)

    shot_id: Mapped[int] = mapped_column("id", ForeignKey("Tasks.id"), primary_key=True)
    sequences: Mapped[list[Sequence]] = relationship(
        secondary=Shot_Sequences,
        back_populates="shots",
        primaryjoin="Shot.shot_id == Shot_Sequences.c.shot_id",
        secondaryjoin="Shot_Sequences.c.sequence_id == Sequence.sequence_id",
        order_by="Sequence.sequence_id",
        collection_class=UniqueList,
    )
    scenes: Mapped[list[Scene]] = relationship(
        secondary=Shot_Scenes,
        back_populates="shots",
        primaryjoin="Shot.shot_id == Shot_Scenes.c.shot_id",
        secondaryjoin="Shot_Scenes.c.scene_id == Scene.scene_id",
        order_by="Scene.scene_id",
        collection_class=UniqueList,
    )
    cut_in: Mapped[int | None] = mapped_column(Integer, default=1)
    cut_out: Mapped[int | None] = mapped_column(Integer, default=1)
    source_in: Mapped[int | None] = mapped_column(Integer)
    source_out: Mapped[int | None] = mapped_column(Integer)
    record_in: Mapped[int | None] = mapped_column(Integer)
    _fps: Mapped[float | None] = mapped_column("fps", Float(precision=3))
    image_format_id: Mapped[int | None] = mapped_column(
        ForeignKey("ImageFormats.id"), index=True
    )
    _image_format: Mapped[ImageFormat | None] = relationship(
        primaryjoin="Shot.image_format_id == ImageFormat.image_format_id"
    )

    # Set while one cut bound moves the other, so the second validator does
    # not push back. Never stored: a loaded shot sees the class default.
    _coupling_cuts = False

    def __init__(
        self,
        code: str | None = None,
        project: Project | None = None,
        sequences: list[Sequence] | None = None,
        scenes: list[Scene] | None = None,
        cut_in: int | None = None,
        cut_out: int | None = None,
        source_in: int | None = None,
        source_out: int | None = None,
        record_in: int | None = None,
        image_format: ImageFormat | None = None,
        fps: float | None = None,
        **kwargs: Any,
    ) -> None:
        # The code is stored before the shot joins its project so that no
        # flush can ever see it without one; uniqueness is checked once the
        # (maybe inherited) project is known.
        self.code = code  # type: ignore[assignment]
        with no_autoflush(project, kwargs.get("parent")):
            super().__init__(project=project, **kwargs)
            try:
                self._check_code_is_free(self.code)
                init_collection(self, "sequences", sequences)
                init_collection(self, "scenes", scenes)
                if image_format is not None:
                    self.image_format = image_format
                self._init_frames(cut_in, cut_out, source_in, source_out)
                self.record_in = record_in
                if fps is not None:
                    self.fps = fps
            except (TypeError, ValueError):
                self._leave_project()
                raise

    def _init_frames(
        self,
        cut_in: int | None,
        cut_out: int | None,
        source_in: int | None,
        source_out: int | None,
    ) -> None:
        if cut_in is None:
            cut_in = 1 if cut_out is None else cut_out
        if cut_out is None:
            cut_out = cut_in
        self.cut_in = cut_in
        self.cut_out = cut_out
        self.source_in = self.cut_in if source_in is None else source_in
        self.source_out = self.cut_out if source_out is None else source_out

    def _leave_project(self) -> None:
        """Undo what Task init attached, so a refused shot is never flushed."""
        self.sequences.clear()
        self.scenes.clear()
        for owner, collection in ((self.project, "tasks"), (self.parent, "children")):
            if owner is not None:
                items = getattr(owner, collection)
                for index, item in enumerate(items):
                    if item is self:
                        del items[index]
                        break
        session = object_session(self)
        if session is not None and self in session:
            session.expunge(self)

    # --- code ---------------------------------------------------------------

    @validates("code")
    def _validate_code(self, key: str, code: Any) -> str | None:
        code = CodeMixin._validate_code(self, key, code)
        if code != self.__dict__.get("code"):
            self._check_code_is_free(code)
        return code

    def _check_code_is_free(self, code: str) -> None:
        if self._code_is_taken(code):
            raise value_error(
                self, "code", f"unique in project {self.project.name!r}", code
            )

    def _code_is_taken(self, code: str) -> bool:
        """Whether another Shot of this project already uses ``code``.

        When the project is in a session only flushed shots count (the query
        runs without autoflush, so validating never writes); a project outside
        any session can have no shots in the database, so its in-memory tasks
        are scanned instead.
        """
        project = self.project
        if project is None:
            return False
        session = object_session(project)
        if session is None:
            return any(
                isinstance(task, Shot) and task is not self and task.code == code
                for task in project.tasks
            )
        project_key = inspect(project).identity
        if project_key is None:
            return False  # an unsaved project has no flushed shots
        parameters = {"project_id": project_key[0], "code": code}
        own_key = inspect(self).identity
        if own_key is not None:
            parameters["own_id"] = own_key[0]
        with session.no_autoflush:
            query = _taken_code_query(own_key is not None)
            return session.scalar(query, parameters) is not None

    # --- grouping -----------------------------------------------------------

    @validates("sequences")
    def _validate_sequence(self, key: str, sequence: Any) -> Sequence:
        return check_instance(self, key, sequence, Sequence)

    @validates("scenes")
    def _validate_scene(self, key: str, scene: Any) -> Scene:
        return check_instance(self, key, scene, Scene)

    @property
    def sequence(self) -> Sequence | None:
        """The first of ``sequences`` (or None), for single-sequence pipelines."""
        return self.sequences[0] if self.sequences else None

    @property
    def scene(self) -> Scene | None:
        """The first of ``scenes`` (or None)."""
        return self.scenes[0] if self.scenes else None

    # --- frame ranges -------------------------------------------------------

    @validates("cut_in")
    def _validate_cut_in(self, key: str, cut_in: Any) -> int:
        cut_in = _check_frame(self, key, cut_in)
        cut_out = self.cut_out
        if not self._coupling_cuts and cut_out is not None and cut_in > cut_out:
            self._move_other_cut("cut_out", cut_in)
        return cut_in

    @validates("cut_out")
    def _validate_cut_out(self, key: str, cut_out: Any) -> int:
        cut_out = _check_frame(self, key, cut_out)
        cut_in = self.cut_in
        if not self._coupling_cuts and cut_in is not None and cut_out < cut_in:
            self._move_other_cut("cut_in", cut_out)
        return cut_out

    def _move_other_cut(self, attr: str, value: int) -> None:
        """Move the other cut bound to ``value`` without re-running the coupling."""
        self._coupling_cuts = True
        try:
            setattr(self, attr, value)
        finally:
            del self._coupling_cuts

    @property
    def cut_duration(self) -> int:
        """Number of frames from cut_in to cut_out, both included."""
        # both always hold a frame (default 1); NULL only in a foreign row
        return cast(int, self.cut_out) - cast(int, self.cut_in) + 1

    @cut_duration.setter
    def cut_duration(self, duration: Any) -> None:
        duration = _check_frame(self, "cut_duration", duration)
        if duration < 1:
            raise value_error(self, "cut_duration", "an int >= 1", duration)
        self.cut_out = self.cut_in + duration - 1

    @validates("source_in")
    def _validate_source_in(self, key: str, source_in: Any) -> int:
        source_in = _check_frame(self, key, source_in)
        self._check_within_cut(key, source_in)
        if self.source_out and source_in > self.source_out:
            raise value_error(
                self, key, f"<= source_out ({self.source_out})", source_in
            )
        return source_in

    @validates("source_out")
    def _validate_source_out(self, key: str, source_out: Any) -> int:
        source_out = _check_frame(self, key, source_out)
        self._check_within_cut(key, source_out)
        if self.source_in and source_out < self.source_in:
            raise value_error(self, key, f">= source_in ({self.source_in})", source_out)
        return source_out

    def _check_within_cut(self, key: str, frame: int) -> None:
        if not cast(int, self.cut_in) <= frame <= cast(int, self.cut_out):
            raise value_error(
                self,
                key,
                f"between cut_in ({self.cut_in}) and cut_out ({self.cut_out})",
                frame,
            )

    # --- fps and image format (fall back to the project's) ----------------

    def _get_fps(self) -> float | None:
        if self._fps is not None:
            return self._fps
        project = self.project
        return project.fps if project is not None else None

    def _set_fps(self, fps: Any) -> None:
        if fps is not None:
            fps = float(check_number(self, "fps", fps, above=0))
        self._fps = fps

    fps = synonym("_fps", descriptor=property(_get_fps, _set_fps))

    def _get_image_format(self) -> ImageFormat | None:
        if self._image_format is not None:
            return self._image_format
        project = self.project
        return project.image_format if project is not None else None

    def _set_image_format(self, image_format: Any) -> None:
        self._image_format = check_instance(
            self, "image_format", image_format, ImageFormat, allow_none=True
        )

    image_format = synonym(
        "_image_format", descriptor=property(_get_image_format, _set_image_format)
    )

    # --- identity -----------------------------------------------------------

    def __repr__(self) -> str:
        return f"<{self.entity_type} ({self.name}, {self.code})>"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Shot)
            and self.code == other.code
            and self.project == other.project
        )

    __hash__ = SimpleEntity.__hash__
