"""Budget, BudgetEntry, Invoice and Payment (spec 08 §12-§15)."""

from __future__ import annotations

import uuid

import pytest

import stalker
from stalker import (
    Budget,
    BudgetEntry,
    Client,
    Entity,
    Good,
    Invoice,
    Payment,
    PriceList,
    Project,
    StatusList,
    Type,
)
from stalker.db import delete_with_work_records
from stalker.db.session import session_of
from stalker.exceptions import CircularDependencyError, DeleteRefusedError
from tests.task_factories import make_project, make_status_list

BUDGET_CODES = ("PLAN", "APP", "CLS")
BUDGET_NAMES = ("Planning", "Approved", "Closed")


def budget_status_list() -> StatusList:
    return make_status_list("Budget", BUDGET_CODES, BUDGET_NAMES)


@pytest.fixture
def status_list():
    return budget_status_list()


@pytest.fixture
def project():
    return make_project()


@pytest.fixture
def budget(project, status_list):
    return Budget(name="Budget", project=project, status_list=status_list)


@pytest.fixture
def good():
    return Good(name="Animation", cost=100, msrp=150, unit="s")


@pytest.fixture
def client():
    return Client(name="Big Client")


@pytest.fixture
def invoice(budget, client):
    return Invoice(budget=budget, client=client, amount=1000, unit="$")


@pytest.fixture
def db_status_list(session):
    """A Budget status list stored in the database (db.init() makes none)."""
    status_list = budget_status_list()
    session.add(status_list)
    session.flush()
    return status_list


def _auto_named(obj, cls_name: str) -> bool:
    prefix, _, rest = obj.name.partition("_")
    return prefix == cls_name and str(uuid.UUID(rest)) == rest


# --- Budget ---------------------------------------------------------------------------


def test_budget_defaults(budget, project, status_list):
    assert budget.project is project
    assert project.budgets == [budget]
    assert budget.status_list is status_list
    assert budget.status.code == "PLAN"
    assert budget.entries == [] and budget.invoices == []
    assert budget.parent is None and budget.children == []
    assert budget.plural_class_name == "Budgets"


def test_budget_name_is_required(project, status_list):
    with pytest.raises(TypeError, match=r"Budget\.name should be a str"):
        Budget(project=project, status_list=status_list)
    assert project.budgets == []


def test_budget_project_is_required(status_list):
    with pytest.raises(TypeError, match=r"Budget\.project should be a Project"):
        Budget(name="B", status_list=status_list)
    with pytest.raises(TypeError, match=r"Budget\.project should be a Project.*str"):
        Budget(name="B", project="FC", status_list=status_list)


def test_budget_status(project, status_list):
    budget = Budget(name="B", project=project, status_list=status_list, status=1)
    assert budget.status.code == "APP"
    budget.status = status_list["CLS"]
    assert budget.status.code == "CLS"
    with pytest.raises(ValueError, match=r"Budget\.status should be an index"):
        budget.status = 5
    with pytest.raises(TypeError, match=r"Budget\.status should be a Status"):
        budget.status = "CLS"


def test_budget_status_list_must_target_budget(project):
    with pytest.raises(TypeError, match=r"Budget\.status_list should be a StatusList"):
        Budget(name="B", project=project, status_list=make_status_list("Task"))
    with pytest.raises(TypeError, match=r"Budget\.status_list should be a StatusList"):
        Budget(name="B", project=project, status_list="Budget Statuses")


def test_budget_status_list_is_not_made_by_db_init(session):
    assert StatusList.query.filter_by(target_entity_type="Budget").all() == []
    project = make_project(in_memory=False)
    with pytest.raises(TypeError, match=r"none in the database targets 'Budget'"):
        Budget(name="B", project=project)


def test_budget_takes_the_stored_status_list(session, db_status_list):
    budget = Budget(name="B", project=make_project(in_memory=False))
    assert budget.status_list is db_status_list
    assert budget.status.code == "PLAN"


def test_budget_hierarchy(project, status_list, budget):
    child = Budget(name="Child", project=project, status_list=status_list)
    child.parent = budget
    assert budget.children == [child]
    assert child.parents == [budget]
    assert budget.is_container and child.is_leaf
    grand = Budget(name="Grand", project=project, parent=child, status_list=status_list)
    assert list(budget.walk_hierarchy()) == [budget, child, grand]
    with pytest.raises(CircularDependencyError):
        budget.parent = grand
    with pytest.raises(TypeError, match=r"Budget\.parent should be a Budget"):
        child.parent = project
    with pytest.raises(TypeError, match=r"Budget\.children should be a list of Budget"):
        budget.children.append(project)


def test_budget_with_a_wrong_parent_is_not_attached(project, status_list):
    with pytest.raises(TypeError, match=r"Budget\.parent should be a Budget"):
        Budget(name="B", project=project, status_list=status_list, parent="root")
    assert project.budgets == []


def test_budget_lists_are_type_checked(budget, good):
    with pytest.raises(TypeError, match=r"Budget\.entries should be a BudgetEntry"):
        budget.entries.append(good)
    with pytest.raises(TypeError, match=r"Budget\.invoices should be an Invoice"):
        budget.invoices.append(good)
    with pytest.raises(TypeError, match=r"Budget\.entries should be a list, not None"):
        budget.entries = None


def test_budget_equality(project, status_list, budget):
    same = Budget(name="Budget", project=project, status_list=status_list)
    assert budget == same
    assert budget != Budget(name="Other", project=project, status_list=status_list)
    assert budget != Good(name="Budget")


def test_budget_round_trip_and_session(session, db_status_list):
    project = make_project(in_memory=False)
    session.add(project)
    session.commit()
    root = Budget(name="Root", project=project)
    child = Budget(name="Child", project=project, parent=root)
    assert session_of(root) is session() and session_of(child) is session()
    session.commit()
    session.expunge_all()
    loaded = Budget.query.filter_by(name="Root").one()
    assert [b.name for b in loaded.children] == ["Child"]
    assert loaded.status.code == "PLAN"
    assert [b.name for b in Project.query.one().budgets] == ["Root", "Child"]


def test_deleting_a_parent_budget_deletes_its_children(session, db_status_list):
    project = make_project(in_memory=False)
    root = Budget(name="Root", project=project)
    Budget(name="Child", project=project, parent=root)
    Budget(name="Other", project=project)
    session.add(project)
    session.commit()
    session.delete(root)
    session.commit()
    assert [b.name for b in Budget.query.all()] == ["Other"]


# --- BudgetEntry --------------------------------------------------------------------


def test_entry_copies_the_good(budget, good):
    entry = BudgetEntry(budget=budget, good=good, unit="ignored")
    assert entry.budget is budget and entry.good is good
    assert budget.entries == [entry]
    assert (entry.cost, entry.msrp, entry.unit) == (100.0, 150.0, "s")
    assert type(entry.cost) is float and type(entry.msrp) is float
    assert (entry.price, entry.realized_total, entry.amount) == (0.0, 0.0, 0.0)
    assert _auto_named(entry, "BudgetEntry")


def test_entry_keeps_the_prices_it_was_made_with(budget, good):
    entry = BudgetEntry(budget=budget, good=good)
    good.cost, good.msrp = 200, 300
    assert (entry.cost, entry.msrp) == (100.0, 150.0)
    entry.unit = "min"
    assert entry.unit == "min"


def test_entry_constructor_numbers(budget, good):
    entry = BudgetEntry(
        budget=budget, good=good, price=120, realized_total=90, amount=3
    )
    assert (entry.price, entry.realized_total, entry.amount) == (120.0, 90.0, 3.0)
    assert all(
        type(value) is float
        for value in (entry.price, entry.realized_total, entry.amount)
    )


@pytest.mark.parametrize("attr", ["cost", "msrp", "price", "realized_total"])
def test_entry_numbers(budget, good, attr):
    entry = BudgetEntry(budget=budget, good=good)
    setattr(entry, attr, 7)
    assert getattr(entry, attr) == 7.0 and type(getattr(entry, attr)) is float
    setattr(entry, attr, -2.5)  # negatives are allowed (discounts, refunds)
    assert getattr(entry, attr) == -2.5
    setattr(entry, attr, None)
    assert getattr(entry, attr) == 0.0
    message = rf"BudgetEntry\.{attr} should be an int or float, not str: '7'"
    with pytest.raises(TypeError, match=message):
        setattr(entry, attr, "7")
    assert getattr(entry, attr) == 0.0


@pytest.mark.parametrize("attr", ["price", "realized_total", "amount"])
def test_entry_wrong_number_in_constructor_leaves_budget_alone(budget, good, attr):
    with pytest.raises(TypeError, match=rf"BudgetEntry\.{attr} should be an int"):
        BudgetEntry(budget=budget, good=good, **{attr: "x"})
    assert budget.entries == []


def test_entry_none_numbers_in_constructor(budget, good):
    entry = BudgetEntry(budget=budget, good=good, price=None, realized_total=None)
    assert (entry.price, entry.realized_total) == (0.0, 0.0)


def test_entry_budget_and_good_are_required(budget, good):
    with pytest.raises(TypeError, match=r"BudgetEntry\.budget should be a Budget"):
        BudgetEntry(good=good)
    with pytest.raises(TypeError, match=r"BudgetEntry\.budget should be a Budget.*str"):
        BudgetEntry(budget="budget", good=good)
    with pytest.raises(TypeError, match=r"BudgetEntry\.good should be a Good.*None"):
        BudgetEntry(budget=budget)
    with pytest.raises(TypeError, match=r"BudgetEntry\.good should be a Good.*str"):
        BudgetEntry(budget=budget, good="good")
    assert budget.entries == []
    entry = BudgetEntry(budget=budget, good=good)
    with pytest.raises(TypeError, match=r"BudgetEntry\.budget should be a Budget"):
        entry.budget = None
    with pytest.raises(TypeError, match=r"BudgetEntry\.good should be a Good"):
        entry.good = None
    assert (entry.budget, entry.good) == (budget, good)


def test_moving_an_entry_to_another_budget(project, status_list, budget, good):
    other = Budget(name="Other", project=project, status_list=status_list)
    entry = BudgetEntry(budget=budget, good=good)
    other.entries.append(entry)
    assert entry.budget is other
    assert budget.entries == [] and other.entries == [entry]
    entry.budget = budget
    assert budget.entries == [entry] and other.entries == []


def test_entry_round_trip_and_orphan_delete(session, db_status_list):
    project = make_project(in_memory=False)
    budget = Budget(name="B", project=project)
    session.add(project)
    session.commit()
    good = Good(name="Animation", cost=100, msrp=150, unit="s")
    entry = BudgetEntry(budget=budget, good=good, amount=60, price=140)
    assert session_of(entry) is session()
    session.commit()
    session.expunge_all()
    loaded = BudgetEntry.query.one()
    assert loaded.budget.name == "B" and loaded.good.name == "Animation"
    assert (loaded.cost, loaded.msrp, loaded.unit) == (100.0, 150.0, "s")
    assert (loaded.amount, loaded.price, loaded.realized_total) == (60.0, 140.0, 0.0)
    loaded.budget.entries.remove(loaded)
    session.commit()
    assert BudgetEntry.query.count() == 0
    assert Good.query.count() == 1  # the good outlives its entries


def test_a_budgeted_good_cannot_be_deleted(session, db_status_list):
    project = make_project(in_memory=False)
    budget = Budget(name="B", project=project)
    good = Good(name="Animation")
    BudgetEntry(budget=budget, good=good)
    session.add(project)
    session.commit()
    session.delete(good)
    with pytest.raises(DeleteRefusedError, match=r"Good 'Animation' \(id \d+\)"):
        session.commit()
    session.rollback()
    assert Good.query.one().name == "Animation"
    assert BudgetEntry.query.one().good.name == "Animation"


# --- Invoice ----------------------------------------------------------------------


def test_invoice_defaults(budget, client):
    invoice = Invoice(budget=budget, client=client)
    assert (invoice.amount, invoice.unit) == (0.0, "")
    assert invoice.budget is budget and invoice.client is client
    assert budget.invoices == [invoice]
    assert invoice.payments == []
    assert _auto_named(invoice, "Invoice")
    assert not hasattr(client, "invoices")  # no back-reference on Client


def test_invoice_budget_and_client_are_required(budget, client):
    with pytest.raises(TypeError, match=r"Invoice\.budget should be a Budget.*None"):
        Invoice(client=client)
    with pytest.raises(TypeError, match=r"Invoice\.client should be a Client.*None"):
        Invoice(budget=budget)
    with pytest.raises(TypeError, match=r"Invoice\.client should be a Client.*str"):
        Invoice(budget=budget, client="Big Client")
    with pytest.raises(TypeError, match=r"Invoice\.amount should be an int or float"):
        Invoice(budget=budget, client=client, amount="1000")
    assert budget.invoices == []
    invoice = Invoice(budget=budget, client=client)
    with pytest.raises(TypeError, match=r"Invoice\.client should be a Client"):
        invoice.client = None
    with pytest.raises(TypeError, match=r"Invoice\.budget should be a Budget"):
        invoice.budget = client
    with pytest.raises(TypeError, match=r"Invoice\.payments should be a Payment"):
        invoice.payments.append(client)


def test_invoice_round_trip(session, db_status_list):
    project = make_project(in_memory=False)
    budget = Budget(name="B", project=project)
    client = Client(name="Big Client")
    session.add_all([project, client])
    session.commit()
    invoice = Invoice(budget=budget, client=client, amount=1500, unit="TL")
    assert session_of(invoice) is session()
    session.commit()
    session.expunge_all()
    loaded = Invoice.query.one()
    assert (loaded.amount, loaded.unit) == (1500.0, "TL")
    assert loaded.client.name == "Big Client"
    assert loaded.budget.invoices == [loaded]


# --- Payment --------------------------------------------------------------------------


def test_payment(invoice):
    advance = Type(name="Advance", code="ADV", target_entity_type="Payment")
    payment = Payment(invoice=invoice, amount=500, unit="$", type=advance)
    assert (payment.amount, payment.unit) == (500.0, "$")
    assert payment.type is advance
    assert invoice.payments == [payment]
    assert _auto_named(payment, "Payment")
    assert Payment(invoice=invoice).unit == ""


def test_payment_invoice_is_required(invoice, budget):
    with pytest.raises(TypeError, match=r"Payment\.invoice should be an Invoice.*None"):
        Payment()
    with pytest.raises(TypeError, match=r"Payment\.invoice should be an Invoice.*Bud"):
        Payment(invoice=budget)
    with pytest.raises(TypeError, match=r"Payment\.unit should be a str"):
        Payment(invoice=invoice, unit=5)
    assert invoice.payments == []
    payment = Payment(invoice=invoice)
    with pytest.raises(TypeError, match=r"Payment\.invoice should be an Invoice"):
        payment.invoice = None
    assert payment.invoice is invoice


def test_removed_payment_is_deleted(session, db_status_list):
    project = make_project(in_memory=False)
    invoice = Invoice(budget=Budget(name="B", project=project), client=Client(name="C"))
    first = Payment(invoice=invoice, amount=100)
    Payment(invoice=invoice, amount=200)
    session.add(project)
    session.commit()
    assert session_of(first) is session()
    invoice.payments.remove(first)
    session.commit()
    assert [p.amount for p in Payment.query.all()] == [200.0]


def test_payment_joins_the_session_of_its_invoice(session, db_status_list):
    project = make_project(in_memory=False)
    invoice = Invoice(budget=Budget(name="B", project=project), client=Client(name="C"))
    session.add(project)
    session.commit()
    payment = Payment(invoice=invoice, amount=10)
    assert session_of(payment) is session()
    session.commit()
    session.expire_all()
    assert Payment.query.one().invoice is invoice


# --- cascades from the project ----------------------------------------------------


def test_deleting_a_project_deletes_its_money_records(session, db_status_list):
    project = make_project(in_memory=False)
    client = Client(name="Big Client")
    good = Good(name="Animation", client=client)
    root = Budget(name="Root", project=project)
    child = Budget(name="Child", project=project, parent=root)
    BudgetEntry(budget=root, good=good, amount=10)
    BudgetEntry(budget=child, good=good, amount=5)
    invoice = Invoice(budget=root, client=client, amount=100)
    Payment(invoice=invoice, amount=50)
    session.add(project)
    session.commit()
    session.delete(project)
    with pytest.raises(DeleteRefusedError) as refused:
        session.commit()
    assert "Budget 'Root'" in str(refused.value) and "1 invoice" in str(refused.value)
    session.rollback()
    assert Payment.query.count() == 1
    delete_with_work_records(project)
    session.commit()
    for cls in (Budget, BudgetEntry, Invoice, Payment):
        assert cls.query.count() == 0, cls
    assert Good.query.one().client.name == "Big Client"


def test_a_failed_commit_leaves_the_database_as_it_was(session, db_status_list):
    project = make_project(in_memory=False)
    budget = Budget(name="B", project=project)
    client = Client(name="C")
    session.add_all([project, client])
    session.commit()
    Budget(name="New", project=project, parent=budget)
    BudgetEntry(budget=budget, good=Good(name="Animation"), amount=3)
    Invoice(budget=budget, client=client, amount=10)
    session.delete(client)  # still billed by the new invoice
    with pytest.raises(DeleteRefusedError, match=r"Client 'C'.* by client_id"):
        session.commit()
    session.rollback()
    assert [b.name for b in Budget.query.all()] == ["B"]
    assert Client.query.one().name == "C"
    for cls in (BudgetEntry, Invoice, Good):
        assert cls.query.count() == 0, cls


# --- class facts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "auto_name", "table"),
    [
        (Good, False, "Goods"),
        (PriceList, False, "PriceLists"),
        (Budget, False, "Budgets"),
        (BudgetEntry, True, "BudgetEntries"),
        (Invoice, True, "Invoices"),
        (Payment, True, "Payments"),
    ],
)
def test_class_facts(cls, auto_name, table):
    assert cls.__auto_name__ is auto_name
    assert cls.__tablename__ == table
    assert cls.__mapper__.polymorphic_identity == cls.__name__
    assert issubclass(cls, Entity)
    assert getattr(stalker, cls.__name__) is cls
    assert cls.__name__ in stalker.__all__
    assert cls.__module__ == "stalker.models.budget"


def test_removing_a_budget_from_its_project_deletes_it(session, db_status_list):
    project = make_project(in_memory=False)
    kept = Budget(name="Kept", project=project)
    dropped = Budget(name="Dropped", project=project)
    BudgetEntry(budget=dropped, good=Good(name="G"))
    session.add(project)
    session.commit()
    project.budgets.remove(dropped)
    with pytest.raises(DeleteRefusedError, match=r"Budget 'Dropped'.* 1 budget entry"):
        session.commit()
    session.rollback()
    assert BudgetEntry.query.one().budget is dropped
    project.budgets.remove(kept)
    session.commit()
    assert Budget.query.all() == [dropped]
