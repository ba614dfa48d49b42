"""The order book: the buyer's orders as one validated table.

Read from CSV (UTF-8, comma-separated, header on the first line) or XLSX (first sheet, header on
the first row). Header names are case-insensitive; unknown columns are kept as text; optional
columns may be missing. Every value is checked at once, and all problems are reported together,
each with its file, line (or sheet row), column and value. The user's file is only read.

Columns after loading (see ``SCHEMA``): dates as ``datetime64`` (calendar dates, NaT if empty),
day counts as ``Int64``, the price as ``price_minor`` (``Int64`` minor units, e.g. kopecks) beside
its ISO ``currency``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
from babel import Locale

from aliexp_lib.errors import CellError, InputError
from aliexp_lib.money import Money, known_currencies, minor_digits

#: Dated events of an order, in the order they usually happen.
DATE_COLUMNS = (
    "ordered_at",
    "shipped_at",
    "last_tracking_update_at",
    "received_at",
    "confirmed_at",
    "dispute_opened_at",
    "dispute_escalated_at",
    "return_address_at",
    "return_shipped_at",
    "refund_issued_at",
    "refund_received_at",
)
#: Whole numbers of days.
DAY_COLUMNS = ("protection_days", "extension_days")
TEXT_COLUMNS = ("store", "title", "shipping_method", "tracking_number", "payment_method")
#: Amounts in the order's currency, held as ``<name>_minor`` (exact minor units).
AMOUNT_COLUMNS = ("price", "offer_partial", "value_if_kept", "postage_quote")
COUNT_COLUMNS = ("weight_g", "store_orders")
PERCENT_COLUMNS = ("seller_rating", "cashback_rate")
#: What went wrong with an order (the ``problem`` column).
PROBLEMS = ("not_received", "defective", "not_as_described", "wrong_item", "incomplete", "arrived_after_refund", "duplicate")
#: Every column the engines know, in the documented order of the input file.
SCHEMA = (
    "order_id", "store", "title", "price", "currency", "ordered_at", "shipped_at", "protection_days",
    "extension_days", "destination", "shipping_method", "tracking_number", "payment_method", "received_at",
    "confirmed_at", "dispute_opened_at", "dispute_escalated_at", "return_address_at", "return_shipped_at",
    "refund_issued_at", "refund_received_at", "last_tracking_update_at",
    # What went wrong and the facts the resolution needs (all optional).
    "problem", "weight_g", "postage_quote", "offer_partial", "value_if_kept", "seller_rating", "store_opened_at", "store_orders",
    "cashback_rate",
)
DEFAULT_DESTINATION = "RU"

#: (earlier, later): the later event cannot happen before the earlier one.
_CHRONOLOGY = (
    ("ordered_at", "shipped_at"),
    ("shipped_at", "last_tracking_update_at"),
    ("shipped_at", "received_at"),
    ("shipped_at", "confirmed_at"),
    ("shipped_at", "dispute_opened_at"),
    ("dispute_opened_at", "dispute_escalated_at"),
    ("dispute_opened_at", "return_address_at"),
    ("return_address_at", "return_shipped_at"),
    ("refund_issued_at", "refund_received_at"),
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DOTTED_DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
_DECIMAL = re.compile(r"^\d{1,12}(?:[.,]\d+)?$")
_WHOLE = re.compile(r"^\d+(?:\.0+)?$")
_EARLIEST, _LATEST = np.datetime64("2000-01-01"), np.datetime64("2099-12-31")


@dataclasses.dataclass(frozen=True)
class OrderBook:
    """Validated orders: ``table`` has one row per order; ``warnings`` says what was assumed."""

    table: pd.DataFrame
    source: str = "<table>"
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.table)

    def price(self, order_id: str) -> Money | None:
        """The price paid for ``order_id``, or None where the file gives none."""
        row = self.table.loc[self.table["order_id"] == order_id].iloc[0]
        if pd.isna(row["price_minor"]):
            return None
        return Money.from_minor(row["price_minor"], row["currency"])

    @classmethod
    def from_frame(cls, raw: pd.DataFrame, source: str = "<table>") -> OrderBook:
        """Validate a table of text cells (as read from a file) into an order book."""
        return _validate(raw.fillna("").astype(str), source, _RowNumbers(header_line=1))


def load_orders(path: str | Path) -> OrderBook:
    """Read and validate the orders of a ``.csv`` or ``.xlsx`` file; raise ``InputError`` if bad."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw, rows = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw, rows = _read_xlsx(path)
    else:
        raise InputError(f"{path}: unknown file type {path.suffix!r}; expected .csv or .xlsx")
    return _validate(raw, str(path), rows)


class _RowNumbers:
    """Where data row ``i`` of a table is in its file, for messages."""

    def __init__(self, header_line: int = 1, lines: list[int] | None = None, word: str = "line"):
        self.header_line, self.lines, self.word = header_line, lines, word

    def __call__(self, i: int) -> str:
        number = self.lines[i] if self.lines is not None else self.header_line + 1 + i
        return f"{self.word} {number}"


class _CsvRowNumbers(_RowNumbers):
    """Physical line where each CSV record starts; found by a second read, only when needed."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def __call__(self, i: int) -> str:
        if self.lines is None:
            reader = csv.reader(io.StringIO(self.text))
            starts, line = [], 1
            for record in reader:
                if record:  # pandas skips blank lines
                    starts.append(line)
                line = reader.line_num + 1
            self.lines = starts[1:]
        return super().__call__(i)


def _read_csv(path: Path) -> tuple[pd.DataFrame, _RowNumbers]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}: line {line}: not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8 CSV") from None
    if not text.strip():
        raise InputError(f"{path}: the file is empty; expected a header line with at least order_id")
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({exc})") from None
    return raw, _CsvRowNumbers(text)


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, _RowNumbers]:
    try:
        raw = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False, na_filter=False, engine="openpyxl")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputError(f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    return raw, _RowNumbers(header_line=1, word="row")


def _validate(raw: pd.DataFrame, source: str, where: _RowNumbers) -> OrderBook:
    raw = _normalise_header(raw, source)
    raw = raw.apply(lambda column: column.str.strip())
    problems: list[tuple[int, str, str, str]] = []  # row, column, value, what is wrong
    warnings: list[str] = []

    def flag(bad: np.ndarray, column: str, message: str) -> None:
        for i in np.flatnonzero(bad):
            problems.append((int(i), column, raw[column].iat[i] if column in raw else "", message))

    table = pd.DataFrame(index=raw.index)
    order_id = raw["order_id"]
    flag((order_id == "").to_numpy(), "order_id", "order_id is required")
    duplicated = order_id.duplicated(keep="first") & (order_id != "")
    for i in np.flatnonzero(duplicated.to_numpy()):
        first = int(np.flatnonzero((order_id == order_id.iat[i]).to_numpy())[0])
        problems.append((int(i), "order_id", order_id.iat[i], f"duplicate order_id, first on {where(first)}"))
    table["order_id"] = order_id
    for column in TEXT_COLUMNS:
        table[column] = raw[column] if column in raw else ""
    currency = _currency(raw, flag)
    for column in AMOUNT_COLUMNS:
        table[f"{column}_minor"] = _amount(raw, column, currency, flag)
    table["currency"] = currency.where(currency != "", pd.NA)
    for column in DATE_COLUMNS:
        table[column] = _dates(raw, column, flag)
    for column in DAY_COLUMNS:
        table[column] = _days(raw, column, flag)
    for column in COUNT_COLUMNS:
        table[column] = _days(raw, column, flag)
    for column in PERCENT_COLUMNS:
        table[column] = _percent(raw, column, flag)
    table["store_opened_at"] = _dates(raw, "store_opened_at", flag)
    table["problem"] = _problem(raw, flag)
    table["extension_days"] = table["extension_days"].fillna(0)
    table["destination"] = _destination(raw, flag)
    for earlier, later in _CHRONOLOGY:
        wrong = (table[later] < table[earlier]).to_numpy()
        for i in np.flatnonzero(wrong):
            warnings.append(
                f"{source}: {where(int(i))}: {later} {raw[later].iat[i]} is before {earlier} {raw[earlier].iat[i]}; "
                "dates kept as given"
            )
    for column in raw.columns.difference(SCHEMA, sort=False):
        table[column] = raw[column]
    if problems:
        problems.sort(key=lambda p: (p[0], raw.columns.get_loc(p[1]) if p[1] in raw else len(raw.columns)))
        raise CellError(source, [f"{where(i)}, column {c}: {v!r}: {m}" for i, c, v, m in problems])
    return OrderBook(table.reset_index(drop=True), source, tuple(warnings))


def _normalise_header(raw: pd.DataFrame, source: str) -> pd.DataFrame:
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


def _dates(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    """Calendar dates from ``YYYY-MM-DD`` (a time part is dropped) or ``DD.MM.YYYY``."""
    if column not in raw:
        return pd.Series(np.full(len(raw), np.datetime64("NaT"), "datetime64[s]"), index=raw.index)
    text = raw[column]
    iso = text.str.match(_ISO_DATE)
    dotted = text.str.match(_DOTTED_DATE)
    parsed = pd.to_datetime(text.where(iso).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    parsed = parsed.fillna(pd.to_datetime(text.where(dotted), format="%d.%m.%Y", errors="coerce"))
    days = parsed.to_numpy().astype("datetime64[D]")
    filled = (text != "").to_numpy()
    shaped = (iso | dotted).to_numpy()
    flag(filled & ~shaped, column, "not a date; expected YYYY-MM-DD")
    flag(filled & shaped & np.isnat(days), column, "not a calendar date")
    flag(~np.isnat(days) & ((days < _EARLIEST) | (days > _LATEST)), column, "outside 2000-2099; a typo?")
    return pd.Series(days.astype("datetime64[s]"), index=raw.index)


def _days(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    if column not in raw:
        return pd.Series(pd.NA, index=raw.index, dtype="Int64")
    text = raw[column]
    whole = text.str.match(_WHOLE)
    flag(((text != "") & ~whole).to_numpy(), column, "expected a whole number, 0 or more")
    return pd.to_numeric(text.where(whole).str.replace(r"\.0+$", "", regex=True), errors="coerce").astype("Int64")


def _currency(raw: pd.DataFrame, flag) -> pd.Series:
    """The ISO currency code of each order, upper case ("" where none is given)."""
    if "currency" not in raw:
        return pd.Series("", index=raw.index)
    currency = raw["currency"].str.upper()
    known = currency.isin(known_currencies()).to_numpy()
    flag((currency != "").to_numpy() & ~known, "currency", "unknown currency; expected an ISO 4217 code such as RUB, USD, EUR")
    return currency


def _amount(raw: pd.DataFrame, column: str, currency: pd.Series, flag) -> pd.Series:
    """An amount in the order's currency as exact minor units; ``1234.5`` and ``1234,5`` both read as 1234.50."""
    if column not in raw:
        return pd.Series(pd.NA, index=raw.index, dtype="Int64")
    text = raw[column].str.replace(",", ".", regex=False)
    filled = (text != "").to_numpy()
    number = text.str.match(_DECIMAL).to_numpy()
    flag(filled & ~number, column, "expected an amount such as 600 or 600.50, 0 or more, under 10^12")
    flag(filled & (currency == "").to_numpy(), "currency", f"{column} needs its currency (ISO code such as RUB)")
    minor = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    good = filled & number & currency.isin(known_currencies()).to_numpy()
    for code in pd.unique(currency[good]):
        rows = good & (currency == code).to_numpy()
        whole, _, fraction = text[rows].str.partition(".").T.to_numpy()
        whole, fraction = pd.Series(whole, dtype=str), pd.Series(fraction, dtype=str)
        digits = minor_digits(code)
        too_fine = np.zeros(len(rows), bool)
        too_fine[rows] = (fraction.str.len() > digits).to_numpy()
        flag(too_fine, column, f"more decimal places than {code} has ({digits})")
        cents = fraction.str.slice(0, digits).str.ljust(digits, "0") if digits else pd.Series("0", index=fraction.index)
        minor[rows] = whole.astype("int64").to_numpy() * 10**digits + cents.astype("int64").to_numpy()
    return minor


def _percent(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    """A percentage 0-100 (``97.5`` or ``97,5``; a trailing ``%`` is allowed)."""
    if column not in raw:
        return pd.Series(np.nan, index=raw.index)
    text = raw[column].str.replace(",", ".", regex=False).str.removesuffix("%").str.strip()
    value = pd.to_numeric(text.where(text.str.match(_DECIMAL)), errors="coerce")
    flag(((text != "") & (value.isna() | (value > 100))).to_numpy(), column, "expected a percentage from 0 to 100")
    return value.astype(float)


def _problem(raw: pd.DataFrame, flag) -> pd.Series:
    if "problem" not in raw:
        return pd.Series("", index=raw.index)
    problem = raw["problem"].str.lower()
    flag(((problem != "") & ~problem.isin(PROBLEMS)).to_numpy(), "problem", f"unknown problem; expected one of {', '.join(PROBLEMS)}")
    return problem


def _destination(raw: pd.DataFrame, flag) -> pd.Series:
    if "destination" not in raw:
        return pd.Series(DEFAULT_DESTINATION, index=raw.index)
    code = raw["destination"].str.upper()
    countries = {c for c in Locale("en").territories if len(c) == 2 and c.isalpha()}
    flag(((code != "") & ~code.isin(countries)).to_numpy(), "destination", "unknown country; expected an ISO code such as RU")
    return code.where(code != "", DEFAULT_DESTINATION)


