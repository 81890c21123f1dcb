"""Link: a file, image sequence, folder or web page outside the database."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from stalker.models.entity import Entity, SimpleEntity
from stalker.models.validation import check_str, type_error, value_error


def _forward_slashes(path: str) -> str:
    return path.replace("\\", "/")


class Link(Entity):
    """A path (``full_path``) plus the file's original name."""

    __tablename__ = "Links"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "Link"}

    link_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    full_path: Mapped[str] = mapped_column(Text, default="")
    original_filename: Mapped[str] = mapped_column(String(256), default="")

    def __init__(
        self,
        full_path: str | None = "",
        original_filename: str | None = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.full_path = full_path  # type: ignore[assignment]
        self.original_filename = original_filename  # type: ignore[assignment]

    @validates("full_path")
    def _validate_full_path(self, key: str, full_path: Any) -> str:
        return _forward_slashes(check_str(self, key, full_path, none_as=""))

    @validates("original_filename")
    def _validate_original_filename(self, key: str, filename: Any) -> str:
        if filename is None or filename == "":
            filename = os.path.basename(self.full_path or "")
        return check_str(self, key, filename)

    @property
    def path(self) -> str:
        """The folder part of ``full_path``."""
        return os.path.split(self.full_path)[0]

    @path.setter
    def path(self, path: Any) -> None:
        if path is None or not isinstance(path, str):
            raise type_error(self, "path", "a str", path)
        if path == "":
            raise value_error(self, "path", "a non-empty str", path)
        self.full_path = _forward_slashes(os.path.join(path, self.filename))

    @property
    def filename(self) -> str:
        """The last component of ``full_path``, extension included."""
        return os.path.split(self.full_path)[1]

    @filename.setter
    def filename(self, filename: Any) -> None:
        filename = check_str(self, "filename", filename, none_as="")
        self.full_path = _forward_slashes(os.path.join(self.path, filename))

    @property
    def extension(self) -> str:
        """The extension of ``full_path`` with its dot, or ``''``."""
        return os.path.splitext(self.full_path)[1]

    @extension.setter
    def extension(self, extension: Any) -> None:
        extension = check_str(self, "extension", extension, none_as="")
        if extension and not extension.startswith("."):
            extension = f".{extension}"
        self.filename = os.path.splitext(self.filename)[0] + extension

    @property
    def absolute_full_path(self) -> str:
        """``full_path`` with environment variables expanded and normalised."""
        return _forward_slashes(os.path.normpath(os.path.expandvars(self.full_path)))

    @property
    def absolute_path(self) -> str:
        """The folder part of :attr:`absolute_full_path`."""
        return os.path.split(self.absolute_full_path)[0]

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, Link)
            and self.full_path == other.full_path
            and self.type == other.type
        )

    __hash__ = SimpleEntity.__hash__
