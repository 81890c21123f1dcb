"""StatusMixin: a status drawn from the class's StatusList."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship, validates

from stalker.db.session import no_autoflush
from stalker.models.validation import check_instance, type_error, value_error

if TYPE_CHECKING:
    from stalker.models.status import Status, StatusList


@functools.cache
def _mapped_lineage(cls: type) -> tuple[str, ...]:
    """Names of ``cls`` and its mapped parents, computed once per class."""
    from stalker.db.declarative import Base

    return tuple(
        klass.__name__
        for klass in cls.__mro__
        if isinstance(klass, type) and issubclass(klass, Base) and klass is not Base
    )


class StatusMixin:
    """Adds ``status`` and ``status_list``; the list defaults to the class's own.

    The default list is found through a per-class cache (see
    ``stalker.models.status.default_status_list``) so building thousands of
    objects does not query the database once per object.
    """

    @declared_attr
    def status_id(cls: Any) -> Mapped[int]:
        return mapped_column(ForeignKey("Statuses.id"), nullable=False, index=True)

    @declared_attr
    def status_list_id(cls: Any) -> Mapped[int]:
        return mapped_column(ForeignKey("StatusLists.id"), nullable=False, index=True)

    @declared_attr
    def status(cls: Any) -> Mapped[Status]:
        return relationship(primaryjoin=f"{cls.__name__}.status_id == Status.status_id")

    @declared_attr
    def status_list(cls: Any) -> Mapped[StatusList]:
        return relationship(
            primaryjoin=f"{cls.__name__}.status_list_id == StatusList.status_list_id"
        )

    def __init__(
        self,
        status: Status | int | None = None,
        status_list: StatusList | None = None,
        **kwargs: Any,
    ) -> None:
        self.status_list = status_list  # type: ignore[assignment]
        self.status = status  # type: ignore[assignment]

    @classmethod
    def _status_list_targets(cls) -> tuple[str, ...]:
        """Class names (own first, then mapped parents) a status list may target."""
        return _mapped_lineage(cast(type, cls))  # a class is hashable

    @validates("status_list")
    def _validate_status_list(self, key: str, status_list: Any) -> StatusList:
        from stalker.models.status import StatusList, default_status_list

        targets = self._status_list_targets()
        if status_list is None:
            status_list = default_status_list(targets)
            if status_list is None:
                raise type_error(
                    self,
                    key,
                    f"a StatusList (none in the database targets {targets[0]!r}; "
                    "create one or pass status_list)",
                    None,
                )
        check_instance(self, key, status_list, StatusList)
        if status_list.target_entity_type not in targets:
            raise type_error(
                self,
                key,
                f"a StatusList targeting one of {list(targets)}",
                status_list,
            )
        return status_list

    @validates("status")
    def _validate_status(self, key: str, status: Any) -> Status:
        from stalker.models.status import Status

        status_list = self.status_list
        statuses: list[Status] = []
        if status_list is not None:
            # The links behind ``status_list.statuses``, read without building
            # the list proxy: every new object of the class passes here.
            with no_autoflush(status_list):
                statuses = [link.status for link in status_list._status_links]
        if status is None:
            if not statuses:
                raise value_error(
                    self, key, "a Status, but the status list is empty", status
                )
            return statuses[0]
        if isinstance(status, bool) or not isinstance(status, (Status, int)):
            raise type_error(self, key, "a Status or an int index", status)
        if isinstance(status, int):
            if not 0 <= status < len(statuses):
                raise value_error(
                    self,
                    key,
                    f"an index between 0 and {len(statuses) - 1}",
                    status,
                )
            return statuses[status]
        if all(member is not status for member in statuses) and status not in statuses:
            raise value_error(
                self,
                key,
                f"one of the statuses of {self.status_list.name!r}",
                status,
            )
        return status
