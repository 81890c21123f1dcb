"""Message: the stored placeholder of user-to-user messaging."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from stalker.models.entity import Entity
from stalker.models.mixins.status import StatusMixin


class Message(Entity, StatusMixin):
    """A statusable entity; sender, recipients and body are not modelled yet.

    Its status list must target ``Message`` (``db.init()`` creates none, so
    pass one or create it first).
    """

    __tablename__ = "Messages"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "Message"}

    message_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        StatusMixin.__init__(
            self, status=kwargs.get("status"), status_list=kwargs.get("status_list")
        )
