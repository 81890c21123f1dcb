"""Set-like collections for membership relations (decision D2).

A studio TD writes ``department.users.append(me)`` and later
``me.departments.append(department)``; both must leave one membership, not
two link rows that break the commit. Every membership collection of the
object model therefore ignores a member it already holds (by identity), from
either side, and keeps first-insertion order.

* :class:`UniqueList` is the ``collection_class`` of plain many-to-many
  relationships (``Group.users``/``User.groups``, ``Entity.tags``, ...).
* :func:`unique_association_proxy` builds the list attributes that create
  association objects (``Department.users`` creates ``DepartmentUser``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.associationproxy import (
    AssociationProxy,
    _AssociationList,  # the list proxy SQLAlchemy documents for proxy_factory
    association_proxy,
)
from sqlalchemy.orm.collections import collection, collection_adapter

from stalker.models.validation import check_collection, check_items


def _holds(items: list[Any], item: Any) -> bool:
    return any(existing is item for existing in items)


class UniqueList(list):  # type: ignore[type-arg]
    """A relationship list that silently skips an item it already holds."""

    @collection.appender
    @collection.internally_instrumented
    def append(self, item: Any, _sa_initiator: Any = None) -> None:
        if _holds(self, item):
            return
        if _sa_initiator is not False:
            adapter = collection_adapter(self)
            if adapter is not None:
                item = adapter.fire_append_event(item, _sa_initiator)
        super().append(item)

    @collection.internally_instrumented
    def insert(self, index: int, item: Any) -> None:
        if _holds(self, item):
            return
        adapter = collection_adapter(self)
        if adapter is not None:
            item = adapter.fire_append_event(item, None)
        super().insert(index, item)


class _UniqueAssociationList(_AssociationList):  # type: ignore[type-arg]
    """An association-object list proxy that skips a member it already holds."""

    def append(self, value: Any) -> None:
        if not _holds(list(self), value):
            super().append(value)

    def insert(self, index: int, value: Any) -> None:
        if not _holds(list(self), value):
            super().insert(index, value)

    def _bulk_replace(self, assoc_proxy: Any, values: Any) -> None:
        """``owner.members = values``, checked in full before anything changes.

        Members that stay keep their association objects (and roles): clearing
        first and creating new ones would give a member listed again a second
        association object, a duplicate row at commit.  A dropped association
        object also leaves the member's side, so that list never shows a
        ``None`` until the next flush.
        """
        lazy: Any = self.lazy_collection  # SQLAlchemy's _lazy_collection
        owner = lazy.parent
        members = _checked_members(owner, assoc_proxy, values)
        current = list(self.col)
        kept: list[Any] = []
        for member in members:
            if any(self._get(association) is member for association in kept):
                continue
            existing = next(
                (item for item in current if self._get(item) is member), None
            )
            kept.append(existing if existing is not None else self._create(member))
        setattr(owner, lazy.target, kept)
        for association in current:
            if not any(association is item for item in kept):
                self.setter(association, None)
        reorder = getattr(self.col, "reorder", None)
        if reorder is not None:  # an ordering_list renumbers the kept ones too
            reorder()


def _checked_members(owner: Any, assoc_proxy: Any, values: Any) -> list[Any]:
    """``values`` as a list, each an instance of the class the proxy lists."""
    attr = _proxy_name(type(owner), assoc_proxy.parent)
    members = check_collection(owner, attr, values)
    relationship = inspect(assoc_proxy.target_class).relationships[
        assoc_proxy.value_attr
    ]
    return check_items(owner, attr, members, relationship.mapper.class_)


def _proxy_name(owner_class: type, proxy: Any) -> str:
    for klass in owner_class.__mro__:
        for name, value in vars(klass).items():
            if value is proxy:
                return name
    return str(proxy.target_collection)


def _unique_list_factory(
    lazy_collection: Any, creator: Any, value_attr: str, parent: Any
) -> _UniqueAssociationList:
    def getter(instance: Any) -> Any:
        return getattr(instance, value_attr)

    def setter(association: Any, value: Any) -> None:
        setattr(association, value_attr, value)

    return _UniqueAssociationList(lazy_collection, creator, getter, setter, parent)


def unique_association_proxy(
    target_collection: str, attr: str, creator: Callable[[Any], Any]
) -> AssociationProxy[Any]:
    """A list of ``attr`` values over ``target_collection`` association objects.

    Appending a value the list already shows is a no-op, so mirrored
    memberships (``dep.users`` / ``user.departments``) never get a second
    association object.
    """
    return association_proxy(
        target_collection,
        attr,
        creator=creator,
        proxy_factory=_unique_list_factory,
    )


def init_collection(owner: Any, attr: str, value: Any) -> None:
    """Constructor helper: assign a collection unless it is None or empty.

    A new object's collections start empty anyway; assigning ``[]`` would
    still fire replace events and mark the attribute changed, a cost paid by
    every object of a bulk creation.  Anything else is assigned (and so
    validated) as usual.
    """
    if value is None or (isinstance(value, list) and not value):
        return
    setattr(owner, attr, value)
