"""The validator: a raw table of text cells to a validated ``OrderBook``; the one for every source.

Third floor of "orders in", above ``schema``, ``cells`` and ``values``. The native reader's table
and every importer's table (``OrderBook.from_frame``) come through here. Header names are
case-insensitive; unknown columns are kept as text; optional columns may be missing. Every value
is checked at once, and all problems are reported together, each with its file, line (or sheet
row), column and value.

Columns after validation (see ``schema.SCHEMA``): dates as ``datetime64`` (calendar dates, NaT if
empty), day counts as ``Int64``, the price as ``price_minor`` (``Int64`` minor units, e.g.
kopecks) beside its ISO ``currency``.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from babel import Locale

from aliexp_lib.cells import Lines, Problems, flag_duplicates, short
from aliexp_lib.chronology import KEPT, out_of_order
from aliexp_lib.column_scan import arrow_text, edge_space, has_control, has_text, is_in
from aliexp_lib.date_columns import cell_text, dates_as_read, read_as_dates, read_date_cells
from aliexp_lib.distinct import per_distinct, per_distinct_columns
from aliexp_lib.errors import InputError
from aliexp_lib.money import Money, known_currencies, minor_digits
from aliexp_lib.schema import (
    AMOUNT_COLUMNS,
    CALENDAR_COLUMNS,
    COUNT_COLUMNS,
    DAY_COLUMNS,
    PERCENT_COLUMNS,
    PROBLEMS,
    SCHEMA,
    TEXT_COLUMNS,
)
from aliexp_lib.values import NATIVE_CURRENCIES, read_currencies

_DECIMAL = re.compile(r"^[0-9]{1,12}(?:[.,][0-9]+)?$")
_WHOLE = re.compile(r"^[0-9]{1,9}(?:\.0+)?$")
#: Characters no order book holds: C0 and C1 controls but tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclasses.dataclass(frozen=True)
class OrderBook:
    """Validated orders: ``table`` has one row per order; ``warnings`` says what was assumed.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per order: dates ``datetime64[s]`` (NaT if empty), ``protection_days`` and
        ``extension_days`` ``Int64`` [d], ``<amount>_minor`` ``Int64`` [minor units of currency] beside
        ``currency`` (ISO 4217), percentages ``float`` [%].
    source : str, default "<table>"
        Where the orders were read from, for messages.
    warnings : tuple of str, default ()
        What was assumed while reading, each naming its place.

    Examples
    --------
    >>> import pandas as pd
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "8100000000000001", "shipped_at": "2025-08-03"}]))
    >>> len(book), book.source, str(book.table.loc[0, "destination"]), int(book.table.loc[0, "extension_days"])
    (1, '<table>', '', 0)
    """

    table: pd.DataFrame
    source: str = "<table>"
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.table)

    def price(self, order_id: str) -> Money | None:
        """The price paid for ``order_id``, or None where the file gives none.

        Parameters
        ----------
        order_id : str
            An order of the book (the first row with this id is used).

        Returns
        -------
        Money or None
            The exact price in the order's currency, from ``price_minor`` [minor units of currency].

        Examples
        --------
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "81", "price": "600.50", "currency": "rub"},
        ...                                           {"order_id": "82", "price": "", "currency": ""}]))
        >>> book.price("81"), book.price("82")
        (Money(amount=Decimal('600.50'), currency='RUB'), None)
        """
        row = self.table.loc[self.table["order_id"] == order_id].iloc[0]
        if pd.isna(row["price_minor"]):
            return None
        return Money.from_minor(row["price_minor"], row["currency"])

    @classmethod
    def from_frame(cls, raw: pd.DataFrame, source: str = "<table>") -> OrderBook:
        """Validate a table of text cells (as read from a file) into an order book.

        Parameters
        ----------
        raw : pandas.DataFrame
            Cells as text (missing cells become ""), header as column names; dates ``YYYY-MM-DD`` or
            ``DD.MM.YYYY``, amounts such as ``600.50`` with an ISO ``currency``.
        source : str, default "<table>"
            Where the table came from, for messages; rows are numbered as lines after a one-line header.

        Returns
        -------
        OrderBook

        Raises
        ------
        InputError
            A bad header (no ``order_id``, a name twice); ``CellError`` listing every bad value.

        Examples
        --------
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "81", "price": "1234,5", "currency": "RUB"}]))
        >>> int(book.table.loc[0, "price_minor"])
        123450
        """
        return validate(raw.fillna("").astype(str), source, Lines())


def validate(raw: pd.DataFrame, source: str, lines: Lines) -> OrderBook:
    """The order book of ``raw`` (text cells, header as column names) read from ``source``.

    Every value is checked at once (``cells.Problems``); a date outside 2000-2099 is a problem, one out
    of ``schema.CHRONOLOGY``'s order a warning (kept as given); no ``destination`` stays "" (the setting's
    destination applies, ``Analysis.destinations``).

    Parameters
    ----------
    raw : pandas.DataFrame
        Text cells ("" where empty), header as column names (case-insensitive); a date column may come
        as ``datetime64`` instead, read by the CSV reader (``date_columns``).
    source : str
        Where the table was read from, for messages.
    lines : cells.Lines
        Where each row is in the file, for messages.

    Returns
    -------
    OrderBook

    Raises
    ------
    InputError
        A bad header (no ``order_id``, a name twice); ``CellError`` listing every bad value.

    Examples
    --------
    >>> raw = pd.DataFrame({"Order_ID": ["81"], "shipped_at": ["2025-08-03"], "received_at": ["2025-08-01"]})
    >>> book = validate(raw, "orders.xlsx", Lines([5], word="row"))
    >>> print(book.warnings[0])
    orders.xlsx: row 5: received_at 2025-08-01 is before shipped_at 2025-08-03; dates kept as given
    """
    raw = _normalise_header(raw, source)
    if not raw.index.equals(pd.RangeIndex(len(raw))):  # rows are positions, for messages
        raw = raw.reset_index(drop=True)
    index = raw.index
    # The columns as a dict of Series: a frame's column look-up makes a new Series each time (~170 here).
    cells = {column: _strip(raw[column]) for column in raw.columns}
    problems = Problems(source, lines, columns=list(cells))
    _control_characters(cells, problems)

    blank = pd.Series("", index=index, dtype=str)
    order_id = cells["order_id"]
    problems.flag((order_id == "").to_numpy(), order_id, "order_id", "order_id is required")
    flag_duplicates(order_id, problems)
    # Columns gathered first and made a frame once: inserting ~40 columns one by one is most of a small book's time.
    columns: dict[str, pd.Series | str] = {"order_id": order_id}
    for column in TEXT_COLUMNS:
        columns[column] = cells.get(column, "")
    currency = _each(
        cells,
        "currency",
        lambda values, rows: read_currencies(values, rows, "currency", NATIVE_CURRENCIES),
        problems,
        blank,
    )
    no_number = pd.Series(pd.NA, index=index, dtype="Int64")  # one column for every absent one (copied on write)
    for column in AMOUNT_COLUMNS:
        columns[f"{column}_minor"] = _amount(cells, column, currency, problems, no_number)
    columns["currency"] = currency.where(currency != "", pd.NA)
    no_date = pd.Series(np.full(len(index), np.datetime64("NaT"), "datetime64[s]"), index=index)
    as_read = dates_as_read(cells)
    as_text = [column for column in CALENDAR_COLUMNS if column not in as_read]
    dates = _all(cells, as_text, read_date_cells, problems, no_date) | as_read
    columns.update({column: dates[column] for column in CALENDAR_COLUMNS})  # in the schema's order
    counts = _all(cells, (*DAY_COLUMNS, *COUNT_COLUMNS), _days, problems, no_number)
    counts["extension_days"] = counts["extension_days"].fillna(0)  # no extension: 0 days
    columns.update(counts)
    columns.update(_all(cells, PERCENT_COLUMNS, _percent, problems, pd.Series(np.nan, index=index)))
    columns["problem"] = _each(cells, "problem", _problem, problems, blank)
    columns["destination"] = _each(cells, "destination", _destination, problems, pd.Series("", index=index))
    for i, earlier, later in out_of_order(columns).itertuples(index=False):
        problems.warn(
            f"{problems.where(int(i))}: {later} {cell_text(cells[later], i)} is before {earlier} "
            f"{cell_text(cells[earlier], i)}; {KEPT}"
        )
    table = pd.DataFrame(columns, index=index, copy=False)  # each column as made: no 2-D copy
    known = set(SCHEMA)
    extra = [column for column in cells if column not in known]
    # One step: column by column is quadratic in the header.
    table = pd.concat([table, pd.DataFrame({column: cells[column] for column in extra}, index=index)], axis=1)
    for column in [*TEXT_COLUMNS, *extra]:
        if column in cells:
            formula = pc.starts_with(arrow_text(cells[column]), "=").to_numpy()
            if formula.any():
                first = int(np.flatnonzero(formula)[0])
                more = f" (and {int(formula.sum()) - 1} more cells)" if formula.sum() > 1 else ""
                problems.warn(
                    f"{problems.where(first)}, column {column}: {short(cells[column].iat[first])!r} starts like a "
                    f"spreadsheet formula; kept as text, never evaluated{more}"
                )
    problems.raise_problems()
    return OrderBook(table.reset_index(drop=True), source, tuple(problems.warnings))


def _each(raw: dict[str, pd.Series], column: str, parse, problems: Problems, missing: pd.Series) -> pd.Series:
    """``parse(values, rows)`` once per distinct value of ``column`` (``distinct.per_distinct``), or
    ``missing`` when the table has no such column or only empty cells in it (as an export's converted
    columns often are: an empty cell reads as a missing value)."""
    if not _filled(raw, column):
        return missing
    return per_distinct(raw[column], parse, problems, categorical=False)


def _all(raw: dict[str, pd.Series], names, parse, problems: Problems, missing: pd.Series) -> dict[str, pd.Series]:
    """``parse(values, rows)`` once for the distinct values of every column of ``names`` that has text
    (``distinct.per_distinct_columns``: a book's date columns share their days); ``missing`` for the rest."""
    present = [column for column in names if _filled(raw, column)]
    return dict.fromkeys(names, missing) | per_distinct_columns(raw, present, parse, problems)


def _filled(raw: dict[str, pd.Series], column: str) -> bool:
    """Whether ``raw`` has ``column`` (text) with a cell that is not empty."""
    return column in raw and has_text(raw[column])


def _control_characters(cells: dict[str, pd.Series], problems: Problems) -> None:
    """NUL in a cell is an error (a damaged or binary file); other control characters are replaced
    by spaces in ``cells``, with a warning per column."""
    for column, values in cells.items():
        if read_as_dates(values) or not has_control(values):  # one scan; cells are looked at only if needed
            continue
        nul = values.str.contains("\x00", regex=False).to_numpy()
        problems.flag(nul, values, column, "contains a NUL character (\\x00); the file is damaged or not text")
        other = values.str.contains(_CONTROL).to_numpy() & ~nul
        if other.any():
            i = int(np.flatnonzero(other)[0])
            more = f" (and {int(other.sum()) - 1} more cells)" if other.sum() > 1 else ""
            problems.warn(
                f"{problems.where(i)}, column {column}: {short(values.iat[i])!r}: control characters "
                f"replaced by spaces{more}"
            )
            cells[column] = values.where(~other, values.str.replace(_CONTROL, " ", regex=True))


def _normalise_header(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Header names stripped and lower-cased; ``InputError`` for a name twice or no ``order_id``."""
    names = [str(c).strip().lower() for c in raw.columns]
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise InputError(f"{source}: line 1: column {name!r} appears twice (columns {seen[name]} and {position})")
        seen[name] = position
    if "order_id" not in seen:
        found = ", ".join(repr(n) for n in names[:8])
        raise InputError(f"{source}: line 1: no order_id column; the header has {found}")
    return raw.set_axis(names, axis=1)


def _strip(column: pd.Series) -> pd.Series:
    """``column`` without leading and trailing white space (one scan of the column first: usually none)."""
    if read_as_dates(column) or not edge_space(column):
        return column
    return pd.Series([v.strip() for v in column.tolist()], index=column.index, dtype=column.dtype)


def _match(text: pd.Series, pattern: re.Pattern) -> pd.Series:
    """Which cells are not empty and match ``pattern`` (run on distinct values: see ``distinct.per_distinct``)."""
    return pd.Series([bool(v) and pattern.match(v) is not None for v in text.tolist()], index=text.index, dtype=bool)


def _days(text: pd.Series, rows) -> pd.Series:
    """Whole numbers (``Int64``, NA where empty or bad), a problem for anything else."""
    whole = _match(text, _WHOLE)
    rows.flag(((text != "") & ~whole).to_numpy(), text, "", "expected a whole number, 0 or more, under 10^9")
    return pd.to_numeric(text.where(whole).str.replace(r"\.0+$", "", regex=True), errors="coerce").astype("Int64")


def _amount(
    raw: dict[str, pd.Series], column: str, currency: pd.Series, problems: Problems, no_amount: pd.Series
) -> pd.Series:
    """An amount in the order's currency as exact minor units; ``1234.5`` and ``1234,5`` both read as 1234.50.

    ASCII digits only, whole numbers under 10^12; checked and converted by Arrow's string kernels on
    the whole column (no float is involved: the digits without the point are read as an integer and
    scaled by the currency's decimal places). ``no_amount`` (all NA) where the table has no such column.
    """
    if column not in raw:
        return no_amount
    text = pc.replace_substring(arrow_text(raw[column]), ",", ".")
    length = pc.binary_length(text).to_numpy()
    filled = length > 0
    point = pc.find_substring(text, ".").to_numpy()
    whole = np.where(point < 0, length, point)
    digits = pc.replace_substring(text, ".", "", max_replacements=1)
    number = pc.and_(pc.string_is_ascii(text), pc.ascii_is_decimal(digits)).to_numpy(zero_copy_only=False)
    number &= (whole >= 1) & (whole <= 12) & (point != length - 1)
    problems.flag(
        filled & ~number, raw[column], column, "expected an amount such as 600 or 600.50, 0 or more, under 10^12"
    )
    given = raw["currency"] if "currency" in raw else pd.Series("", index=currency.index, dtype=str)
    problems.flag(
        filled & (currency == "").to_numpy(), given, "currency", f"{column} needs its currency (ISO code such as RUB)"
    )
    places = np.where(point < 0, 0, length - point - 1)
    minor, unknown = np.zeros(len(currency), np.int64), np.ones(len(currency), bool)  # NA where unknown
    good = filled & number
    for code in pd.unique(currency[good]):
        if code not in known_currencies():  # flagged as the currency's own problem
            continue
        rows = good & (currency == code).to_numpy()
        currency_places = minor_digits(code)
        too_fine = rows & (places > currency_places)
        problems.flag(too_fine, raw[column], column, f"more decimal places than {code} has ({currency_places})")
        rows &= ~too_fine
        at = np.flatnonzero(rows)  # at most 12 + 3 digits: int64 holds them
        read = digits if len(at) == len(rows) else digits.take(pa.array(at))  # every row, as usual: no copy
        minor[at] = pc.cast(read, pa.int64()).to_numpy() * 10 ** (currency_places - places[at])
        unknown[at] = False
    return pd.Series(pd.arrays.IntegerArray(minor, unknown), index=currency.index)


def _percent(values: pd.Series, rows) -> pd.Series:
    """A percentage 0-100 (``97.5`` or ``97,5``; a trailing ``%`` is allowed)."""
    text = values.str.replace(",", ".", regex=False).str.removesuffix("%").str.strip()
    value = pd.to_numeric(text.where(_match(text, _DECIMAL)), errors="coerce")
    rows.flag(
        ((text != "") & (value.isna() | (value > 100))).to_numpy(), values, "", "expected a percentage from 0 to 100"
    )
    return value.astype(float)


def _problem(values: pd.Series, rows) -> pd.Series:
    """The ``problem`` column lower-cased; a value not in ``schema.PROBLEMS`` is a problem."""
    problem = values.str.lower()
    rows.flag(
        ((problem != "") & ~is_in(problem, PROBLEMS)).to_numpy(),
        values,
        "problem",
        f"unknown problem; expected one of {', '.join(PROBLEMS)}",
    )
    return problem


@cache
def _countries() -> frozenset[str]:
    """ISO 3166 two-letter country codes CLDR knows (English territory names)."""
    return frozenset(c for c in Locale("en").territories if isinstance(c, str) and len(c) == 2 and c.isalpha())


def _destination(values: pd.Series, rows) -> pd.Series:
    """ISO country codes, upper-cased; "" where empty (the setting's ``destination`` applies there)."""
    code = values.str.upper()
    rows.flag(
        ((code != "") & ~is_in(code, _countries())).to_numpy(),
        values,
        "destination",
        "unknown country; expected an ISO code such as RU",
    )
    return code
