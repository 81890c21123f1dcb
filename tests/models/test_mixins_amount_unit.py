"""AmountMixin and UnitMixin (spec 08 §9) through the classes that use them."""

from __future__ import annotations

import pytest
from sqlalchemy import Float, String

import stalker
from stalker import (
    AmountMixin,
    Budget,
    BudgetEntry,
    Client,
    Good,
    Invoice,
    Payment,
    UnitMixin,
)
from stalker.models import mixins
from tests.task_factories import make_project, make_status_list


def _budget() -> Budget:
    return Budget(
        name="Budget",
        project=make_project(),
        status_list=make_status_list("Budget", ("NEW", "APP"), ("New", "Approved")),
    )


def _entry(**kwargs) -> BudgetEntry:
    return BudgetEntry(budget=_budget(), good=Good(name="Good", unit="h"), **kwargs)


def _invoice(**kwargs) -> Invoice:
    return Invoice(budget=_budget(), client=Client(name="Client"), **kwargs)


def _payment(**kwargs) -> Payment:
    return Payment(invoice=_invoice(), **kwargs)


def _good(**kwargs) -> Good:
    return Good(name="Good", **kwargs)


AMOUNT_BUILDERS = {"BudgetEntry": _entry, "Invoice": _invoice, "Payment": _payment}
UNIT_BUILDERS = {"Good": _good, "Invoice": _invoice, "Payment": _payment}


def test_exported_from_stalker_and_mixins():
    assert stalker.AmountMixin is mixins.AmountMixin is AmountMixin
    assert stalker.UnitMixin is mixins.UnitMixin is UnitMixin
    assert {"AmountMixin", "UnitMixin"} <= set(stalker.__all__)
    assert {"AmountMixin", "UnitMixin"} <= set(mixins.__all__)


@pytest.mark.parametrize(
    ("cls", "uses_amount", "uses_unit"),
    [
        (Good, False, True),
        (BudgetEntry, True, True),
        (Invoice, True, True),
        (Payment, True, True),
    ],
)
def test_mixed_into_the_spec_classes(cls, uses_amount, uses_unit):
    assert issubclass(cls, AmountMixin) is uses_amount
    assert issubclass(cls, UnitMixin) is uses_unit
    columns = cls.__table__.c
    if uses_amount:
        assert isinstance(columns.amount.type, Float)
        assert columns.amount.default.arg == 0.0
    if uses_unit:
        assert isinstance(columns.unit.type, String)
        assert columns.unit.type.length == 64


# --- amount -------------------------------------------------------------------


@pytest.mark.parametrize("build", AMOUNT_BUILDERS.values(), ids=AMOUNT_BUILDERS)
@pytest.mark.parametrize(
    ("given", "stored"), [(None, 0.0), (0, 0.0), (5, 5.0), (2.5, 2.5)]
)
def test_amount_is_stored_as_float(build, given, stored):
    obj = build(amount=given)
    assert obj.amount == stored
    assert type(obj.amount) is float
    obj.amount = 7
    assert obj.amount == 7.0 and type(obj.amount) is float
    obj.amount = None
    assert obj.amount == 0.0


@pytest.mark.parametrize("build", AMOUNT_BUILDERS.values(), ids=AMOUNT_BUILDERS)
@pytest.mark.parametrize("given", [-3, float("nan"), float("inf")])
def test_negative_or_non_finite_amount_is_refused(build, given):
    # issue 16: an amount is a quantity; negatives (discounts) are prices
    with pytest.raises(ValueError, match=r"\.amount should be a"):
        build(amount=given)


@pytest.mark.parametrize("build", AMOUNT_BUILDERS.values(), ids=AMOUNT_BUILDERS)
def test_amount_defaults_to_zero(build):
    assert build().amount == 0.0


@pytest.mark.parametrize(
    ("name", "build"), AMOUNT_BUILDERS.items(), ids=list(AMOUNT_BUILDERS)
)
@pytest.mark.parametrize("wrong", ["10", [1], True])
def test_amount_must_be_a_number(name, build, wrong):
    expected = rf"{name}\.amount should be an int or float, not {type(wrong).__name__}"
    with pytest.raises(TypeError, match=expected):
        build(amount=wrong)
    obj = build(amount=3)
    with pytest.raises(TypeError, match=expected):
        obj.amount = wrong
    assert obj.amount == 3.0


# --- unit ---------------------------------------------------------------------


@pytest.mark.parametrize("build", UNIT_BUILDERS.values(), ids=UNIT_BUILDERS)
@pytest.mark.parametrize(("given", "stored"), [(None, ""), ("", ""), ("$", "$")])
def test_unit_is_free_text(build, given, stored):
    obj = build(unit=given)
    assert obj.unit == stored
    obj.unit = "TL"
    assert obj.unit == "TL"
    obj.unit = None
    assert obj.unit == ""


def test_unit_defaults():
    assert _good().unit == ""
    assert _invoice().unit == ""
    assert _payment().unit == ""


@pytest.mark.parametrize("name", ["Good", "Invoice", "Payment", "BudgetEntry"])
def test_unit_must_be_a_str(name):
    builders = {**UNIT_BUILDERS, "BudgetEntry": _entry}
    obj = builders[name]()
    with pytest.raises(TypeError, match=rf"{name}\.unit should be a str, not int: 5"):
        obj.unit = 5
    if name != "BudgetEntry":  # an entry takes its unit from its good
        with pytest.raises(TypeError, match=rf"{name}\.unit should be a str"):
            builders[name](unit=b"$")


def test_unit_longer_than_its_column_is_refused():
    good = _good(unit="u" * 64)
    assert len(good.unit) == 64
    with pytest.raises(ValueError, match=r"Good\.unit should be a str of at most 64"):
        good.unit = "u" * 65


# --- database -------------------------------------------------------------------


def test_amount_and_unit_round_trip(session):
    status_list = make_status_list("Budget", ("NEW",), ("New",))
    session.add(status_list)
    project = make_project(in_memory=False)
    budget = Budget(name="B", project=project, status_list=status_list)
    good = Good(name="Minute of animation", unit="min", cost=10)
    entry = BudgetEntry(budget=budget, good=good, amount=3)
    invoice = Invoice(budget=budget, client=Client(name="C"), amount=1500, unit="$")
    payment = Payment(invoice=invoice, amount=750.5, unit="$")
    session.add(project)
    session.commit()
    ids = entry.id, invoice.id, payment.id
    session.expunge_all()
    entry, invoice, payment = (
        session.get(cls, id_)
        for cls, id_ in zip((BudgetEntry, Invoice, Payment), ids, strict=True)
    )
    assert (entry.amount, entry.unit) == (3.0, "min")
    assert (invoice.amount, invoice.unit) == (1500.0, "$")
    assert (payment.amount, payment.unit) == (750.5, "$")
