"""ReferenceMixin: a list of reference Links (images, movies, web pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Mapped, declared_attr, relationship, validates

from stalker.models.collections import UniqueList, init_collection
from stalker.models.mixins.secondary import create_secondary_table
from stalker.models.validation import check_instance

if TYPE_CHECKING:
    from stalker.models.link import Link


class ReferenceMixin:
    """Adds ``references`` through a ``<ClassName>_References`` link table.

    There is no back-reference on Link: a Link may be referenced by many
    kinds of objects and none of them owns it.
    """

    @declared_attr
    def references(cls: Any) -> Mapped[list[Link]]:
        table = create_secondary_table(
            cls.__name__,
            "Link",
            cls.__tablename__,  # type: ignore[attr-defined]
            "Links",
            f"{cls.__name__}_References",
        )
        return relationship(
            secondary=table,
            collection_class=UniqueList,
            primaryjoin=f"{cls.__tablename__}.c.id == "  # type: ignore[attr-defined]
            f"{table.name}.c.{cls.__name__.lower()}_id",
            secondaryjoin=f"{table.name}.c.link_id == Links.c.id",
        )

    def __init__(self, references: list[Link] | None = None, **kwargs: Any) -> None:
        init_collection(self, "references", references)

    @validates("references")
    def _validate_reference(self, key: str, link: Any) -> Link:
        return check_instance(self, key, link, "Link")
