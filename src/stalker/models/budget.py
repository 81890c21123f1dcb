"""Money: goods and price lists, project budgets, their entries, invoices, payments.

A studio sells :class:`Good` items (a minute of animation, a day of an
artist) grouped into :class:`PriceList` catalogues. A project's
:class:`Budget` (a tree of budgets with a status) lists :class:`BudgetEntry`
lines, each pricing an amount of one good; the client is billed with
:class:`Invoice` records that are settled by :class:`Payment` records.

The owned records (entries, invoices, payments) are created fully valid
before they are linked to their owner, so a rejected value never leaves a
half-built record in an owner's list (and so in the next commit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from stalker.db.declarative import link_table
from stalker.db.session import add_to_session_of, no_autoflush
from stalker.models.client import Client
from stalker.models.collections import UniqueList, init_collection
from stalker.models.entity import Entity, SimpleEntity
from stalker.models.mixins.amount import AmountMixin
from stalker.models.mixins.dag import DAGMixin
from stalker.models.mixins.project import ProjectMixin
from stalker.models.mixins.status import StatusMixin
from stalker.models.mixins.unit import UnitMixin
from stalker.models.validation import check_instance, check_number

if TYPE_CHECKING:
    from stalker.models.project import Project


def _money(owner: Any, key: str, value: Any, *, at_least: float | None = None) -> Any:
    """A number for a money column; None means nothing (0.0)."""
    if value is None:
        return 0.0
    return check_number(owner, key, value, at_least=at_least)


PriceList_Goods = link_table(
    "PriceList_Goods", ("price_list_id", "PriceLists.id"), ("good_id", "Goods.id")
)


class Good(Entity, UnitMixin):
    """Something the studio sells, with its cost and suggested retail price.

    A good may belong to one client (goods made for that client only);
    ``Client.goods`` lists them and deleting the client deletes them.
    """

    __tablename__ = "Goods"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "Good"}

    good_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    msrp: Mapped[float] = mapped_column(Float, default=0.0)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("Clients.id"), index=True)
    client: Mapped[Client | None] = relationship(
        back_populates="goods", primaryjoin="Good.client_id == Client.client_id"
    )
    price_lists: Mapped[list[PriceList]] = relationship(
        secondary=PriceList_Goods,
        back_populates="goods",
        primaryjoin="Good.good_id == PriceList_Goods.c.good_id",
        secondaryjoin="PriceList_Goods.c.price_list_id == PriceList.price_list_id",
        order_by="PriceList.price_list_id",
        collection_class=UniqueList,
    )

    def __init__(
        self,
        cost: int | float | None = 0.0,
        msrp: int | float | None = 0.0,
        unit: str | None = "",
        client: Client | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        UnitMixin.__init__(self, unit=unit)
        self.cost = cost  # type: ignore[assignment]
        self.msrp = msrp  # type: ignore[assignment]
        if client is not None:
            self.client = client
        add_to_session_of(self, client)

    # Prices are kept as given (an int stays an int until it is reloaded).
    @validates("cost", "msrp")
    def _validate_price(self, key: str, value: Any) -> int | float:
        return _money(self, key, value, at_least=0)  # type: ignore[no-any-return]

    @validates("client")
    def _validate_client(self, key: str, client: Any) -> Client | None:
        return check_instance(self, key, client, Client, allow_none=True)  # type: ignore[no-any-return]

    @validates("price_lists")
    def _validate_price_list(self, key: str, price_list: Any) -> PriceList:
        return check_instance(self, key, price_list, PriceList)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Good)

    __hash__ = SimpleEntity.__hash__


class PriceList(Entity):
    """A named catalogue of goods (a good may be in several lists)."""

    __tablename__ = "PriceLists"
    __auto_name__ = False
    __mapper_args__ = {"polymorphic_identity": "PriceList"}

    price_list_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    goods: Mapped[list[Good]] = relationship(
        secondary=PriceList_Goods,
        back_populates="price_lists",
        primaryjoin="PriceList.price_list_id == PriceList_Goods.c.price_list_id",
        secondaryjoin="PriceList_Goods.c.good_id == Good.good_id",
        order_by="Good.good_id",
        collection_class=UniqueList,
    )

    def __init__(self, goods: list[Good] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        init_collection(self, "goods", goods)
        add_to_session_of(self, *self.goods)

    @validates("goods")
    def _validate_good(self, key: str, good: Any) -> Good:
        return check_instance(self, key, good, Good)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, PriceList)

    __hash__ = SimpleEntity.__hash__


class Budget(Entity, ProjectMixin, DAGMixin, StatusMixin):
    """A project budget; budgets nest (deleting one deletes its sub-budgets).

    ``db.init()`` creates no status list for budgets: pass one targeting
    ``"Budget"`` or store one in the database first.
    """

    __tablename__ = "Budgets"
    __auto_name__ = False
    __id_column__ = "budget_id"
    __mapper_args__ = {"polymorphic_identity": "Budget"}

    budget_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    entries: Mapped[list[BudgetEntry]] = relationship(
        back_populates="budget",
        cascade="all, delete-orphan",
        primaryjoin="Budget.budget_id == BudgetEntry.budget_id",
        order_by="BudgetEntry.budget_entry_id",
    )
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="budget",
        cascade="all, delete-orphan",
        primaryjoin="Budget.budget_id == Invoice.budget_id",
        order_by="Invoice.invoice_id",
    )

    def __init__(self, **kwargs: Any) -> None:
        project: Project | None = kwargs.get("project")
        parent: Budget | None = kwargs.get("parent")
        # ``project`` is linked first; checking the parent's type now means
        # a wrong parent cannot leave this budget in ``project.budgets``.
        check_instance(self, "parent", parent, Budget, allow_none=True)
        with no_autoflush(project, parent):
            super().__init__(**kwargs)
            StatusMixin.__init__(
                self, status=kwargs.get("status"), status_list=kwargs.get("status_list")
            )
            ProjectMixin.__init__(self, project=project)
            DAGMixin.__init__(self, parent=parent)
        add_to_session_of(self, project, parent)

    @validates("entries")
    def _validate_entry(self, key: str, entry: Any) -> BudgetEntry:
        return check_instance(self, key, entry, BudgetEntry)  # type: ignore[no-any-return]

    @validates("invoices")
    def _validate_invoice(self, key: str, invoice: Any) -> Invoice:
        return check_instance(self, key, invoice, Invoice)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Budget)

    __hash__ = SimpleEntity.__hash__


class BudgetEntry(Entity, AmountMixin, UnitMixin):
    """One line of a budget: ``amount`` of a good at a proposed ``price``.

    ``cost``, ``msrp`` and ``unit`` are copied from the good when the entry
    is created: the entry keeps the prices of the day it was budgeted even if
    the good's prices change later.
    """

    __tablename__ = "BudgetEntries"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "BudgetEntry"}

    budget_entry_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    budget_id: Mapped[int] = mapped_column(
        ForeignKey("Budgets.id"), nullable=False, index=True
    )
    budget: Mapped[Budget] = relationship(
        back_populates="entries",
        primaryjoin="BudgetEntry.budget_id == Budget.budget_id",
    )
    good_id: Mapped[int] = mapped_column(
        ForeignKey("Goods.id"), nullable=False, index=True
    )
    good: Mapped[Good] = relationship(primaryjoin="BudgetEntry.good_id == Good.good_id")
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    msrp: Mapped[float] = mapped_column(Float, default=0.0)
    price: Mapped[float] = mapped_column(Float, default=0.0)
    realized_total: Mapped[float] = mapped_column(Float, default=0.0)

    def __init__(
        self,
        budget: Budget | None = None,
        good: Good | None = None,
        price: int | float | None = 0,
        realized_total: int | float | None = 0,
        amount: int | float | None = 0.0,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("unit", None)  # the good decides the unit
        check_instance(self, "budget", budget, Budget)
        good = check_instance(self, "good", good, Good)
        with no_autoflush(budget, good):
            super().__init__(**kwargs)
            self.good = good
            self.cost = good.cost
            self.msrp = good.msrp
            UnitMixin.__init__(self, unit=good.unit)
            AmountMixin.__init__(self, amount=amount)
            self.price = price  # type: ignore[assignment]
            self.realized_total = realized_total  # type: ignore[assignment]
            self.budget = budget  # type: ignore[assignment]
        add_to_session_of(self, budget, good)

    # Removing the entry from ``budget.entries`` sets None here through the
    # back-reference; delete-orphan then deletes it, so only direct
    # assignments are checked.
    @validates("budget", include_backrefs=False)
    def _validate_budget(self, key: str, budget: Any) -> Budget:
        return check_instance(self, key, budget, Budget)  # type: ignore[no-any-return]

    @validates("good")
    def _validate_good(self, key: str, good: Any) -> Good:
        return check_instance(self, key, good, Good)  # type: ignore[no-any-return]

    @validates("cost", "msrp", "price", "realized_total")
    def _validate_money(self, key: str, value: Any) -> float:
        return float(_money(self, key, value))

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, BudgetEntry)

    __hash__ = SimpleEntity.__hash__


class Invoice(Entity, AmountMixin, UnitMixin):
    """A bill sent to a client against a budget; payments settle it."""

    __tablename__ = "Invoices"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "Invoice"}

    invoice_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    budget_id: Mapped[int] = mapped_column(
        ForeignKey("Budgets.id"), nullable=False, index=True
    )
    budget: Mapped[Budget] = relationship(
        back_populates="invoices",
        primaryjoin="Invoice.budget_id == Budget.budget_id",
    )
    client_id: Mapped[int] = mapped_column(
        ForeignKey("Clients.id"), nullable=False, index=True
    )
    client: Mapped[Client] = relationship(
        primaryjoin="Invoice.client_id == Client.client_id"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="invoice",
        cascade="all, delete-orphan",
        primaryjoin="Invoice.invoice_id == Payment.invoice_id",
        order_by="Payment.payment_id",
    )

    def __init__(
        self,
        budget: Budget | None = None,
        client: Client | None = None,
        amount: int | float | None = 0,
        unit: str | None = None,
        **kwargs: Any,
    ) -> None:
        check_instance(self, "budget", budget, Budget)
        check_instance(self, "client", client, Client)
        with no_autoflush(budget, client):
            super().__init__(**kwargs)
            AmountMixin.__init__(self, amount=amount)
            UnitMixin.__init__(self, unit=unit)
            self.client = client  # type: ignore[assignment]
            self.budget = budget  # type: ignore[assignment]
        add_to_session_of(self, budget, client)

    # See BudgetEntry: a removal from ``budget.invoices`` sets None here.
    @validates("budget", include_backrefs=False)
    def _validate_budget(self, key: str, budget: Any) -> Budget:
        return check_instance(self, key, budget, Budget)  # type: ignore[no-any-return]

    @validates("client")
    def _validate_client(self, key: str, client: Any) -> Client:
        return check_instance(self, key, client, Client)  # type: ignore[no-any-return]

    @validates("payments")
    def _validate_payment(self, key: str, payment: Any) -> Payment:
        return check_instance(self, key, payment, Payment)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Invoice)

    __hash__ = SimpleEntity.__hash__


class Payment(Entity, AmountMixin, UnitMixin):
    """Money received against an invoice; its ``type`` may classify it (Advance)."""

    __tablename__ = "Payments"
    __auto_name__ = True
    __mapper_args__ = {"polymorphic_identity": "Payment"}

    payment_id: Mapped[int] = mapped_column(
        "id", ForeignKey("Entities.id"), primary_key=True
    )
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("Invoices.id"), nullable=False, index=True
    )
    invoice: Mapped[Invoice] = relationship(
        back_populates="payments",
        primaryjoin="Payment.invoice_id == Invoice.invoice_id",
    )

    def __init__(
        self,
        invoice: Invoice | None = None,
        amount: int | float | None = 0,
        unit: str | None = None,
        **kwargs: Any,
    ) -> None:
        check_instance(self, "invoice", invoice, Invoice)
        with no_autoflush(invoice):
            super().__init__(**kwargs)
            AmountMixin.__init__(self, amount=amount)
            UnitMixin.__init__(self, unit=unit)
            self.invoice = invoice  # type: ignore[assignment]
        add_to_session_of(self, invoice)

    # See BudgetEntry: a removal from ``invoice.payments`` sets None here.
    @validates("invoice", include_backrefs=False)
    def _validate_invoice(self, key: str, invoice: Any) -> Invoice:
        return check_instance(self, key, invoice, Invoice)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and isinstance(other, Payment)

    __hash__ = SimpleEntity.__hash__


__all__ = ["Budget", "BudgetEntry", "Good", "Invoice", "Payment", "PriceList"]
