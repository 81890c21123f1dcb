"""WorkingHoursMixin: attaches a weekly WorkingHours pattern to a class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates

from stalker.db.declarative import mapped_class
from stalker.models.validation import check_instance

if TYPE_CHECKING:
    from stalker.models.studio import WorkingHours


class WorkingHoursMixin:
    """Adds ``working_hours``; None always means a new default WorkingHours."""

    @declared_attr
    def working_hours_id(cls: Any) -> Mapped[int | None]:
        return mapped_column(ForeignKey("WorkingHours.id"), index=True)

    @declared_attr
    def working_hours(cls: Any) -> Mapped[WorkingHours]:
        # The class also reaches WorkingHours through Entities.id, so the
        # join has to be spelled out.
        return relationship(
            "WorkingHours",
            primaryjoin=(
                f"{cls.__name__}.working_hours_id == WorkingHours.working_hours_id"
            ),
            foreign_keys=f"{cls.__name__}.working_hours_id",
        )

    def __init__(self, working_hours: WorkingHours | None = None, **kwargs: Any):
        self.working_hours = working_hours  # type: ignore[assignment]

    @validates("working_hours")
    def _validate_working_hours(self, key: str, working_hours: Any) -> WorkingHours:
        if working_hours is None:
            working_hours = mapped_class("WorkingHours")()
        return check_instance(self, key, working_hours, "WorkingHours")
