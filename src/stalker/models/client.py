"""Client companies and the role each of their users plays in one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from stalker.db.declarative import Base
from stalker.models.auth import Role, User
from stalker.models.collections import init_collection, unique_association_proxy
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.membership_role import MembershipRoleMixin
from stalker.models.validation import check_collection, check_instance, check_items

if TYPE_CHECKING:
    from stalker.models.budget import Good
    from stalker.models.project import Project


class Client(Entity):
    """A customer company; its users see it in ``User.companies``."""

    __tablename__ = "Clients"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Client"}

    client_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    user_role: Mapped[list[ClientUser]] = relationship(
        back_populates="client",
        cascade="all, delete-orphan",
        primaryjoin="Client.client_id == ClientUser.client_id",
    )
    users = unique_association_proxy(
        "user_role", "user", creator=lambda user: ClientUser(user=user)
    )
    # No delete-orphan: a good taken off the list stays, without a client.
    goods: Mapped[list[Good]] = relationship(
        back_populates="client",
        cascade="all",
        primaryjoin="Client.client_id == Good.client_id",
        order_by="Good.good_id",
    )

    def __init__(
        self,
        users: list[User] | None = None,
        goods: list[Good] | None = None,
        projects: list[Project] | None = None,
        **kwargs: Any,
    ) -> None:
        if projects is not None:  # checked before anything is linked
            projects = check_items(
                self,
                "projects",
                check_collection(self, "projects", projects),
                "Project",
            )
        super().__init__(**kwargs)
        self.users = [] if users is None else users
        init_collection(self, "goods", goods)
        init_collection(self, "projects", projects)

    @validates("goods")
    def _validate_good(self, key: str, good: Any) -> Good:
        return check_instance(self, key, good, "Good")  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Client)

    __hash__ = SimpleEntity.__hash__

    def to_tjp(self) -> str:  # type: ignore[override]  # a method, as documented
        """Clients take no part in TaskJuggler files: always ``''``."""
        return ""


class ClientUser(MembershipRoleMixin, Base):
    """A user's membership of a client company, with an optional role."""

    __tablename__ = "Client_Users"

    user_id: Mapped[int] = mapped_column(
        "uid", ForeignKey("Users.id"), primary_key=True
    )
    client_id: Mapped[int] = mapped_column(
        "cid", ForeignKey("Clients.id"), primary_key=True, index=True
    )

    user: Mapped[User | None] = relationship(
        back_populates="company_role",
        primaryjoin="ClientUser.user_id == User.user_id",
    )
    client: Mapped[Client | None] = relationship(
        back_populates="user_role",
        primaryjoin="ClientUser.client_id == Client.client_id",
    )

    def __init__(
        self,
        client: Client | None = None,
        user: User | None = None,
        role: Role | None = None,
    ) -> None:
        self.client = client
        self.user = user
        self.role = role

    @validates("client")
    def _validate_client(self, key: str, client: Any) -> Client | None:
        return check_instance(self, key, client, Client, allow_none=True)

    @validates("user")
    def _validate_user(self, key: str, user: Any) -> User | None:
        return check_instance(self, key, user, User, allow_none=True)
