"""Exchange rates, dated, and exact conversion between currencies' minor units.

A rate is ``HOME_CURRENCY`` per unit of a currency on a date (``data/exchange_rates.csv``, or the
user's file); a conversion uses the newest rate on or before the day asked and says which. Every
conversion is integer arithmetic rounded half-even to a whole minor unit, never a float.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.costs import HOME_CURRENCY, parse_numbers, read_data_csv
from aliexp_lib.errors import CellError, InputError
from aliexp_lib.money import known_currencies, minor_digits


@dataclasses.dataclass(frozen=True)
class Rates:
    """Dated exchange rates as ``HOME_CURRENCY`` per unit of a currency.

    Attributes
    ----------
    table : pandas.DataFrame
        ``date`` (datetime.date), ``currency`` (ISO 4217), ``rate`` (Decimal [RUB per unit]),
        ``source`` (where the rate comes from).

    Examples
    --------
    >>> rates = load_rates()
    >>> rates.lookup("EUR", dt.date(2026, 3, 1))[0]
    Decimal('98.00')
    """

    table: pd.DataFrame

    def lookup(self, currency: str, on: dt.date) -> tuple[Decimal, dt.date | None, str]:
        """The newest rate of ``currency`` dated on or before ``on``: (rate, its date, source).

        Parameters
        ----------
        currency : str
            ISO 4217 code; ``HOME_CURRENCY`` is 1 with no date.
        on : datetime.date
            The day the rate is wanted for.

        Returns
        -------
        (Decimal [HOME_CURRENCY per unit], datetime.date or None, str)

        Raises
        ------
        InputError
            No rate of ``currency`` dated on or before ``on``; says to add one (``--rates``).

        Examples
        --------
        >>> load_rates().lookup("USD", dt.date(2026, 3, 1))  # RUB per USD
        (Decimal('90.00'), datetime.date(2026, 2, 27), 'illustrative, not a published rate')
        """
        if currency == HOME_CURRENCY:
            return Decimal(1), None, ""
        rows = self.table[(self.table["currency"] == currency) & (self.table["date"] <= on)]
        if rows.empty:
            raise InputError(f"no exchange rate for {currency} on or before {on}; add one to your rates file (--rates)")
        newest = rows.sort_values("date").iloc[-1]
        return newest["rate"], newest["date"], newest["source"]

    def factor(self, source: str, target: str, on: dt.date) -> tuple[Fraction, str]:
        """Exact factor from minor units of ``source`` to minor units of ``target``, and how it was made.

        Parameters
        ----------
        source, target : str
            ISO 4217 codes.
        on : datetime.date
            The day of the rates (each the newest on or before it).

        Returns
        -------
        (fractions.Fraction [target minor units per source minor unit], str)
            The factor, and the rates used with their dates and sources in words.

        Raises
        ------
        InputError
            A rate is missing (``lookup``).

        Examples
        --------
        >>> load_rates().factor("USD", "EUR", dt.date(2026, 3, 1))[0]  # 90.00 / 98.00 RUB
        Fraction(45, 49)
        """
        if source == target:
            return Fraction(1), f"no conversion ({source})"
        rate_from, date_from, why_from = self.lookup(source, on)
        rate_to, date_to, why_to = self.lookup(target, on)
        scale = Fraction(10) ** (minor_digits(target) - minor_digits(source))
        factor = Fraction(rate_from) / Fraction(rate_to) * scale
        said = [
            f"1 {c} = {r} {HOME_CURRENCY} ({d}, {w})"
            for c, r, d, w in ((source, rate_from, date_from, why_from), (target, rate_to, date_to, why_to))
            if d is not None
        ]
        return factor, "; ".join(said)


def load_rates(path: str | Path | None = None) -> Rates:
    """Exchange rates from a CSV of ``date``, ``currency``, ``rub_per_unit``, ``source``.

    Parameters
    ----------
    path : str or Path, optional
        The user's rates (``--rates``, ``rates`` in ``aliexp.toml``); ``None`` for the bundled,
        illustrative ones (``data/exchange_rates.csv``).

    Returns
    -------
    Rates

    Raises
    ------
    InputError
        A date that is not ``YYYY-MM-DD``, an unknown currency, a rate that is not a number or is 0
        (every bad cell at once, by line and column).

    Examples
    --------
    >>> load_rates().table.loc[0, ["date", "currency", "rate"]].tolist()
    [datetime.date(2026, 2, 27), 'USD', Decimal('90.00')]
    """
    table, name = read_data_csv(path, "exchange_rates.csv", ("date", "currency", "rub_per_unit", "source"))
    rates = parse_numbers(table, name, ("rub_per_unit",))["rub_per_unit"]
    problems = []
    dates = []
    for line, (text, code) in enumerate(zip(table["date"], table["currency"], strict=True), start=2):
        try:
            dates.append(dt.date.fromisoformat(text.strip()))
        except ValueError:
            problems.append(f"line {line}, column date: {text!r}: expected YYYY-MM-DD")
        if code.strip().upper() not in known_currencies():
            problems.append(f"line {line}, column currency: {code!r}: unknown currency")
    if any(r == 0 for r in rates):
        problems.append("column rub_per_unit: a rate of 0")
    if problems:
        raise CellError(name, problems)
    return Rates(
        pd.DataFrame(
            {
                "date": dates,
                "currency": table["currency"].str.strip().str.upper(),
                "rate": rates,
                "source": table["source"],
            }
        )
    )


def amounts_in(
    table: pd.DataFrame,
    columns: tuple[str, ...],
    currency: str,
    rates: Rates,
    on: dt.date,
    default_currency: str | None = None,
) -> tuple[dict[str, pd.arrays.IntegerArray], np.ndarray]:
    """``columns`` (minor units in each row's ``currency``) as minor units of ``currency``.

    Returns ``Int64`` arrays (missing where the amount is missing), each amount converted exactly
    and rounded half-even to a whole minor unit, and, per row, the rate used and its date in
    words. One conversion per currency, none per row.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows with ``columns`` (Int64 [minor units of the row's currency]) and ``currency``.
    columns : tuple of str
        The amount columns to convert.
    currency : str
        The target currency (ISO 4217).
    rates : Rates
    on : datetime.date
        The day of the rates.
    default_currency : str, optional
        The currency of rows without one (default: ``currency``).

    Returns
    -------
    (dict of str to pandas.arrays.IntegerArray, numpy.ndarray of str)
        Per column the amounts [minor units of ``currency``]; per row the rate used in words.

    Raises
    ------
    InputError
        A rate is missing.

    Examples
    --------
    >>> table = pd.DataFrame({"price_minor": [1000, None], "currency": ["USD", "RUB"]})
    >>> amounts, said = amounts_in(table, ("price_minor",), "RUB", load_rates(), dt.date(2026, 3, 1))
    >>> amounts["price_minor"].tolist(), said[1]  # 10.00 USD at 90.00 RUB per USD, in kopecks
    ([90000, <NA>], 'no conversion (RUB)')
    """
    n = len(table)
    values = {column: np.zeros(n, dtype=np.int64) for column in columns}
    known = {}
    for column in columns:
        given = pd.array(table[column], dtype="Int64")
        known[column] = ~np.asarray(given.isna(), dtype=bool)
        values[column] = given.to_numpy(dtype=np.int64, na_value=0)
    said_per_row = np.full(n, "", dtype=object)
    codes = table["currency"].fillna(default_currency or currency).to_numpy()
    for code in pd.unique(codes):
        mask = codes == code
        factor, said = rates.factor(code, currency, on)
        said_per_row[mask] = said
        for column in columns:
            values[column][mask] = convert_minor(values[column][mask], factor)
    out = {column: pd.arrays.IntegerArray(values[column], ~known[column]) for column in columns}
    return out, said_per_row


def convert_minor(minor: np.ndarray, factor: Fraction) -> np.ndarray:
    """``minor`` (integers) times the exact ``factor``, rounded half-even to whole minor units (int64).

    Integer arithmetic only; where ``minor * factor.numerator`` could leave int64 the products
    are taken as Python integers (exact at any size).

    Parameters
    ----------
    minor : numpy.ndarray of int
        Amounts [minor units of the source currency].
    factor : fractions.Fraction
        Target minor units per source minor unit (``Rates.factor``).

    Returns
    -------
    numpy.ndarray of int64 [minor units of the target currency]

    Examples
    --------
    >>> convert_minor(np.array([100, 150]), Fraction(1, 100))  # 1.5 -> 2: half-even
    array([1, 2])
    """
    minor = np.asarray(minor)
    if factor == 1:
        return minor.astype(np.int64)
    return half_even_div(minor.astype(np.int64), factor.numerator, factor.denominator)


def half_even_div(numerator: np.ndarray, times, denominator) -> np.ndarray:
    """``numerator * times / denominator`` rounded half-even to a whole number, element-wise, exactly.

    ``numerator`` and ``times`` are integers (arrays or scalars), ``denominator`` a positive integer
    (array or scalar). The result is int64; a product that would leave int64 is taken in Python
    integers (object arrays), never in floats.

    Parameters
    ----------
    numerator, times : int or numpy.ndarray of int
    denominator : int or numpy.ndarray of int, > 0

    Returns
    -------
    numpy.ndarray of int64

    Raises
    ------
    ValueError
        A denominator of 0 or less.

    Examples
    --------
    >>> half_even_div(np.array([5, 7, -5, 2**62]), 1, 2)
    array([                 2,                  4,                 -2, 2305843009213693952])
    """
    numerator = np.asarray(numerator)
    times, denominator = np.asarray(times), np.asarray(denominator)
    if np.any(denominator <= 0):
        raise ValueError("half_even_div needs a positive denominator")
    bits = [int(np.max(np.abs(x))).bit_length() if x.size else 0 for x in (numerator, times, denominator)]
    if bits[0] + bits[1] >= 62 or bits[2] >= 61:  # the product (or twice a remainder) might leave int64
        numerator, times, denominator = (x.astype(object) for x in (numerator, times, denominator))
    scaled = numerator * times
    quotient, remainder = scaled // denominator, scaled % denominator
    twice = 2 * remainder
    up = (twice > denominator) | ((twice == denominator) & (quotient % 2 == 1))
    return (quotient + up.astype(np.int64)).astype(np.int64)
