"""Exact money: an amount is a ``Decimal`` with its ISO 4217 currency, or, in tables, an integer
count of the currency's minor units (kopecks, cents) beside a currency column.

Currency codes and their number of decimal places come from Babel (CLDR data), not a list of
our own.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import cache

import numpy as np
import pandas as pd
from babel import Locale
from babel.numbers import format_currency, get_currency_precision, get_territory_currencies


@cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today, per CLDR (so RUR, the old rouble, is not).

    Returns
    -------
    frozenset of str
        Computed once, then cached.

    Examples
    --------
    >>> {"RUB", "USD", "JPY"} <= known_currencies(), "RUR" in known_currencies()
    (True, False)
    """
    return frozenset(
        c
        for territory in Locale("en").territories
        if isinstance(territory, str)  # always: Babel types the keys loosely as str | int | None
        for c in get_territory_currencies(territory, tender=True)
    )


def minor_digits(currency: str) -> int:
    """Decimal places of ``currency``'s minor unit: RUB 2, USD 2, JPY 0.

    Parameters
    ----------
    currency : str
        ISO 4217 code.

    Returns
    -------
    int [decimal places]
        From CLDR (Babel).

    Examples
    --------
    >>> minor_digits("RUB"), minor_digits("JPY"), minor_digits("KWD")
    (2, 0, 3)
    """
    return get_currency_precision(currency)


@dataclasses.dataclass(frozen=True)
class Money:
    """An exact amount in one currency. Floats are refused; adding two currencies is an error.

    Parameters
    ----------
    amount : Decimal [units of ``currency``]
    currency : str
        ISO 4217 code, one of ``known_currencies()``.

    Raises
    ------
    TypeError
        If ``amount`` is not a ``Decimal``, or on adding an amount in another currency.
    ValueError
        If ``currency`` is unknown.

    Examples
    --------
    >>> str(Money(Decimal("600.50"), "RUB") + Money.from_minor(5, "RUB"))
    '600.55 RUB'
    >>> Money(Decimal("1"), "RUB") + Money(Decimal("1"), "USD")
    Traceback (most recent call last):
    ...
    TypeError: cannot add USD to RUB without an exchange rate
    """

    amount: Decimal
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money needs a Decimal amount, got {type(self.amount).__name__}")
        if self.currency not in known_currencies():
            raise ValueError(f"unknown currency {self.currency!r}")

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """The amount ``minor`` minor units of ``currency`` (e.g. 60050 RUB kopecks = 600.50 RUB).

        Parameters
        ----------
        minor : int [minor units of ``currency``]
        currency : str
            ISO 4217 code.

        Returns
        -------
        Money
            Exact, with the currency's number of decimal places.

        Examples
        --------
        >>> Money.from_minor(60050, "RUB").amount, Money.from_minor(1200, "JPY").amount
        (Decimal('600.50'), Decimal('1200'))
        """
        return cls(Decimal(f"{int(minor)}e-{minor_digits(currency)}"), currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise TypeError(f"cannot add {other.currency} to {self.currency} without an exchange rate")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def money_text(minor, currency, lang: str | None = None):
    """Money as text, exactly: integer minor units of ``currency``, one amount or a whole column.

    Parameters
    ----------
    minor : int, None or a column (list, numpy array, masked array, ``Int64`` array or Series)
        Amounts in minor units (kopecks, cents; yen for JPY). A missing amount (``None``,
        ``pd.NA``, a masked entry) gives ``""``. Floats are refused (``TypeError``): an amount
        that went through a float is not exact any more.
    currency : str or a column of str
        ISO 4217 code, one for all or one per amount (a missing code gives ``""``). Its number
        of decimal places comes from CLDR: JPY 0, RUB 2, KWD 3.
    lang : str or None
        ``None`` (or ``"plain"``): the machine text of the CLI, CSV and JSON, a plain decimal
        with every minor digit and no grouping. A language (``"en"``, ``"ru"``): the text for
        people, by Babel (``format_currency``).

    Returns
    -------
    str for one amount, list[str] for a column.

    Examples
    --------
    >>> money_text([60050, -5, None], "RUB")
    ['600.50', '-0.05', '']
    >>> money_text(1200, "JPY"), money_text(1234, "KWD")
    ('1200', '1.234')
    >>> money_text(123450, "RUB", "ru")
    '1\xa0234,50\xa0₽'
    >>> money_text(1200, "JPY", "en")
    '¥1,200'
    """
    if lang == "plain":
        lang = None
    if _is_scalar(minor):
        return money_text([minor], currency, lang)[0]
    values, known = _minor_column(minor)
    n = len(values)
    codes = np.full(n, currency, dtype=object) if isinstance(currency, str) else np.asarray(currency, dtype=object)
    if len(codes) != n:
        raise ValueError(f"{n} amounts but {len(codes)} currencies")
    out = np.full(n, "", dtype=object)
    has_code = np.array([isinstance(c, str) for c in codes], dtype=bool)
    for code in pd.unique(codes[has_code & known]):  # a few currencies, not orders
        rows = known & has_code & (codes == code)
        digits = minor_digits(code)
        distinct, positions = np.unique(values[rows], return_inverse=True)  # each amount is formatted once
        texts = np.array([_one(int(v), code, digits, lang) for v in distinct], dtype=object)
        out[rows] = texts[positions.ravel()]
    return out.tolist()


def _one(minor: int, currency: str, digits: int, lang: str | None) -> str:
    """One amount of ``minor`` minor units as text: plain decimal (``lang`` None) or Babel's for ``lang``."""
    amount = Decimal(f"{minor}e-{digits}")  # exact at any size (the text constructor does not round)
    if lang is None:
        return format(amount, "f")
    return format_currency(amount, currency, locale=lang)


def _is_scalar(minor) -> bool:
    """Whether ``minor`` is one amount (or a missing one) rather than a column."""
    return minor is None or minor is pd.NA or isinstance(minor, (int, np.integer, float, np.floating, Decimal))


def _minor_column(minor) -> tuple[np.ndarray, np.ndarray]:
    """(values, known): integer values (int64, or Python ints beyond int64) and where they are known."""
    if isinstance(minor, pd.Series):
        minor = minor.array
    if isinstance(minor, np.ma.MaskedArray):
        known = ~np.ma.getmaskarray(minor)
        values = _integers(minor.filled(0) if known.size else minor.data)
        return values, known
    if isinstance(minor, pd.api.extensions.ExtensionArray):
        if not pd.api.types.is_integer_dtype(minor.dtype) and not pd.api.types.is_object_dtype(minor.dtype):
            raise TypeError(f"money text needs integer minor units, got {minor.dtype}")
        if pd.api.types.is_integer_dtype(minor.dtype):
            known = ~np.asarray(minor.isna(), dtype=bool)
            return minor.to_numpy(dtype=np.int64, na_value=0), known
        minor = minor.to_numpy(dtype=object)
    array = np.asarray(minor) if not isinstance(minor, list) else np.array(minor, dtype=object)
    if array.ndim != 1:
        array = array.reshape(-1)
    if array.dtype.kind in "iu":
        return array.astype(np.int64), np.ones(len(array), dtype=bool)
    if array.dtype.kind != "O":
        raise TypeError(f"money text needs integer minor units, got {array.dtype}")
    known = np.array([v is not None and v is not pd.NA for v in array], dtype=bool)
    return _integers(np.where(known, array, 0)), known


def _integers(array: np.ndarray) -> np.ndarray:
    """An array of integers as int64 (or Python ints, kept as objects); ``TypeError`` for anything else."""
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    bad = [v for v in array if not isinstance(v, (int, np.integer)) or isinstance(v, bool)]
    if bad:
        raise TypeError(f"money text needs integer minor units, got {bad[0]!r} ({type(bad[0]).__name__})")
    return array.astype(object)
