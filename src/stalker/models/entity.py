"""SimpleEntity, Entity and EntityGroup: the roots of the object model."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship, validates

import stalker
from stalker.db.declarative import Base, link_table
from stalker.db.types import GenericDateTime
from stalker.models.collections import UniqueList, init_collection
from stalker.models.validation import (
    check_instance,
    check_str,
    type_error,
    value_error,
)

if TYPE_CHECKING:
    from stalker.models.auth import User
    from stalker.models.link import Link
    from stalker.models.note import Note
    from stalker.models.tag import Tag
    from stalker.models.type import Type

_WHITESPACE_RUN = re.compile(r"\s+")
_NOT_NICE = re.compile(r"[^a-zA-Z0-9\s_\-@]+")
_LEADING_NON_ALNUM = re.compile(r"^[^a-zA-Z0-9]+")
_SPACE_OR_DASH_RUN = re.compile(r"[ \-]+")
_UNDERSCORE_RUN = re.compile(r"_+")


def format_name(name: str) -> str:
    """Strip a name and collapse its whitespace runs to single spaces."""
    return _WHITESPACE_RUN.sub(" ", name.strip())


def make_nice_name(name: str) -> str:
    """File-system friendly form of a name, used by filename templates."""
    nice = _NOT_NICE.sub("", name.strip()).strip()
    nice = _LEADING_NON_ALNUM.sub("", nice)
    nice = _WHITESPACE_RUN.sub(" ", nice)
    nice = _SPACE_OR_DASH_RUN.sub("_", nice)
    return _UNDERSCORE_RUN.sub("_", nice)


def utc_now() -> datetime.datetime:
    """The current moment as an aware UTC datetime."""
    return datetime.datetime.now(datetime.timezone.utc)


SimpleEntity_GenericData = link_table(
    "SimpleEntity_GenericData",
    ("simple_entity_id", "SimpleEntities.id"),
    ("other_simple_entity_id", "SimpleEntities.id"),
)


class SimpleEntity(Base):
    """Name, description, audit fields and type shared by every Stalker object."""

    __tablename__ = "SimpleEntities"
    # SQLite: ids are never reused after the highest row is deleted (a new
    # record must not inherit anything keyed on an old id; issue 18)
    __table_args__: Any = {"sqlite_autoincrement": True}
    __auto_name__: bool = True
    __strictly_typed__: bool = False

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="")
    generic_text: Mapped[str] = mapped_column(Text, default="")
    entity_type: Mapped[str] = mapped_column(String(128), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("Users.id", use_alter=True, name="fk_SimpleEntities_created_by_id"),
        index=True,
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("Users.id", use_alter=True, name="fk_SimpleEntities_updated_by_id"),
        index=True,
    )
    date_created: Mapped[datetime.datetime] = mapped_column(GenericDateTime)
    date_updated: Mapped[datetime.datetime] = mapped_column(GenericDateTime)
    type_id: Mapped[int | None] = mapped_column(
        ForeignKey("Types.id", use_alter=True, name="fk_SimpleEntities_type_id"),
        index=True,
    )
    thumbnail_id: Mapped[int | None] = mapped_column(
        ForeignKey("Links.id", use_alter=True, name="fk_SimpleEntities_thumbnail_id"),
        index=True,
    )
    html_style: Mapped[str] = mapped_column(String(64), default="")
    html_class: Mapped[str] = mapped_column(String(64), default="")
    stalker_version: Mapped[str | None] = mapped_column(String(256))

    created_by: Mapped[User | None] = relationship(
        primaryjoin="SimpleEntity.created_by_id == User.user_id",
        post_update=True,
        back_populates="entities_created",
    )
    updated_by: Mapped[User | None] = relationship(
        primaryjoin="SimpleEntity.updated_by_id == User.user_id",
        post_update=True,
        back_populates="entities_updated",
    )
    type: Mapped[Type | None] = relationship(
        primaryjoin="SimpleEntity.type_id == Type.type_entity_id",
        post_update=True,
    )
    thumbnail: Mapped[Link | None] = relationship(
        primaryjoin="SimpleEntity.thumbnail_id == Link.link_id",
        post_update=True,
    )
    generic_data: Mapped[list[SimpleEntity]] = relationship(
        secondary=SimpleEntity_GenericData,
        collection_class=UniqueList,
        primaryjoin=(
            "SimpleEntities.c.id == SimpleEntity_GenericData.c.simple_entity_id"
        ),
        secondaryjoin=(
            "SimpleEntity_GenericData.c.other_simple_entity_id == SimpleEntities.c.id"
        ),
    )

    __mapper_args__ = {
        "polymorphic_on": "entity_type",
        "polymorphic_identity": "SimpleEntity",
    }

    def __init__(
        self,
        name: str | None = None,
        description: str | None = "",
        generic_text: str | None = "",
        type: Type | None = None,
        created_by: User | None = None,
        updated_by: User | None = None,
        date_created: datetime.datetime | None = None,
        date_updated: datetime.datetime | None = None,
        thumbnail: Link | None = None,
        html_style: str | None = "",
        html_class: str | None = "",
        **kwargs: Any,
    ) -> None:
        self.name = name  # type: ignore[assignment]
        self.description = description  # type: ignore[assignment]
        # None is the unset value: assigning it anyway would make every new
        # row pay for a post-update of these columns at flush.
        if created_by is not None:
            self.created_by = created_by
        if updated_by is not None or created_by is not None:
            self.updated_by = updated_by  # None means "the creator"
        if date_created is None:
            date_created = utc_now()
        if date_updated is None:
            date_updated = date_created
        self.date_created = date_created
        self.date_updated = date_updated
        if type is not None or self.__strictly_typed__:
            self.type = type
        if thumbnail is not None:
            self.thumbnail = thumbnail
        self.generic_text = generic_text  # type: ignore[assignment]
        self.html_style = html_style  # type: ignore[assignment]
        self.html_class = html_class  # type: ignore[assignment]
        self.stalker_version = stalker.__version__

    def __repr__(self) -> str:
        return f"<{self.name} ({self.entity_type})>"

    @property
    def __stalker_version__(self) -> str | None:
        """The library version that created this object (original API name)."""
        return self.stalker_version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SimpleEntity) and self.name == other.name

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.id) + 2 * hash(self.name) + 3 * hash(self.entity_type)

    @validates("name")
    def _validate_name(self, key: str, name: Any) -> str:
        if self.__auto_name__ and (name is None or name == ""):
            name = f"{type(self).__name__}_{uuid.uuid4()}"
        if name is None:
            raise type_error(self, key, "a str", name)
        name = format_name(check_str(self, key, name))
        if not name:
            raise value_error(self, key, "a non-empty str", name)
        return name

    @property
    def nice_name(self) -> str:
        """The name reduced to letters, digits, ``_``, ``-`` and ``@``."""
        return make_nice_name(self.name)

    @validates("description", "generic_text")
    def _validate_text(self, key: str, value: Any) -> str:
        return check_str(self, key, value, none_as="")

    @validates("html_style", "html_class")
    def _validate_html(self, key: str, value: Any) -> str:
        return check_str(self, key, value, none_as="", max_length=64)

    @validates("created_by")
    def _validate_created_by(self, key: str, user: Any) -> User | None:
        return check_instance(self, key, user, "User", allow_none=True)

    @validates("updated_by")
    def _validate_updated_by(self, key: str, user: Any) -> User | None:
        if user is None:
            user = self.created_by
        return check_instance(self, key, user, "User", allow_none=True)

    @validates("date_created")
    def _validate_date_created(self, key: str, value: Any) -> datetime.datetime:
        return _check_aware_datetime(self, key, value)

    @validates("date_updated")
    def _validate_date_updated(self, key: str, value: Any) -> datetime.datetime:
        value = _check_aware_datetime(self, key, value)
        date_created = self.date_created
        if date_created is not None and value < date_created:
            raise value_error(
                self, key, f"a datetime not before date_created ({date_created})", value
            )
        return value

    @validates("type")
    def _validate_type(self, key: str, type_: Any) -> Type | None:
        if type_ is None and self.__strictly_typed__:
            raise type_error(
                self,
                key,
                f"a Type instance ({type(self).__name__} is strictly typed)",
                type_,
            )
        return check_instance(self, key, type_, "Type", allow_none=True)

    @validates("thumbnail")
    def _validate_thumbnail(self, key: str, link: Any) -> Link | None:
        return check_instance(self, key, link, "Link", allow_none=True)

    @validates("generic_data")
    def _validate_generic_data(self, key: str, item: Any) -> SimpleEntity:
        return check_instance(self, key, item, SimpleEntity)

    @property
    def tjp_id(self) -> str:
        """The TaskJuggler identifier of this object, e.g. ``Task_42``."""
        return f"{type(self).__name__}_{self.id}"

    @property
    def to_tjp(self) -> str:
        """TaskJuggler text of this object; only schedulable classes define it."""
        raise NotImplementedError(
            f"{type(self).__name__} has no TaskJuggler representation"
        )


def _check_aware_datetime(owner: Any, key: str, value: Any) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise type_error(owner, key, "a timezone-aware datetime.datetime", value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise value_error(owner, key, "a timezone-aware datetime.datetime", value)
    return value


Entity_Tags = link_table(
    "Entity_Tags", ("entity_id", "Entities.id"), ("tag_id", "Tags.id")
)

Entity_Notes = link_table(
    "Entity_Notes", ("entity_id", "Entities.id"), ("note_id", "Notes.id")
)


class Entity(SimpleEntity):
    """A SimpleEntity that can carry tags and notes."""

    __tablename__ = "Entities"
    __mapper_args__ = {"polymorphic_identity": "Entity"}

    entity_id: Mapped[int] = mapped_column(
        "id", ForeignKey("SimpleEntities.id"), primary_key=True
    )
    tags: Mapped[list[Tag]] = relationship(
        secondary=Entity_Tags, back_populates="entities", collection_class=UniqueList
    )
    notes: Mapped[list[Note]] = relationship(
        secondary=Entity_Notes, back_populates="entities", collection_class=UniqueList
    )

    def __init__(
        self,
        tags: list[Tag] | None = None,
        notes: list[Note] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        init_collection(self, "tags", tags)
        init_collection(self, "notes", notes)

    @validates("tags")
    def _validate_tag(self, key: str, tag: Any) -> Tag:
        return check_instance(self, key, tag, "Tag")

    @validates("notes")
    def _validate_note(self, key: str, note: Any) -> Note:
        return check_instance(self, key, note, "Note")

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Entity)

    __hash__ = SimpleEntity.__hash__


EntityGroup_Entities = link_table(
    "EntityGroup_Entities",
    ("entity_group_id", "EntityGroups.id"),
    ("other_entity_id", "SimpleEntities.id"),
)


class EntityGroup(Entity):
    """An ad-hoc group of any Stalker objects (e.g. a selection a TD keeps)."""

    __tablename__ = "EntityGroups"
    __mapper_args__ = {"polymorphic_identity": "EntityGroup"}

    entity_group_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    entities: Mapped[list[SimpleEntity]] = relationship(
        secondary=EntityGroup_Entities,
        primaryjoin="EntityGroups.c.id == EntityGroup_Entities.c.entity_group_id",
        secondaryjoin="EntityGroup_Entities.c.other_entity_id == SimpleEntities.c.id",
        backref=backref("entity_groups", collection_class=UniqueList),
        collection_class=UniqueList,
    )

    def __init__(
        self, entities: list[SimpleEntity] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.entities = [] if entities is None else entities

    @validates("entities")
    def _validate_entity(self, key: str, entity: Any) -> SimpleEntity:
        return check_instance(self, key, entity, SimpleEntity)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, EntityGroup)

    __hash__ = SimpleEntity.__hash__


__all__ = [
    "Entity",
    "EntityGroup",
    "SimpleEntity",
    "format_name",
    "make_nice_name",
    "utc_now",
]
