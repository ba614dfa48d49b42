"""Exchange rates, dated, and exact conversion between currencies' minor units.

A rate comes from the buyer's bank file (``HOME_CURRENCY`` per unit of a currency on a date,
``--rates``), which wins, else from the ECB's reference rates (``ecb``, offline); a conversion uses
the newest rate on or before the day asked and says which and of what date. Where neither has a
rate, nothing is converted: the amount stays in its own currency and the views say which rate is
missing (``missing_rates_note``). Every conversion is integer arithmetic rounded half-even to a
whole minor unit, never a float.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import functools
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.costs import HOME_CURRENCY, parse_numbers, read_data_csv
from aliexp_lib.ecb import SOURCE, ecb_rate
from aliexp_lib.errors import CellError, InputError
from aliexp_lib.i18n import _
from aliexp_lib.money import known_currencies, minor_digits

#: The format of the buyer's bank file, as the note on a missing rate says it.
RATES_FORMAT = "date,currency,rub_per_unit,source"


@dataclasses.dataclass(frozen=True)
class Rates:
    """Dated exchange rates: the buyer's bank file (``HOME_CURRENCY`` per unit), then the ECB's.

    A conversion takes the bank file's rates where it has both currencies (it wins), else the ECB
    reference rates (``ecb``) where they cover both, each the newest on or before the day asked;
    else there is no rate and the amount stays in its own currency.

    Attributes
    ----------
    table : pandas.DataFrame
        The bank file: ``date`` (datetime.date), ``currency`` (ISO 4217), ``rate`` (Decimal [RUB per
        unit]), ``source`` (where the rate comes from). Empty without a file.
    ecb : bool
        Whether the ECB reference rates are used where the bank file has none.

    Examples
    --------
    >>> factor, said = load_rates().factor("USD", "EUR", dt.date(2024, 1, 7))  # a Sunday
    >>> factor, said
    (Fraction(10000, 10921), '1 EUR = 1.0921 USD (ECB reference rate of 2024-01-05)')
    >>> load_rates().factor("USD", "RUB", dt.date(2024, 1, 5))[0] is None  # the ECB has no RUB since 2022
    True
    """

    table: pd.DataFrame
    ecb: bool = True

    def lookup(self, currency: str, on: dt.date) -> tuple[Decimal, dt.date | None, str] | None:
        """The bank file's newest rate of ``currency`` dated on or before ``on``: (rate, its date, source).

        Parameters
        ----------
        currency : str
            ISO 4217 code; ``HOME_CURRENCY`` is 1 with no date.
        on : datetime.date
            The day the rate is wanted for.

        Returns
        -------
        (Decimal [HOME_CURRENCY per unit], datetime.date or None, str) or None
            ``None`` where the file has no rate of ``currency`` on or before ``on``.

        Examples
        --------
        >>> example = load_rates(resources.files("aliexp_lib.data") / "exchange_rates_example.csv")
        >>> example.lookup("USD", dt.date(2026, 3, 1))  # RUB per USD
        (Decimal('90.00'), datetime.date(2026, 2, 27), 'illustrative example, not a published rate')
        """
        if currency == HOME_CURRENCY:
            return Decimal(1), None, ""
        dates, rates = self._dated.get(currency, ([], []))
        at = bisect.bisect_right(dates, on)  # the last dated on or before ``on`` (of one day, the file's last)
        return rates[at - 1] if at else None

    @functools.cached_property
    def _dated(self) -> dict[str, tuple[list[dt.date], list[tuple[Decimal, dt.date, str]]]]:
        """Per currency, its rates' dates ascending (one day's in file order) and each (rate, date, source):
        a look-up is a bisection, not a filter of the table (a book of many order days asks hundreds)."""
        dated: dict[str, tuple[list, list]] = {}
        for rate, day, code, source in sorted(
            zip(self.table["rate"], self.table["date"], self.table["currency"], self.table["source"], strict=True),
            key=lambda row: row[1],  # stable: one day's rates stay in file order
        ):
            dates, rates = dated.setdefault(code, ([], []))
            dates.append(day)
            rates.append((rate, day, source))
        return dated

    def factor(self, source: str, target: str, on: dt.date) -> tuple[Fraction | None, str]:
        """Exact factor from minor units of ``source`` to minor units of ``target``, and how it was made.

        Parameters
        ----------
        source, target : str
            ISO 4217 codes.
        on : datetime.date
            The day of the rates (each the newest on or before it).

        Returns
        -------
        (fractions.Fraction [target minor units per source minor unit] or None, str)
            The factor, and the rates used with their dates and sources in words; ``None`` and the
            missing rate in words where neither the bank file nor the ECB has both currencies.

        Examples
        --------
        >>> load_rates().factor("CHF", "EUR", dt.date(2024, 1, 5))
        (Fraction(250, 233), '1 EUR = 0.932 CHF (ECB reference rate of 2024-01-05)')
        >>> load_rates().factor("USD", "RUB", dt.date(2024, 1, 5))[1]
        'no exchange rate from USD to RUB on or before 2024-01-05'
        """
        if source == target:
            return Fraction(1), f"no conversion ({source})"
        scale = Fraction(10) ** (minor_digits(target) - minor_digits(source))
        bank = (self.lookup(source, on), self.lookup(target, on))
        if bank[0] is not None and bank[1] is not None:
            said = [
                f"1 {c} = {r} {HOME_CURRENCY} ({d}, {w})"
                for c, (r, d, w) in ((source, bank[0]), (target, bank[1]))
                if d is not None
            ]
            return Fraction(bank[0][0]) / Fraction(bank[1][0]) * scale, "; ".join(said)
        ecb = (ecb_rate(source, on), ecb_rate(target, on)) if self.ecb else (None, None)
        if ecb[0] is not None and ecb[1] is not None:
            said = [f"1 EUR = {r} {c} ({SOURCE} of {d})" for c, (r, d) in ((source, ecb[0]), (target, ecb[1])) if d]
            return Fraction(ecb[1][0]) / Fraction(ecb[0][0]) * scale, "; ".join(said)
        return None, f"no exchange rate from {source} to {target} on or before {on}"


def load_rates(path: str | Path | Traversable | None = None, *, ecb: bool = True) -> Rates:
    """The buyer's bank rates from a CSV of ``date``, ``currency``, ``rub_per_unit``, ``source``, with the ECB's.

    Parameters
    ----------
    path : str or Path, optional
        The bank file (``--rates``, ``rates`` in ``aliexp.toml``); ``None`` for none (the ECB
        reference rates only). ``data/exchange_rates_example.csv`` shows the format; its figures are
        illustrative, not published rates.
    ecb : bool, default True
        Use the ECB reference rates where the file has none.

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
    >>> example = load_rates(resources.files("aliexp_lib.data") / "exchange_rates_example.csv")
    >>> example.table.loc[0, ["date", "currency", "rate"]].tolist()
    [datetime.date(2026, 2, 27), 'USD', Decimal('90.00')]
    >>> len(load_rates().table)
    0
    """
    if path is None:
        empty: dict[str, list] = {"date": [], "currency": [], "rate": [], "source": []}
        return Rates(pd.DataFrame(empty, dtype=object), ecb)
    name = str(path)
    with resources.as_file(path) if isinstance(path, Traversable) else contextlib.nullcontext(path) as where:
        table, _ = read_data_csv(where, "", ("date", "currency", "rub_per_unit", "source"))
    if isinstance(path, Traversable):
        name = f"data/{path.name}"
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
    columns = {"date": dates, "currency": table["currency"].str.strip().str.upper(), "rate": rates}
    return Rates(pd.DataFrame({**columns, "source": table["source"]}), ecb)


def amounts_in(
    table: pd.DataFrame,
    columns: tuple[str, ...],
    currency: str,
    rates: Rates,
    on: dt.date,
    default_currency: str | None = None,
    days: pd.Series | None = None,
) -> tuple[dict[str, pd.arrays.IntegerArray], np.ndarray, np.ndarray]:
    """``columns`` (minor units in each row's ``currency``) as minor units of ``currency`` where a rate is known.

    Each amount is converted exactly and rounded half-even to a whole minor unit, at the rates of
    the row's day (``days``, else ``on``); a row whose currency has no rate that day keeps its
    amounts in its own currency. One conversion per (currency, day), none per row.

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
        The day of the rates of rows without a day of their own.
    default_currency : str, optional
        The currency of rows without one (default: ``currency``).
    days : pandas.Series of datetime64, optional
        Per row, the day of its rates (the order's or the refund's date); missing: ``on``.

    Returns
    -------
    (dict of str to pandas.arrays.IntegerArray, numpy.ndarray of str, numpy.ndarray of str)
        Per column the amounts [minor units of the row's currency out]; per row the rate used (or
        the missing one) in words; per row the currency of the amounts (``currency`` where
        converted, else the row's own).

    Examples
    --------
    >>> table = pd.DataFrame({"price_minor": [1000, None, 500], "currency": ["USD", "RUB", "CHF"]})
    >>> days = pd.Series(pd.to_datetime(["2024-01-05", None, "2024-01-06"]))
    >>> amounts, said, shown = amounts_in(table, ("price_minor",), "EUR", load_rates(), dt.date(2024, 2, 1), days=days)
    >>> amounts["price_minor"].tolist(), shown.tolist()  # 10.00 USD at 1.0921 USD per EUR; RUB has no ECB rate
    ([916, <NA>, 536], ['EUR', 'RUB', 'EUR'])
    >>> said[1]
    'no exchange rate from RUB to EUR on or before 2024-02-01'
    """
    n = len(table)
    values, known = {}, {}
    for column in columns:
        given = pd.array(table[column], dtype="Int64")
        known[column] = ~np.asarray(given.isna(), dtype=bool)
        values[column] = given.to_numpy(dtype=np.int64, na_value=0)
    said_per_row = np.full(n, "", dtype=object)
    codes = table["currency"].fillna(default_currency or currency).to_numpy().astype(object)
    shown = codes.copy()
    day = np.full(n, np.datetime64(on, "D"))
    if days is not None:
        given_days = pd.to_datetime(days).to_numpy().astype("datetime64[D]")
        day = np.where(np.isnat(given_days), day, given_days)
    groups = pd.DataFrame({"code": codes, "day": day}).groupby(["code", "day"], sort=False).indices
    for (code, when), at in groups.items():  # one conversion per distinct (currency, day)
        factor, said = rates.factor(code, currency, pd.Timestamp(when).date())
        said_per_row[at] = said
        if factor is None:
            continue
        shown[at] = currency
        for column in columns:
            values[column][at] = convert_minor(values[column][at], factor)
    out = {column: pd.arrays.IntegerArray(values[column], ~known[column]) for column in columns}
    return out, said_per_row, shown


def missing_rates_note(codes, target: str, lang: str = "en") -> str:
    """The one note of a view whose amounts in ``codes`` could not be shown in ``target``: "" for none.

    Parameters
    ----------
    codes : iterable of str
        The currencies left in their own currency (ISO 4217), in any order, repeated or not.
    target : str
        The display currency.
    lang : str, default "en"

    Returns
    -------
    str

    Examples
    --------
    >>> print(missing_rates_note(["USD", "CHF", "USD"], "RUB"))  # doctest: +NORMALIZE_WHITESPACE
    No exchange rate into RUB for CHF, USD on the orders' dates: their amounts are shown in their own
    currency, totals per currency. To convert them, give your bank's rates with --rates FILE, a CSV of
    date,currency,rub_per_unit,source (e.g. 2026-02-27,USD,90.00,my bank).
    """
    missing = sorted({str(c) for c in codes} - {target})
    if not missing:
        return ""
    return _(
        "No exchange rate into {target} for {missing} on the orders' dates: their amounts are shown in their own "
        "currency, totals per currency. To convert them, give your bank's rates with --rates FILE, a CSV of {format} "
        "(e.g. {example}).",
        lang,
    ).format(target=target, missing=", ".join(missing), format=RATES_FORMAT, example="2026-02-27,USD,90.00,my bank")


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
    try:
        return half_even_div(minor.astype(np.int64), factor.numerator, factor.denominator)
    except OverflowError:
        raise InputError(
            f"an amount converted at the exchange rate {float(factor):g} (minor units per minor unit) is too large "
            "to count exactly (over 2^63 minor units); check the largest prices and the rates file"
        ) from None


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
