"""DAGMixin: a parent/children tree over one class."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import (
    Mapped,
    backref,
    declared_attr,
    mapped_column,
    relationship,
    validates,
)

from stalker.db.session import no_autoflush
from stalker.models.validation import check_instance, type_error
from stalker.utils import check_circular_dependency, walk_hierarchy


class DAGMixin:
    """Adds ``parent``, ``children`` and the tree queries built on them.

    The mixed class names its primary-key attribute in ``__id_column__``.
    ``parent`` is written with a post-update so that a whole tree of new
    rows is inserted in batches before the parent links are filled in.
    """

    __id_column__ = "id"
    __dag_cascade__ = "all, delete"

    @declared_attr
    def parent_id(cls) -> Mapped[int | None]:
        return mapped_column(
            ForeignKey(f"{cls.__tablename__}.id"),  # type: ignore[attr-defined]
            index=True,
        )

    @declared_attr
    def parent(cls) -> Mapped[Any]:
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
        for klass in type(self).__mro__:
            if DAGMixin in klass.__bases__:
                return klass
        return type(self)

    @validates("parent")
    def _validate_parent(self, key: str, parent: Any) -> Any:
        if parent is not None:
            self._check_parent(parent)
            # Load the new parent's children now: the back-reference append
            # that follows must not be the event that loads the collection.
            with no_autoflush(parent):
                parent.children  # noqa: B018
        return parent

    def _check_parent(self, parent: Any) -> None:
        """Type and cycle checks for a new parent (subclasses add their own)."""
        check_instance(self, "parent", parent, self._dag_class(), allow_none=True)
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
        """True when the object has at least one child."""
        with no_autoflush(self):
            return bool(self.children)  # type: ignore[attr-defined]

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
