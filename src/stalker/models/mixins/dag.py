"""DAGMixin: a parent/children tree over one class."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ForeignKey
from sqlalchemy.orm import (
    Mapped,
    backref,
    declared_attr,
    mapped_column,
    relationship,
    validates,
)
from sqlalchemy.orm.attributes import instance_state

from stalker.db.session import no_autoflush
from stalker.models.validation import check_instance, type_error
from stalker.utils import check_circular_dependency, walk_hierarchy


def never_stored_without(obj: Any, *collections: str) -> bool:
    """True when ``obj`` was never flushed and none of ``collections`` holds an item.

    An object without a database identity has no row to lazy-load from: its
    ``__dict__`` is the whole truth about its lists (SQLAlchemy answers an
    unloaded list of such an object with an empty one).  A walk from it
    through those lists therefore reaches nothing but the object itself,
    which lets brand-new objects skip cycle walks that cannot find anything.
    """
    if instance_state(obj).key is not None:
        return False
    found = obj.__dict__
    return not any(found.get(name) for name in collections)


@functools.cache
def _dag_root(cls: type) -> type:
    """The class that mixes DAGMixin in directly (its tree's member class)."""
    for klass in cls.__mro__:
        if DAGMixin in klass.__bases__:
            return klass
    return cls


class DAGMixin:
    """Adds ``parent``, ``children`` and the tree queries built on them.

    The mixed class names its primary-key attribute in ``__id_column__``.
    ``parent`` is written with a post-update so that a whole tree of new
    rows is inserted in batches before the parent links are filled in.
    """

    __id_column__ = "id"
    __dag_cascade__ = "all, delete"

    if TYPE_CHECKING:  # the back-reference of ``parent``
        children: Mapped[list[Any]]

    @declared_attr
    def parent_id(cls: Any) -> Mapped[int | None]:
        return mapped_column(
            ForeignKey(f"{cls.__tablename__}.id"),  # type: ignore[attr-defined]
            index=True,
        )

    @declared_attr
    def parent(cls: Any) -> Mapped[Any]:
        id_attr = f"{cls.__name__}.{cls.__id_column__}"
        return relationship(
            cls.__name__,
            remote_side=id_attr,
            primaryjoin=f"{cls.__name__}.parent_id == {id_attr}",
            post_update=True,
            backref=backref(
                "children",
                cascade=cls.__dag_cascade__,
                order_by=id_attr,
            ),
        )

    def __init__(self, parent: Any = None, **kwargs: Any) -> None:
        self.parent = parent

    def _dag_class(self) -> type:
        """The class whose instances may be parents and children of this one."""
        return _dag_root(cast(type, type(self)))  # a class is hashable

    @validates("parent")
    def _validate_parent(self, key: str, parent: Any) -> Any:
        if parent is not None:
            self._check_parent(parent)
            # Load the new parent's children now: the back-reference append
            # that follows must not be the event that loads the collection.
            if "children" not in parent.__dict__:
                with no_autoflush(parent):
                    parent.children  # noqa: B018
        return parent

    def _check_parent(self, parent: Any) -> None:
        """Type and cycle checks for a new parent (subclasses add their own).

        A never-stored object without children is nobody's ancestor: only
        itself can close the cycle, and the walk is skipped.
        """
        check_instance(self, "parent", parent, self._dag_class(), allow_none=True)
        if parent is self or not never_stored_without(self, "children"):
            check_circular_dependency(self, parent, "children")

    @validates("children")
    def _validate_child(self, key: str, child: Any) -> Any:
        if not isinstance(child, self._dag_class()):
            raise type_error(
                self, key, f"a list of {self._dag_class().__name__} instances", child
            )
        return child

    @property
    def is_root(self) -> bool:
        """True when the object has no parent."""
        return not self.parent

    @property
    def is_container(self) -> bool:
        """True when the object has at least one child.

        The list is read from ``__dict__`` when it is loaded and known empty
        for a never-stored object, so the question costs no attribute event.
        """
        children = self.__dict__.get("children")
        if children is None:
            if instance_state(self).key is None:
                return False
            with no_autoflush(self):
                children = self.children  # type: ignore[attr-defined]
        return bool(children)

    @property
    def is_leaf(self) -> bool:
        """True when the object has no children."""
        return not self.is_container

    @property
    def parents(self) -> list[Any]:
        """The ancestors, root first and the direct parent last."""
        ancestors = []
        node = self.parent
        while node is not None:
            ancestors.append(node)
            node = node.parent
        ancestors.reverse()
        return ancestors

    def walk_hierarchy(self, method: int = 0) -> Iterator[Any]:
        """Self, then every descendant (depth-first by default)."""
        return walk_hierarchy(self, "children", method)
