"""AmountMixin: a quantity (of money, hours, items) carried by budget records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.orm import Mapped, mapped_column, validates

from stalker.models.validation import check_number


class AmountMixin:
    """Adds ``amount``, always stored as a float (None means 0.0)."""

    amount: Mapped[float] = mapped_column(Float, default=0.0)

    def __init__(self, amount: int | float | None = 0, **kwargs: Any) -> None:
        self.amount = amount  # type: ignore[assignment]

    @validates("amount")
    def _validate_amount(self, key: str, amount: Any) -> float:
        if amount is None:
            return 0.0
        # a quantity (hours, items, an invoiced sum) is never below zero;
        # discounts are negative prices, not negative amounts
        return float(check_number(self, key, amount, at_least=0))
