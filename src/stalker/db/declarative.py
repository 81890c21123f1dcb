"""The declarative base of every Stalker class and its ``query`` property."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import Column, ForeignKey, Integer, Table, inspect
from sqlalchemy.ext.associationproxy import AssociationProxyExtensionType
from sqlalchemy.orm import DeclarativeBase, MappedColumn, Mapper, Query
from sqlalchemy.util import HasMemoized

from stalker.db import guards
from stalker.db.session import DBSession
from stalker.models.validation import check_collection, check_items
from stalker.utils import make_plural

_list_attributes_of: dict[type, frozenset[str]] = {}
_item_classes_of: dict[type, dict[str, type]] = {}
_classes_by_name: dict[str, type] = {}


def _list_attributes(cls: type) -> frozenset[str]:
    """Names of the class's list relationships (computed once per class)."""
    try:
        return _list_attributes_of[cls]
    except KeyError:
        mapper: Any = inspect(cls)
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


def _item_classes(cls: type) -> dict[str, type]:
    """The class of the items of each association-proxy list attribute."""
    try:
        return _item_classes_of[cls]
    except KeyError:
        mapper: Any = inspect(cls)
        classes: dict[str, type] = {}
        relationships = {rel.key for rel in mapper.relationships}
        # plain relationships check every item before replacing (their
        # validators see the whole new list first); proxies clear first
        for key in _list_attributes(cls) - relationships:
            proxy = getattr(cls, key)
            target = inspect(proxy.target_class, raiseerr=False)
            value_rel = target.relationships.get(proxy.value_attr) if target else None
            if value_rel is not None:
                classes[key] = value_rel.mapper.class_
        _item_classes_of[cls] = classes
        return classes


def _join_on_parent_key(cls: type) -> None:
    """Join a deep subclass's table to its parent table's key, and only that.

    ``Shots.id = Tasks.id``, one condition per level, as the foreign keys
    say: the database plans every inheritance join by primary keys (a second
    condition on the root key, ``Shots.id = SimpleEntities.id``, made the
    planners start from the wrong table, issue 20). Reading a few expired
    columns, SQLAlchemy joins only the tables holding them by these
    conditions, so each one must link its table to the next one up. The
    equality with the root key, which a many-to-one needs to be served from
    the identity map, comes from :class:`StalkerMapper` instead.
    """
    parent = next(
        (base for base in cls.__mro__[1:] if "__mapper__" in vars(base)), None
    )
    if parent is None or "__tablename__" not in vars(cls):
        return
    parent_mapper: Mapper[Any] = inspect(parent)
    root_table = cast(Table, parent_mapper.base_mapper.local_table)
    parent_table = cast(Table, parent_mapper.local_table)
    if parent_table is root_table:
        return  # the default join already names the root key
    for value in vars(cls).values():
        column = value.column if isinstance(value, MappedColumn) else None
        if column is not None and column.primary_key and column.foreign_keys:
            (parent_key,) = parent_table.primary_key.columns
            mapper_args = dict(vars(cls).get("__mapper_args__", {}))
            mapper_args.setdefault("inherit_condition", column == parent_key)
            # the key is copied from the parent row (never another column)
            mapper_args.setdefault("inherit_foreign_keys", [column])
            cls.__mapper_args__ = mapper_args  # type: ignore[attr-defined]
            return


class StalkerMapper(Mapper[Any]):
    """A mapper that knows every table key of a hierarchy equals the root key.

    SQLAlchemy serves a many-to-one from the identity map (no SELECT) only
    when the relationship's column is known equal to the target's mapper key,
    the root table's ``id``. It learns the equalities from the inheritance
    conditions, one level at a time (``Tasks.id = Entities.id``,
    ``Entities.id = SimpleEntities.id``), and does not chain them, so
    ``task.status`` (``Statuses.id``) or ``version.task.parent``
    (``Tasks.id``) would emit a query for an object the session already
    holds. Equality is transitive: every column gets all the columns its
    chain of conditions makes it equal to.
    """

    @HasMemoized.memoized_attribute
    def _equivalent_columns(self) -> dict[Any, set[Any]]:
        direct: dict[Any, set[Any]] = super()._equivalent_columns
        closed: dict[Any, set[Any]] = {}
        for column in direct:
            reached = {column}
            pending = [column]
            while pending:
                for other in direct.get(pending.pop(), ()):
                    if other not in reached:
                        reached.add(other)
                        pending.append(other)
            closed[column] = reached - {column}
        return closed


_Model = TypeVar("_Model")


class _QueryProperty:
    """``Class.query``: a query of that class through ``DBSession``.

    A descriptor typed by the class it is read from, so a type checker knows
    ``Task.query.first()`` is a ``Task | None``.
    """

    def __init__(self) -> None:
        self._query_property = DBSession.query_property()

    def __get__(self, instance: object, owner: type[_Model]) -> Query[_Model]:
        return self._query_property.__get__(instance, owner)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    """Root of the object model; ``Class.query`` queries through ``DBSession``."""

    query = _QueryProperty()
    __mapper_cls__ = StalkerMapper

    def __init_subclass__(cls, **kwargs: Any) -> None:
        _join_on_parent_key(cls)
        super().__init_subclass__(**kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        # SQLAlchemy answers ``tasks = None`` with its own wording; ours names
        # the class and attribute like every other validation error.
        if not name.startswith("_") and name in _list_attributes(type(self)):
            value = check_collection(self, name, value)
            item_class = _item_classes(type(self)).get(name)
            if item_class is not None:  # refuse before the old links go
                check_items(self, name, value, item_class)
        super().__setattr__(name, value)

    @property
    def plural_class_name(self) -> str:
        """The plural of the class name, e.g. ``Statuses`` for a Status."""
        return make_plural(type(self).__name__)


guards.install(Base)


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


def link_table(
    name: str,
    owner: tuple[str, str],
    linked: tuple[str, str],
    ondelete: str | None = None,
) -> Table:
    """A many-to-many link table: two id columns that together are the key.

    ``owner`` and ``linked`` are ``(column name, "Table.id")``. The key's
    index serves lookups by owner; the linked column gets its own index for
    the reverse side. Asking again for an existing name returns that table
    (mixins ask once per class they are applied to).
    """
    existing = Base.metadata.tables.get(name)
    if existing is not None:
        return existing
    (owner_column, owner_target), (linked_column, linked_target) = owner, linked
    return Table(
        name,
        Base.metadata,
        Column(
            owner_column,
            Integer,
            ForeignKey(owner_target, ondelete=ondelete),
            primary_key=True,
        ),
        Column(
            linked_column,
            Integer,
            ForeignKey(linked_target, ondelete=ondelete),
            primary_key=True,
            index=True,
        ),
    )
