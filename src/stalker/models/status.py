"""Status and StatusList, and the cached lookup of a class's default list."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ForeignKey, Integer, event, select
from sqlalchemy.exc import OperationalError, ProgrammingError, UnboundExecutionError
from sqlalchemy.ext.associationproxy import AssociationProxy
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from stalker.db.declarative import Base
from stalker.db.session import DBSession
from stalker.models.collections import unique_association_proxy
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.code import CodeMixin
from stalker.models.mixins.target_entity_type import TargetEntityTypeMixin
from stalker.models.validation import check_collection, check_instance


class Status(Entity, CodeMixin):
    """A named state such as ``Work In Progress`` (``WIP``), shared by lists."""

    __tablename__ = "Statuses"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Status"}

    status_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )

    def __init__(self, name: str | None = None, code: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        CodeMixin.__init__(self, code=code)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            lowered = other.lower()
            return self.name.lower() == lowered or self.code.lower() == lowered
        return super().__eq__(other) and isinstance(other, Status)

    __hash__ = SimpleEntity.__hash__


class StatusListStatus(Base):
    """One status at one position of a StatusList (keeps the list's order)."""

    __tablename__ = "StatusList_Statuses"

    status_list_id: Mapped[int] = mapped_column(
        ForeignKey("StatusLists.id", ondelete="CASCADE"), primary_key=True
    )
    status_id: Mapped[int] = mapped_column(
        ForeignKey("Statuses.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[Status] = relationship(lazy="joined", innerjoin=True)

    def __init__(self, status: Status) -> None:
        self.status = status

    @validates("status")
    def _validate_status(self, key: str, status: Any) -> Status:
        return check_instance(StatusList, "statuses", status, Status)


class StatusList(Entity, TargetEntityTypeMixin):
    """The ordered statuses a class may take; ``sl['wip']`` finds one by code."""

    __tablename__ = "StatusLists"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "StatusList"}

    status_list_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    _status_links: Mapped[list[StatusListStatus]] = relationship(
        order_by=StatusListStatus.position,
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
    )
    statuses: AssociationProxy[list[Status]] = unique_association_proxy(
        "_status_links", "status", creator=lambda status: StatusListStatus(status)
    )

    def __init__(
        self,
        statuses: Sequence[Status] | None = None,
        target_entity_type: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        TargetEntityTypeMixin.__init__(self, target_entity_type)
        if statuses is not None:
            self.statuses = check_collection(self, "statuses", statuses)

    def __eq__(self, other: object) -> bool:
        return (
            super().__eq__(other)
            and isinstance(other, StatusList)
            and self.statuses == other.statuses
            and self.target_entity_type == other.target_entity_type
        )

    __hash__ = SimpleEntity.__hash__

    def __getitem__(self, key: int | slice | str) -> Any:
        if isinstance(key, str):
            statuses = [link.status for link in self._status_links]
            for status in statuses:  # the common case: an exact code
                if status.code == key:
                    return status
            lowered = key.lower()
            found = None
            for status in statuses:
                if status.code.lower() == lowered or status.name.lower() == lowered:
                    found = status
            return found
        return self.statuses[key]

    def __setitem__(self, key: int | slice, value: Any) -> None:
        self.statuses[key] = value

    def __delitem__(self, key: int | slice) -> None:
        del self.statuses[key]

    def __len__(self) -> int:
        return len(self.statuses)

    def __iter__(self) -> Iterator[Status]:
        return iter(self.statuses)

    def __contains__(self, item: object) -> bool:
        return any(status == item for status in self.statuses)


# -- default StatusList per class -------------------------------------------
# Maps a class name to the id of its default list (or None: no list). Cleared
# whenever status lists are created or deleted, on rollback and on db.setup().
_default_list_ids: dict[str, int | None] = {}


def clear_status_list_cache() -> None:
    """Forget the cached default status lists (they will be looked up again)."""
    _default_list_ids.clear()


def _lookup_default_list_id(session: Session, target: str) -> int | None:
    """The id of the oldest StatusList targeting ``target`` (D1), without autoflush."""
    with session.no_autoflush:
        return session.scalar(
            select(StatusList.status_list_id)
            .where(StatusList._target_entity_type == target)
            .order_by(StatusList.status_list_id)
            .limit(1)
        )


def default_status_list(targets: Sequence[str]) -> StatusList | None:
    """The default StatusList for the first of ``targets`` that has one.

    ``targets`` lists a class name then its parents' names; a Shot falls back
    to the Task list only when no list targets Shot itself.
    """
    session = DBSession()
    with session.no_autoflush:  # the caller is often a half-built object
        for target in targets:
            try:
                list_id = _default_list_ids[target]
            except KeyError:
                try:
                    list_id = _lookup_default_list_id(session, target)
                except (UnboundExecutionError, OperationalError, ProgrammingError):
                    return None  # no database to look in: the caller must pass one
                _default_list_ids[target] = list_id
            if list_id is not None:
                status_list = session.get(StatusList, list_id)
                if status_list is not None:
                    return status_list
                _default_list_ids.pop(target, None)
    return None


@event.listens_for(Session, "pending_to_persistent")
@event.listens_for(Session, "persistent_to_deleted")
def _forget_lists_on_change(session: Session, instance: object) -> None:
    # Per object, so flushes that bypass the unit of work (db.bulk_flush) count too.
    if isinstance(instance, StatusList):
        clear_status_list_cache()


@event.listens_for(Session, "after_rollback")
def _forget_lists_on_rollback(session: Session) -> None:
    clear_status_list_cache()


@event.listens_for(Session, "after_soft_rollback")
def _forget_lists_on_soft_rollback(session: Session, previous_transaction: Any) -> None:
    clear_status_list_cache()
