"""What the ways out cost: return postage, exchange rates, payout times, and the assumptions.

Each table is a file in ``data/`` with its source and date; a user's file of the same shape
replaces it (``load_*(path)``). Money stays exact: postage in integer minor units, rates as
exact decimals, conversions rounded half-even to the target currency's minor unit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.errors import CellError, InputError
from aliexp_lib.money import known_currencies, minor_digits

#: Currency of the postage table and of amounts in the assumptions.
HOME_CURRENCY = "RUB"


def _read(path: str | Path | None, default: str, required: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    """A CSV data table (all text) and its name for messages: the user's file, or ours."""
    if path is None:
        name, source = f"data/{default}", resources.files("aliexp_lib.data").joinpath(default)
    else:
        name, source = str(path), Path(path)
    try:
        table = pd.read_csv(source, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{name}: cannot read ({exc})") from None
    table.columns = [c.strip().lower() for c in table.columns]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputError(
            f"{name}: line 1: missing columns {', '.join(missing)}; the header has {', '.join(table.columns)}"
        )
    return table, name


def _numbers(table: pd.DataFrame, name: str, columns: tuple[str, ...], kind=Decimal) -> dict[str, list]:
    """Parse ``columns`` of every row as ``kind``; collect every bad cell with its line."""
    problems: list[str] = []
    parsed: dict[str, list] = {c: [] for c in columns}
    for column in columns:
        for line, text in enumerate(table[column], start=2):
            try:
                value = kind(text.strip())
                if value < 0:
                    raise ValueError
            except (InvalidOperation, ValueError):
                problems.append(f"line {line}, column {column}: {text!r}: expected a number, 0 or more")
                value = None
            parsed[column].append(value)
    if problems:
        raise CellError(name, problems)
    return parsed


# --- return postage ------------------------------------------------------------------------


def load_postage(path: str | Path | None = None) -> pd.DataFrame:
    """Postage ranges by carrier, service, tracked and weight band [g]; ``low``/``high`` in minor units."""
    table, name = _read(
        path,
        "postage.csv",
        (
            "carrier",
            "service",
            "tracked",
            "weight_from_g",
            "weight_to_g",
            "low",
            "high",
            "currency",
            "source",
            "applies_from",
        ),
    )
    numbers = _numbers(table, name, ("weight_from_g", "weight_to_g"), int)
    amounts = _numbers(table, name, ("low", "high"))
    out = table.copy()
    for column in ("weight_from_g", "weight_to_g"):
        out[column] = numbers[column]
    for column in ("low", "high"):
        out[f"{column}_minor"] = [_to_minor(a, c) for a, c in zip(amounts[column], table["currency"], strict=True)]
    out["tracked"] = table["tracked"].str.strip().str.lower().eq("true")
    return out


def postage_range(weight_g: np.ndarray, postage: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tracked return postage for each weight [g]: (low, high) minor units of ``HOME_CURRENCY``, and the
    row of ``postage`` used (-1 where no band covers the weight). Rule 18: a return must be tracked.

    Examples
    --------
    >>> postage_range(np.array([300, 1500, 99999]), load_postage())  # weights [g]
    (array([ 25000, 200000,     -1]), array([105000, 200000,     -1]), array([ 1,  2, -1]))
    """
    tracked = postage[postage["tracked"] & (postage["currency"] == HOME_CURRENCY)].reset_index()
    low = np.full(len(weight_g), -1, dtype=np.int64)
    high = np.full(len(weight_g), -1, dtype=np.int64)
    row = np.full(len(weight_g), -1, dtype=np.int64)
    for band in tracked.itertuples():  # a few weight bands, not orders
        inside = (weight_g >= band.weight_from_g) & (weight_g <= band.weight_to_g) & (row < 0)
        low[inside], high[inside], row[inside] = band.low_minor, band.high_minor, band.index
    return low, high, row


# --- exchange rates ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Rates:
    """Dated exchange rates as ``HOME_CURRENCY`` per unit: rows of (date, currency, rate, source)."""

    table: pd.DataFrame

    def lookup(self, currency: str, on: dt.date) -> tuple[Decimal, dt.date | None, str]:
        """The newest rate of ``currency`` dated on or before ``on``: (rate, its date, source); ``InputError`` if none.

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
    """Exchange rates: columns ``date``, ``currency``, ``rub_per_unit``, ``source``."""
    table, name = _read(path, "exchange_rates.csv", ("date", "currency", "rub_per_unit", "source"))
    rates = _numbers(table, name, ("rub_per_unit",))["rub_per_unit"]
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


def chance(value) -> Fraction:
    """A probability or share read exactly: a ``Decimal``, an int, a ``Fraction``, or a float by its
    shortest text (``0.7`` is 7/10, the number the user wrote)."""
    if isinstance(value, (float, np.floating)):
        return Fraction(Decimal(repr(float(value))))
    return Fraction(value)


def _to_minor(amount: Decimal, currency: str) -> int:
    digits = minor_digits(currency.strip().upper())
    return int((amount * 10**digits).to_integral_value())


# --- payout times --------------------------------------------------------------------------


def load_payout_times(path: str | Path | None = None) -> pd.DataFrame:
    """Days from the refund leaving the platform to the money arriving, by payment method (lower case)."""
    table, name = _read(path, "payout_times.csv", ("payment_method", "low_days", "high_days", "source"))
    numbers = _numbers(table, name, ("low_days", "high_days"), int)
    return pd.DataFrame(
        {
            "payment_method": table["payment_method"].str.strip().str.lower(),
            "low_days": numbers["low_days"],
            "high_days": numbers["high_days"],
            "source": table["source"],
            "note": table.get("note", ""),
        }
    )


def slowest_payout_days(methods: pd.Series, payout: pd.DataFrame) -> np.ndarray:
    """Days [d] to the money's arrival at the slow end for each payment method (case and spaces
    ignored); a method not in ``payout`` gets the slowest of all. Each distinct method is looked up once.

    Examples
    --------
    >>> slowest_payout_days(pd.Series(["WebMoney", " card ", "barter"]), load_payout_times())
    array([ 1, 15, 15])
    """
    slow = payout.set_index("payment_method")["high_days"]
    codes, names = pd.factorize(methods)
    per_name = pd.Series(names, dtype=object).str.strip().str.lower().map(slow).fillna(slow.max())
    return np.where(codes >= 0, per_name.to_numpy(np.int64)[codes] if len(names) else 0, slow.max()).astype(np.int64)


# --- assumptions ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Assumptions:
    """Named guesses the ranking depends on (``data/assumptions.toml``): id -> exact ``Decimal`` value, and notes."""

    values: Mapping[str, Decimal]
    notes: Mapping[str, str]
    units: Mapping[str, str]
    changed: frozenset[str] = frozenset()

    def __getitem__(self, key: str) -> Decimal:
        return self.values[key]

    def to_frame(self) -> pd.DataFrame:
        # shown as numbers (0.85, 500.0) as before; the engine reads ``values`` exactly
        return pd.DataFrame(
            {
                "id": list(self.values),
                "value": [float(v) for v in self.values.values()],
                "unit": [self.units[k] for k in self.values],
                "changed": [k in self.changed for k in self.values],
                "note": [self.notes[k] for k in self.values],
            }
        )


def load_assumptions(path: str | Path | None = None, overrides: Mapping[str, object] | None = None) -> Assumptions:
    """Our assumptions, then the user's TOML file ``path`` (``[[assumption]]`` id, value), then ``overrides``.

    Examples
    --------
    >>> load_assumptions(overrides={"time_rate": "300"}).changed, load_assumptions()["p_win_not_received"]
    (frozenset({'time_rate'}), Decimal('0.85'))
    """
    default = resources.files("aliexp_lib.data").joinpath("assumptions.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(default, parse_float=Decimal)["assumption"]  # 0.85 is 85/100, not a binary float
    values = {e["id"]: _exact(e["value"]) for e in entries}
    notes = {e["id"]: e["note"] for e in entries}
    units = {e["id"]: e["unit"] for e in entries}
    changed: dict[str, object] = {}
    if path is not None:
        try:
            mine = tomllib.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal).get("assumption", [])
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{path}: cannot read the assumptions file ({exc})") from None
        changed.update({e.get("id"): e.get("value") for e in mine})
    changed.update(overrides or {})
    for key, value in changed.items():
        if key not in values:
            raise InputError(f"unknown assumption {key!r}; known: {', '.join(values)}")
        try:
            number = _exact(value)
        except (TypeError, ValueError, InvalidOperation):
            raise InputError(f"assumption {key}: {value!r} is not a number") from None
        if not number.is_finite() or number < 0 or (units[key] == "probability" and number > 1):
            raise InputError(f"assumption {key}: {value!r} is out of range ({units[key]})")
        values[key] = number
    return Assumptions(values, notes, units, frozenset(changed))


def _exact(value) -> Decimal:
    """An assumption's value as an exact ``Decimal``: TOML numbers (read as ``Decimal``), ints, text
    such as ``"0.7"``, or a float by its shortest text (``0.7`` -> ``Decimal("0.7")``)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    if isinstance(value, (float, np.floating)):
        return Decimal(repr(float(value)))
    if isinstance(value, str):
        return Decimal(value.strip())
    raise TypeError(f"not a number: {value!r}")
