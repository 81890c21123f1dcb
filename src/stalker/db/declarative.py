"""The declarative base of every Stalker class and its ``query`` property."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import inspect
from sqlalchemy.ext.associationproxy import AssociationProxyExtensionType
from sqlalchemy.orm import DeclarativeBase, Query

from stalker.db.session import DBSession
from stalker.models.validation import check_collection
from stalker.utils import make_plural

_list_attributes_of: dict[type, frozenset[str]] = {}
_classes_by_name: dict[str, type] = {}


def _list_attributes(cls: type) -> frozenset[str]:
    """Names of the class's list relationships (computed once per class)."""
    try:
        return _list_attributes_of[cls]
    except KeyError:
        mapper = inspect(cls)
        names = {rel.key for rel in mapper.relationships if rel.uselist}
        for key, descriptor in mapper.all_orm_descriptors.items():
            is_proxy = (
                descriptor.extension_type
                is AssociationProxyExtensionType.ASSOCIATION_PROXY
            )
            if is_proxy and not descriptor.for_class(cls).scalar:
                names.add(key)
        _list_attributes_of[cls] = frozenset(names)
        return _list_attributes_of[cls]


class Base(DeclarativeBase):
    """Root of the object model; ``Class.query`` queries through ``DBSession``."""

    query: ClassVar[Query[Any]] = DBSession.query_property()

    def __setattr__(self, name: str, value: Any) -> None:
        # SQLAlchemy answers ``tasks = None`` with its own wording; ours names
        # the class and attribute like every other validation error.
        if not name.startswith("_") and name in _list_attributes(type(self)):
            value = check_collection(self, name, value)
        super().__setattr__(name, value)

    @property
    def plural_class_name(self) -> str:
        """The plural of the class name, e.g. ``Statuses`` for a Status."""
        return make_plural(type(self).__name__)


def mapped_class(name: str) -> type:
    """Return the mapped class called ``name`` (lookups by name avoid import cycles)."""
    try:
        return _classes_by_name[name]
    except KeyError:
        _classes_by_name.update(
            {mapper.class_.__name__: mapper.class_ for mapper in Base.registry.mappers}
        )
    try:
        return _classes_by_name[name]
    except KeyError:
        raise LookupError(f"no Stalker class is called {name!r}") from None
