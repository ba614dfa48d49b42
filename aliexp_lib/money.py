"""Exact money: an amount is a ``Decimal`` with its ISO 4217 currency, or, in tables, an integer
count of the currency's minor units (kopecks, cents) beside a currency column.

Currency codes and their number of decimal places come from Babel (CLDR data), not a list of
our own.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import get_currency_precision, get_territory_currencies


@cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today, per CLDR (so RUR, the old rouble, is not)."""
    return frozenset(c for territory in Locale("en").territories for c in get_territory_currencies(territory, tender=True))


def minor_digits(currency: str) -> int:
    """Decimal places of ``currency``'s minor unit: RUB 2, USD 2, JPY 0."""
    return get_currency_precision(currency)


@dataclasses.dataclass(frozen=True)
class Money:
    """An exact amount in one currency. Floats are refused; adding two currencies is an error."""

    amount: Decimal
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money needs a Decimal amount, got {type(self.amount).__name__}")
        if self.currency not in known_currencies():
            raise ValueError(f"unknown currency {self.currency!r}")

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """The amount ``minor`` minor units of ``currency`` (e.g. 60050 RUB kopecks = 600.50 RUB)."""
        return cls(Decimal(int(minor)).scaleb(-minor_digits(currency)), currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise TypeError(f"cannot add {other.currency} to {self.currency} without an exchange rate")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def format_minor(minor, currency: str) -> list[str]:
    """Exact decimal text of integer minor units: 60050 RUB -> "600.50", -5 USD -> "-0.05"."""
    digits = minor_digits(currency)
    out = []
    for value in minor:
        sign = "-" if value < 0 else ""
        whole, part = divmod(abs(int(value)), 10**digits)
        out.append(f"{sign}{whole}.{part:0{digits}d}" if digits else f"{sign}{whole}")
    return out
