"""UnitMixin: the free-text unit (``"$"``, ``"TL"``, ``"h"``) of an amount or price."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, validates

from stalker.models.validation import check_str

#: Length of the ``unit`` column; longer text could not be stored.
UNIT_MAX_LENGTH = 64


class UnitMixin:
    """Adds ``unit``; None means no unit (``''``)."""

    unit: Mapped[str] = mapped_column(String(UNIT_MAX_LENGTH), default="")

    def __init__(self, unit: str | None = "", **kwargs: Any) -> None:
        self.unit = unit  # type: ignore[assignment]

    @validates("unit")
    def _validate_unit(self, key: str, unit: Any) -> str:
        return check_str(self, key, unit, none_as="", max_length=UNIT_MAX_LENGTH)
