"""ImageFormat: a resolution preset for projects and shots."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, validates

from stalker.models.entity import Entity, SimpleEntity
from stalker.models.validation import check_number


class ImageFormat(Entity):
    """Width, height and pixel aspect of the images a project delivers."""

    __tablename__ = "ImageFormats"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "ImageFormat"}

    image_format_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    pixel_aspect: Mapped[float] = mapped_column(Float, default=1.0)
    print_resolution: Mapped[float] = mapped_column(Float, default=300.0)

    def __init__(
        self,
        width: int | float | None = None,
        height: int | float | None = None,
        pixel_aspect: int | float = 1.0,
        print_resolution: int | float = 300,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.width = width  # type: ignore[assignment]
        self.height = height  # type: ignore[assignment]
        self.pixel_aspect = pixel_aspect  # type: ignore[assignment]
        self.print_resolution = print_resolution  # type: ignore[assignment]

    @validates("width", "height")
    def _validate_size(self, key: str, value: Any) -> int:
        return int(check_number(self, key, value, above=0))

    @validates("pixel_aspect", "print_resolution")
    def _validate_ratio(self, key: str, value: Any) -> float:
        return float(check_number(self, key, value, above=0))

    @property
    def device_aspect(self) -> float:
        """Display aspect ratio: ``width / height * pixel_aspect``."""
        return self.width / self.height * self.pixel_aspect

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, ImageFormat)
            and self.width == other.width
            and self.height == other.height
            and self.pixel_aspect == other.pixel_aspect
        )

    __hash__ = SimpleEntity.__hash__
