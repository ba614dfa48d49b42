"""What the ways out cost: return postage and payout times, and the reader of every data table.

Each table is a file in ``data/`` with its source and date; a user's file of the same shape
replaces it (``load_*(path)``). Money stays exact: postage in integer minor units. Exchange rates
and exact conversion are in ``rates``; the ranking's assumptions in ``assumptions``.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.cells import short
from aliexp_lib.errors import CellError, InputError, refuse_special_file
from aliexp_lib.money import minor_digits

#: Currency of the postage table and of amounts in the assumptions.
HOME_CURRENCY = "RUB"


def read_data_csv(
    path: str | Path | None, default: str, required: tuple[str, ...], no_row: str | None = None
) -> tuple[pd.DataFrame, str]:
    """A CSV data table, every cell as text, and its name for messages: the user's file, or ours.

    Parameters
    ----------
    path : str or Path, optional
        The user's file; ``None`` reads ``default`` from the bundled ``data/``.
    default : str
        File name in ``data/`` (e.g. ``"postage.csv"``).
    required : tuple of str
        Columns the file must have (header names are case-insensitive).
    no_row : str, optional
        What to say (after "line 2: ") of a file with a header and no row; None: no row is fine.

    Returns
    -------
    (pandas.DataFrame, str)
        The table (lower-case column names, text cells) and ``path`` or ``data/<default>``.

    Raises
    ------
    InputError
        The file cannot be read, a required column is missing (line 1), or a row is needed and none given.

    Examples
    --------
    >>> table, name = read_data_csv(None, "payout_times.csv", ("payment_method", "high_days"))
    >>> name, table.loc[0, "payment_method"], table.loc[0, "high_days"]
    ('data/payout_times.csv', 'card', '15')
    """
    if path is None:
        name, source = f"data/{default}", resources.files("aliexp_lib.data").joinpath(default)
    else:
        name, source = str(path), Path(path)
        refuse_special_file(source)  # a pipe would be waited on for ever, a device read for ever
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
    if no_row is not None and table.empty:
        raise InputError(f"{name}: line 2: {no_row}")
    return table, name


#: The largest number a setting's file may hold [its unit]: no rate, price, weight or day count comes near.
MAX_NUMBER = 10**9
#: The most decimal places a setting's number may have [digits].
MAX_PLACES = 9


def number_out_of_bounds(value: Decimal | int) -> str:
    """Why ``value`` cannot be a setting's number (over ``MAX_NUMBER``, more than ``MAX_PLACES`` decimal
    places, not finite), or ``""``; a bound that keeps exact money arithmetic in 64-bit integers.

    Examples
    --------
    >>> number_out_of_bounds(Decimal("90.00")), number_out_of_bounds(Decimal("1e400"))
    ('', 'more than 1,000,000,000 (MAX_NUMBER); a typo?')
    >>> number_out_of_bounds(Decimal("0.1234567891"))
    'more than 9 decimal places (MAX_PLACES); a typo?'
    """
    number = Decimal(value)
    if not number.is_finite() or abs(number) > MAX_NUMBER:
        return f"more than {MAX_NUMBER:,} (MAX_NUMBER); a typo?"
    if -int(number.as_tuple().exponent) > MAX_PLACES:
        return f"more than {MAX_PLACES} decimal places (MAX_PLACES); a typo?"
    return ""


def parse_numbers(table: pd.DataFrame, name: str, columns: tuple[str, ...], kind=Decimal) -> dict[str, list]:
    """Parse ``columns`` of every row as ``kind`` (0 or more); every bad cell reported at once with its line.

    Parameters
    ----------
    table : pandas.DataFrame
        Text cells, as from ``read_data_csv``; data row i is line i + 2 of the file.
    name : str
        The file's name for messages.
    columns : tuple of str
        The columns to parse.
    kind : type
        ``Decimal`` (exact amounts, the default) or ``int`` (days, grams).

    Returns
    -------
    dict of str to list
        Per column, the parsed values in row order.

    Raises
    ------
    CellError
        Each cell that is not a number of ``kind``, 0 or more, at most ``MAX_NUMBER`` with at most
        ``MAX_PLACES`` decimal places, by line, column and value.

    Examples
    --------
    >>> parse_numbers(pd.DataFrame({"low": ["250", "1,5"]}), "mine.csv", ("low",))
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.CellError: mine.csv: 1 problem:
      line 3, column low: '1,5': expected a number, 0 or more
    """
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
            else:
                too_big = number_out_of_bounds(value)
                if too_big:
                    problems.append(f"line {line}, column {column}: {short(text)!r}: {too_big}")
                    value = None
            parsed[column].append(value)
    if problems:
        raise CellError(name, problems)
    return parsed


# --- return postage ------------------------------------------------------------------------


def load_postage(path: str | Path | None = None) -> pd.DataFrame:
    """Return postage by carrier, service, tracking and weight band (``data/postage.csv``, seed L108-113).

    Parameters
    ----------
    path : str or Path, optional
        The user's table of the same shape; ``None`` for ours.

    Returns
    -------
    pandas.DataFrame
        The file's columns, ``weight_from_g``/``weight_to_g`` as int [g] (a closed interval),
        ``tracked`` as bool, and ``low_minor``/``high_minor`` (int [minor units of ``currency``]).

    Raises
    ------
    InputError
        The file cannot be read, lacks a column, or holds a bad number (by line and column).

    Examples
    --------
    >>> postage = load_postage()
    >>> band = postage[postage["tracked"]].iloc[0]
    >>> band["service"], int(band["weight_to_g"]), int(band["low_minor"]), int(band["high_minor"])
    ('small packet', 1000, 25000, 105000)
    """
    return _bundled_postage().copy() if path is None else _postage(path)


@functools.cache
def _bundled_postage() -> pd.DataFrame:
    """Our table, read once per process (every ``Setting`` without a postage file uses it)."""
    return _postage(None)


def _postage(path: str | Path | None) -> pd.DataFrame:
    table, name = read_data_csv(
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
        # no quote at all: every return would silently drop out of the ranking
        no_row="no postage row; give at least one, as in data/postage.csv",
    )
    numbers = parse_numbers(table, name, ("weight_from_g", "weight_to_g"), int)
    amounts = parse_numbers(table, name, ("low", "high"))
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

    Parameters
    ----------
    weight_g : numpy.ndarray of int [g]
    postage : pandas.DataFrame
        A table of ``load_postage``; its tracked ``HOME_CURRENCY`` bands are used, the first that covers a weight.

    Returns
    -------
    (numpy.ndarray of int64, numpy.ndarray of int64, numpy.ndarray of int64)
        low, high [minor units of ``HOME_CURRENCY``] (-1 where no band), and the band's row.

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


def _to_minor(amount: Decimal, currency: str) -> int:
    digits = minor_digits(currency.strip().upper())
    return int((amount * 10**digits).to_integral_value())


# --- payout times --------------------------------------------------------------------------


def load_payout_times(path: str | Path | None = None) -> pd.DataFrame:
    """Days [d] from a refund leaving the platform to the money arriving, by payment method (seed L422).

    Parameters
    ----------
    path : str or Path, optional
        The user's table of the same shape (``payment_method``, ``low_days``, ``high_days``,
        ``source``); ``None`` for ours.

    Returns
    -------
    pandas.DataFrame
        ``payment_method`` (lower case), ``low_days``, ``high_days`` (int [d]), ``source``, ``note``.

    Raises
    ------
    InputError
        The file cannot be read, lacks a column, or holds a bad number.

    Examples
    --------
    >>> load_payout_times().set_index("payment_method").loc["webmoney", ["low_days", "high_days"]].tolist()
    [0, 1]
    """
    return _bundled_payout_times().copy() if path is None else _payout_times(path)


@functools.cache
def _bundled_payout_times() -> pd.DataFrame:
    """Our table, read once per process (every ``compute_deadlines`` without a ``payout`` uses it)."""
    return _payout_times(None)


def _payout_times(path: str | Path | None) -> pd.DataFrame:
    table, name = read_data_csv(
        path,
        "payout_times.csv",
        ("payment_method", "low_days", "high_days", "source"),
        # the slowest payout of all is what an unknown payment method gets
        no_row="no payment method; give at least one row, such as card,7,15,my bank",
    )
    numbers = parse_numbers(table, name, ("low_days", "high_days"), int)
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

    Parameters
    ----------
    methods : pandas.Series of str
        Payment methods as the orders give them.
    payout : pandas.DataFrame
        A table of ``load_payout_times``.

    Returns
    -------
    numpy.ndarray of int64 [d]

    Examples
    --------
    >>> slowest_payout_days(pd.Series(["WebMoney", " card ", "barter"]), load_payout_times())
    array([ 1, 15, 15])
    """
    slow = dict(zip(payout["payment_method"], payout["high_days"].astype(np.int64), strict=True))
    slowest = max(slow.values())
    codes, names = pd.factorize(methods)
    per_name = np.array([slow.get(str(name).strip().lower(), slowest) for name in names], dtype=np.int64)
    return np.where(codes >= 0, per_name[codes] if len(names) else 0, slowest).astype(np.int64)
