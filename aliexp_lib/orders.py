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

import codecs
import contextlib
import csv
import dataclasses
import io
import re
import warnings
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
_DECIMAL = re.compile(r"^[0-9]{1,12}(?:[.,][0-9]+)?$")
_WHOLE = re.compile(r"^[0-9]{1,9}(?:\.0+)?$")
#: Characters no order book holds: C0 and C1 controls but tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: The ASCII characters that are not ``_CONTROL``.
_PLAIN_ASCII = bytes([9, 10, 13, *range(32, 127)])
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SLASHED_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")
_SHORT_YEAR_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2}$")
#: A cell separator followed by white space, in cells joined by NUL.
_SPACE_AFTER_SEPARATOR = re.compile(r"\x00\s")
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


def load_orders(path: str | Path, fmt: str | None = None, with_log: bool = True) -> OrderBook:
    """Read and validate the orders of a file; raise ``InputError`` if bad.

    Our own schema comes as ``.csv`` or ``.xlsx``. An export of a known format (``importers``:
    recognised from its header, or named by ``fmt``) is converted first. The buyer's case log
    beside the file (``caselog.default_log_path``), if there is one, is applied on top: the order
    book every engine sees is the import plus the log. The file itself is only read.
    """
    from aliexp_lib import caselog, importers  # both build on this module's schema

    path = Path(path)
    fmt = fmt if fmt is not None else importers.detect_file(path)
    book = _import(path, fmt, importers) if fmt not in (None, NATIVE_FORMAT) else _load_native(path)
    log = caselog.default_log_path(path)
    if with_log and log.exists():
        with caselog.CaseLog(log) as opened:
            table, notes = caselog.apply_events(book.table, opened.events())
        book = OrderBook(table, book.source, (*book.warnings, *(f"{log}: {note}" for note in notes)))
    return book


#: ``fmt`` of our own schema, for ``load_orders``.
NATIVE_FORMAT = "aliexp"


def _import(path: Path, fmt: str, importers) -> OrderBook:
    imported = importers.read_export(path, fmt)
    book = OrderBook.from_frame(imported.table, str(path))
    return dataclasses.replace(book, warnings=(*imported.warnings, *book.warnings))


def _load_native(path: Path) -> OrderBook:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw, rows, notes = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw, rows, notes = _read_xlsx(path)
    else:
        raise InputError(f"{path}: unknown file type {path.suffix!r}; expected .csv or .xlsx")
    book = _validate(raw, str(path), rows)
    return dataclasses.replace(book, warnings=(*notes, *book.warnings))


class _RowNumbers:
    """Where data row ``i`` of a table is in its file, for messages."""

    def __init__(self, header_line: int = 1, lines: list[int] | None = None, word: str = "line"):
        self.header_line, self.lines, self.word = header_line, lines, word

    def __call__(self, i: int) -> str:
        number = self.lines[i] if self.lines is not None else self.header_line + 1 + i
        return f"{self.word} {number}"


class _CsvRowNumbers(_RowNumbers):
    """Physical line where each CSV record starts; found by a second read, only when needed."""

    def __init__(self, text: str, delimiter: str = ","):
        super().__init__()
        self.text, self.delimiter = text, delimiter

    def __call__(self, i: int) -> str:
        if self.lines is None:
            self.lines = csv_record_lines(self.text, self.delimiter)
        return super().__call__(i)


def csv_record_lines(text: str, delimiter: str = ",") -> list[int]:
    """The physical line on which each data record of CSV ``text`` starts (a quoted cell may span
    lines; blank lines are skipped, as pandas does). One pass of the csv module: run it only to
    name the line of a problem."""
    with _csv_field_limit():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
        starts, line = [], 1
        for record in reader:
            if record:
                starts.append(line)
            line = reader.line_num + 1
    return starts[1:]


def _read_csv(path: Path) -> tuple[pd.DataFrame, _RowNumbers, list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    text, notes = _decode(data, path)
    if not text.strip():
        raise InputError(f"{path}: the file is empty; expected a header line with at least order_id")
    if "\x00" in text:
        raise _nul_error(text, path)
    delimiter, note = _sniff_delimiter(text, path)
    notes += [note] if note else []
    with _csv_field_limit():
        raw = _parse_csv(text, delimiter, path)
    raw = _header_from_first_row(raw)
    if raw.empty:
        notes.append(f"{path}: the file has a header line and no orders")
    return raw, _CsvRowNumbers(text, delimiter), notes


#: What a delimiter is called in messages.
_DELIMITERS = {",": "comma (,)", ";": "semicolon (;)", "\t": "tab"}


def _decode(data: bytes, path: Path) -> tuple[str, list[str]]:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1251.

    Windows-1251 is what Russian Excel writes for "CSV"; it is only assumed when the bytes are not
    UTF-8, decode as Windows-1251 without control characters, and the letters outside ASCII are
    mostly Cyrillic. The assumption is said in a warning.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: starts like UTF-16 text but byte {exc.start} is not; save the file as UTF-8 CSV") from None
        return text, [f"{path}: read as UTF-16 (the file starts with a UTF-16 byte order mark)"]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line, byte = data[: exc.start].count(b"\n") + 1, data[exc.start]
        refusal = InputError(f"{path}: line {line}: not UTF-8 text (byte {byte:#04x}); save the file as UTF-8 CSV")
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise refusal from None
    letters = len(_NON_ASCII.findall(text))
    cyrillic = len(_CYRILLIC.findall(text))
    if letters and cyrillic >= 0.8 * letters and not _CONTROL.search(text):
        return text, [f"{path}: not UTF-8 (byte {byte:#04x} on line {line}); read as Windows-1251 "
                      f"(Cyrillic, as Russian Excel saves CSV). Save it as UTF-8 CSV to be sure"]
    raise refusal


def _nul_error(text: str, path: Path) -> InputError:
    """Every cell holding a NUL character, by line, column and value (the file is damaged or binary)."""
    problems = []
    if "\x00\x00" in text or text.count("\x00") > len(text) // 4:
        line = text[: text.index("\x00")].count("\n") + 1
        return InputError(f"{path}: line {line}: NUL bytes (\\x00) throughout; this is binary data or UTF-16 without "
                          "a byte order mark, not a CSV text; save the file as UTF-8 CSV")
    with _csv_field_limit():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text, path)[0], skipinitialspace=True)
        header, start = None, 1
        for record in reader:
            if header is None:
                header = [c.strip().lower() for c in record]
            for position, value in enumerate(record):
                if "\x00" in value:
                    column = header[position] if position < len(header) else f"#{position + 1}"
                    problems.append(f"line {start}, column {column}: {_short(value)!r}: contains a NUL byte (\\x00); "
                                    "the file is damaged or not text")
            start = reader.line_num + 1
    return CellError(str(path), problems or ["line 1: contains a NUL byte (\\x00)"])


def _sniff_delimiter(text: str, path: Path) -> tuple[str, str | None]:
    """The delimiter among comma, semicolon and tab that splits the header line into an order_id column
    (else the one giving the most columns; the most columns also among several that give order_id);
    a warning when it is not the comma."""
    first = next((line for line in _lines(text) if line.strip()), "")
    splits = {}
    for delimiter in _DELIMITERS:
        try:
            fields = next(csv.reader([first], delimiter=delimiter, skipinitialspace=True), [])
        except csv.Error:
            fields = []
        splits[delimiter] = [f.strip().lower() for f in fields]
    with_id = [d for d, names in splits.items() if "order_id" in names]
    chosen = max(with_id or _DELIMITERS, key=lambda d: len(splits[d]))
    if len(splits[chosen]) <= 1:
        chosen = ","
    if chosen == ",":
        return chosen, None
    return chosen, (f"{path}: {_DELIMITERS[chosen]} delimiter detected: the header splits into "
                    f"{len(splits[chosen])} columns with it; read as {_DELIMITERS[chosen]}-separated")


def _lines(text: str):
    """The lines of ``text`` one by one, without copying the whole text first."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end].rstrip("\r")
        start = end + 1


@contextlib.contextmanager
def _csv_field_limit():
    """The csv module refuses fields over 128 KiB by default; a long title is not an error."""
    saved = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(saved)


def _parse_csv(text: str, delimiter: str, path: Path) -> pd.DataFrame:
    """Every record of ``text`` as text cells (pandas' C parser, header as the first row); an error
    naming each ragged line or an unclosed quote."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # bytes: the C parser reads UTF-8 faster than it encodes a str itself
            raw = pd.read_csv(io.BytesIO(text.encode("utf-8")), sep=delimiter, header=None, dtype=str, encoding="utf-8",
                              keep_default_na=False, na_filter=False, skipinitialspace=True, quoting=csv.QUOTE_MINIMAL)
        except pd.errors.EmptyDataError:
            raise InputError(f"{path}: the file is empty; expected a header line with at least order_id") from None
        except (pd.errors.ParserError, ValueError, csv.Error) as exc:
            _check_shape(text, delimiter, path)
            unclosed = _unclosed_quote(text, delimiter)
            if unclosed:
                raise CellError(str(path), [unclosed]) from None
            raise InputError(f"{path}: not a readable CSV table ({exc})") from None
    if not _evenly_shaped(text, delimiter, raw):
        _check_shape(text, delimiter, path)
    return raw


def _evenly_shaped(text: str, delimiter: str, raw: pd.DataFrame) -> bool:
    """True if no record of ``text`` can have fewer fields than ``raw`` has columns, told without a
    second parse: with no quotes and no lone CR every record is one line, the C parser refused any
    line with more fields, so the delimiters add up only if none has fewer. False means "look"."""
    if '"' in text or text.count("\r") != text.count("\r\n"):
        return False
    return text.count(delimiter) == (raw.shape[1] - 1) * len(raw)


def _check_shape(text: str, delimiter: str, path: Path) -> None:
    """Every record has as many fields as the header, else an error naming each ragged line."""
    lengths = np.fromiter(map(len, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)), np.int64)
    lengths = lengths[lengths > 0]  # blank lines are skipped
    if len(lengths) == 0 or (lengths == lengths[0]).all():
        return
    problems = []
    unclosed = _unclosed_quote(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    header, start = None, 1
    for record in reader:
        if header is None and record:
            header = [c.strip().lower() for c in record]
        elif record and len(record) != len(header) and not (len(record) == 1 and not record[0].strip()):
            if len(record) > len(header):
                extra = record[len(header):]
                problems.append(f"line {start}, column #{len(header) + 1} (after {header[-1]}): {_short(extra[0])!r}: "
                                f"{len(record)} fields, the header has {len(header)}; a delimiter too many, or a "
                                f"value with a {_DELIMITERS[delimiter]} that needs quotes")
            else:
                problems.append(f"line {start}, column {header[len(record)]}: (missing): {len(record)} fields, the "
                                f"header has {len(header)}; the line ends after {header[len(record) - 1]} "
                                f"{_short(record[-1])!r}")
        start = reader.line_num + 1
    if unclosed:
        problems = [p for p in problems if not p.startswith(unclosed.split(",")[0] + ",")] + [unclosed]
    if problems:
        raise CellError(str(path), problems)


def _unclosed_quote(text: str, delimiter: str) -> str | None:
    """A message if the last record opens a quoted field that never closes (it swallowed the file's end)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    header, start, last, last_start = None, 1, None, 1
    for record in reader:
        if record:
            header = header or [c.strip().lower() for c in record]
            last, last_start = record, start
        start = reader.line_num + 1
    if last is None:
        return None
    tail = "".join(io.StringIO(text, newline="").readlines()[last_start - 1:])
    try:
        list(csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return None
        position = len(last) - 1
        column = header[position] if header and position < len(header) else f"#{position + 1}"
        return (f"line {last_start}, column {column}: {_short(last[-1])!r}: a quote opens here and never closes; "
                "every quote inside a quoted value must be doubled (\"\")")
    return None


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit] + f"... ({len(value)} characters)"


def _header_from_first_row(raw: pd.DataFrame) -> pd.DataFrame:
    """The first row as column names (read with ``header=None`` so repeated names are not renamed)."""
    if raw.empty:
        return raw
    names = [("" if pd.isna(n) else str(n)).strip() for n in raw.iloc[0]]
    names = [n or f"unnamed_{position}" for position, n in enumerate(names, start=1)]
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = names
    return body


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, _RowNumbers, list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.startswith(b"PK\x03\x04"):
        looks = "it is empty" if not data.strip() else "it is not a zip archive as every .xlsx is"
        if data.strip() and b"\x00" not in data[:4096] and any(d in data[:4096] for d in (b",", b";", b"\t")):
            looks = "it is plain text, probably CSV: rename it to .csv"
        raise InputError(f"{path}: not an XLSX workbook ({looks})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
        try:
            raw = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=str, keep_default_na=False,
                                na_filter=False, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise InputError(f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
        if raw.empty:
            raise InputError(f"{path}: the first sheet is empty; expected a header row with at least order_id")
        notes = _xlsx_formulas_and_merges(data, raw, path)
    raw = _header_from_first_row(raw)
    filled = (raw != "").any(axis=1).to_numpy()  # an empty row is skipped, as a blank line of a CSV file
    raw = raw[filled].reset_index(drop=True)
    if raw.empty:
        notes.append(f"{path}: the sheet has a header row and no orders")
    return raw, _RowNumbers(lines=(np.flatnonzero(filled) + 2).tolist(), word="row"), notes


def _xlsx_formulas_and_merges(data: bytes, raw: pd.DataFrame, path: Path) -> list[str]:
    """Warnings for merged cells and for formulas read as their saved values; an error for formulas
    that have no saved value (a workbook written by a program that does not calculate)."""
    import openpyxl

    try:
        sheet = openpyxl.load_workbook(io.BytesIO(data), data_only=False).worksheets[0]
    except Exception as exc:
        raise InputError(f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    names = [str(n).strip().lower() or f"unnamed_{i}" for i, n in enumerate(raw.iloc[0], start=1)]

    def column(c: int) -> str:
        return names[c - 1] if c - 1 < len(names) else f"#{c}"

    notes, problems, used = [], [], {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type != "f":
                continue
            formula = str(getattr(cell.value, "text", cell.value))
            saved = raw.iat[cell.row - 1, cell.column - 1] if cell.row <= raw.shape[0] and cell.column <= raw.shape[1] else ""
            if saved == "":
                problems.append(f"row {cell.row}, column {column(cell.column)}: {_short(formula)!r}: a formula with no "
                                "saved value (the workbook was not saved by a spreadsheet program); type the value, "
                                "or open and save the file in Excel or LibreOffice")
            else:
                used.setdefault(column(cell.column), []).append((cell.row, formula, saved))
    if problems:
        raise CellError(str(path), problems)
    for name, cells in used.items():
        row, formula, saved = cells[0]
        more = f" (and {len(cells) - 1} more formulas in this column)" if len(cells) > 1 else ""
        notes.append(f"{path}: row {row}, column {name}: formula {_short(formula)!r} read as its saved value "
                     f"{_short(saved)!r}{more}")
    for merged in sheet.merged_cells.ranges:
        notes.append(f"{path}: cells {merged.coord} (rows {merged.min_row}-{merged.max_row}, column "
                     f"{column(merged.min_col)}) are merged: the value is read in row {merged.min_row}, column "
                     f"{column(merged.min_col)} only; the other cells are read as empty")
    return notes


def _validate(raw: pd.DataFrame, source: str, where: _RowNumbers) -> OrderBook:
    raw = _normalise_header(raw, source)
    raw = raw.apply(_strip)
    problems: list[tuple[int, str, str, str]] = []  # row, column, value, what is wrong
    warnings: list[str] = []

    def flag(bad: np.ndarray, column: str, message: str) -> None:
        for i in np.flatnonzero(bad):
            problems.append((int(i), column, raw[column].iat[i] if column in raw else "", message))

    raw = _control_characters(raw, source, where, flag, warnings)

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
    currency = _per_distinct(_currency, raw, "currency", flag)
    for column in AMOUNT_COLUMNS:
        table[f"{column}_minor"] = _amount(raw, column, currency, flag)
    table["currency"] = currency.where(currency != "", pd.NA)
    for column in (*DATE_COLUMNS, "store_opened_at"):
        table[column] = _per_distinct(_dates, raw, column, flag)
    for column in (*DAY_COLUMNS, *COUNT_COLUMNS):
        table[column] = _per_distinct(_days, raw, column, flag)
    for column in PERCENT_COLUMNS:
        table[column] = _per_distinct(_percent, raw, column, flag)
    table["problem"] = _per_distinct(_problem, raw, "problem", flag)
    table["extension_days"] = table["extension_days"].fillna(0)
    table["destination"] = _per_distinct(_destination, raw, "destination", flag)
    for earlier, later in _CHRONOLOGY:
        wrong = (table[later] < table[earlier]).to_numpy()
        for i in np.flatnonzero(wrong):
            warnings.append(
                f"{source}: {where(int(i))}: {later} {raw[later].iat[i]} is before {earlier} {raw[earlier].iat[i]}; "
                "dates kept as given"
            )
    for column in raw.columns.difference(SCHEMA, sort=False):
        table[column] = raw[column]
    for column in [*TEXT_COLUMNS, *raw.columns.difference(SCHEMA, sort=False)]:
        if column in raw:
            if "\n=" not in "\n" + "\n".join(raw[column].tolist()):  # one scan of the column
                continue
            formula = raw[column].str.startswith("=").to_numpy()
            if formula.any():
                i = int(np.flatnonzero(formula)[0])
                more = f" (and {int(formula.sum()) - 1} more cells)" if formula.sum() > 1 else ""
                warnings.append(f"{source}: {where(i)}, column {column}: {_short(raw[column].iat[i])!r} starts like a "
                                f"spreadsheet formula; kept as text, never evaluated{more}")
    if problems:
        problems.sort(key=lambda p: (p[0], raw.columns.get_loc(p[1]) if p[1] in raw else len(raw.columns)))
        raise CellError(source, [f"{where(i)}, column {c}: {v!r}: {m}" for i, c, v, m in problems])
    return OrderBook(table.reset_index(drop=True), source, tuple(warnings))


def _control_characters(raw: pd.DataFrame, source: str, where, flag, warnings: list[str]) -> pd.DataFrame:
    """NUL in a cell is an error (a damaged or binary file); other control characters are replaced
    by spaces, with a warning per column."""
    for column in raw.columns:
        values = raw[column]
        if not _has_control(values.tolist()):  # one scan; cells are looked at only if needed
            continue
        nul = values.str.contains("\x00", regex=False).to_numpy()
        flag(nul, column, "contains a NUL character (\\x00); the file is damaged or not text")
        other = values.str.contains(_CONTROL).to_numpy() & ~nul
        if other.any():
            i = int(np.flatnonzero(other)[0])
            more = f" (and {int(other.sum()) - 1} more cells)" if other.sum() > 1 else ""
            warnings.append(f"{source}: {where(i)}, column {column}: {_short(values.iat[i])!r}: control characters "
                            f"replaced by spaces{more}")
            raw[column] = values.where(~other, values.str.replace(_CONTROL, " ", regex=True))
    return raw


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


def _strip(column: pd.Series) -> pd.Series:
    """``column`` without leading and trailing white space (two scans of the joined cells first: usually there is none)."""
    values = column.tolist()
    joined = "\x00" + "\x00".join(values) + "\x00"
    if not _SPACE_AFTER_SEPARATOR.search(joined) and not _SPACE_AFTER_SEPARATOR.search(joined[::-1]):
        return column
    return pd.Series([v.strip() for v in values], index=column.index, dtype=column.dtype)


def _has_control(values: list[str]) -> bool:
    """Whether any of ``values`` holds a ``_CONTROL`` character (ASCII text is checked as bytes, much faster)."""
    joined = "\n".join(values)
    if joined.isascii():
        return bool(joined.encode("ascii").translate(None, _PLAIN_ASCII))
    return _CONTROL.search(joined) is not None


def _per_distinct(parse, raw: pd.DataFrame, column: str, flag) -> pd.Series:
    """``parse(raw, column, flag)`` run once per distinct value of ``column`` (a column has few), its
    result and its flagged problems spread back to every row holding the value."""
    if column not in raw:
        return parse(raw, column, flag)
    codes, distinct = pd.factorize(raw[column])
    result = parse(pd.DataFrame({column: pd.Series(distinct, dtype=str)}), column,
                   lambda bad, name, message: flag(np.asarray(bad)[codes], name, message))
    return pd.Series(result.to_numpy()[codes], index=raw.index, dtype=result.dtype)


def _match(text: pd.Series, pattern: re.Pattern) -> pd.Series:
    """Which cells are not empty and match ``pattern`` (run on distinct values: see ``_per_distinct``)."""
    return pd.Series([bool(v) and pattern.match(v) is not None for v in text.tolist()], index=text.index, dtype=bool)


def _dates(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    """Calendar dates from ``YYYY-MM-DD`` (a time part is dropped) or ``DD.MM.YYYY``."""
    if column not in raw:
        return pd.Series(np.full(len(raw), np.datetime64("NaT"), "datetime64[s]"), index=raw.index)
    text = raw[column]
    iso = _match(text, _ISO_DATE)
    dotted = _match(text.where(~iso, ""), _DOTTED_DATE)
    parsed = pd.to_datetime(text.where(iso).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    parsed = parsed.fillna(pd.to_datetime(text.where(dotted), format="%d.%m.%Y", errors="coerce"))
    days = parsed.to_numpy().astype("datetime64[D]")
    filled = (text != "").to_numpy()
    shaped = (iso | dotted).to_numpy()
    odd = text.where(pd.Series(filled & ~shaped, index=text.index), "")
    slashed = _match(odd, _SLASHED_DATE).to_numpy()
    short_year = _match(odd, _SHORT_YEAR_DATE).to_numpy()
    flag(filled & ~shaped & slashed & ~short_year, column,
         "not a date; expected YYYY-MM-DD (with slashes, day and month cannot be told apart)")
    flag(filled & ~shaped & short_year, column, "not a date; expected YYYY-MM-DD (a 2-digit year is ambiguous)")
    flag(filled & ~shaped & ~slashed & ~short_year, column, "not a date; expected YYYY-MM-DD")
    flag(filled & shaped & np.isnat(days), column, "not a calendar date")
    flag(~np.isnat(days) & ((days < _EARLIEST) | (days > _LATEST)), column, "outside 2000-2099; a typo?")
    return pd.Series(days.astype("datetime64[s]"), index=raw.index)


def _days(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    if column not in raw:
        return pd.Series(pd.NA, index=raw.index, dtype="Int64")
    text = raw[column]
    whole = _match(text, _WHOLE)
    flag(((text != "") & ~whole).to_numpy(), column, "expected a whole number, 0 or more, under 10^9")
    return pd.to_numeric(text.where(whole).str.replace(r"\.0+$", "", regex=True), errors="coerce").astype("Int64")


def _currency(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    """The ISO currency code of each order, upper case ("" where none is given)."""
    if column not in raw:
        return pd.Series("", index=raw.index)
    currency = raw[column].str.upper()
    known = currency.isin(known_currencies()).to_numpy()
    flag((currency != "").to_numpy() & ~known, column, "unknown currency; expected an ISO 4217 code such as RUB, USD, EUR")
    return currency


def _amount(raw: pd.DataFrame, column: str, currency: pd.Series, flag) -> pd.Series:
    """An amount in the order's currency as exact minor units; ``1234.5`` and ``1234,5`` both read as 1234.50.

    ASCII digits only, whole numbers under 10^12; checked and converted by numpy's string functions
    on the whole column (no float is involved: the digits without the point are read as an integer
    and scaled by the currency's decimal places).
    """
    if column not in raw:
        return pd.Series(pd.NA, index=raw.index, dtype="Int64")
    values = raw[column].tolist()
    joined = "".join(values)
    text = np.array(values, dtype=np.dtypes.StringDType())
    if "," in joined:
        text = np.strings.replace(text, ",", ".")
    length = np.strings.str_len(text)
    filled = length > 0
    point = np.strings.find(text, ".")
    whole = np.where(point < 0, length, point)
    digits = np.strings.replace(text, ".", "", 1) if "." in joined or "," in joined else text
    ascii_only = joined.isascii() or np.fromiter(map(str.isascii, values), bool, len(values))
    number = np.strings.isdecimal(digits) & ascii_only & (whole >= 1) & (whole <= 12) & (point != length - 1)
    flag(filled & ~number, column, "expected an amount such as 600 or 600.50, 0 or more, under 10^12")
    flag(filled & (currency == "").to_numpy(), "currency", f"{column} needs its currency (ISO code such as RUB)")
    places = np.where(point < 0, 0, length - point - 1)
    minor = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    good = filled & number & currency.isin(known_currencies()).to_numpy()
    for code in pd.unique(currency[good]):
        rows = good & (currency == code).to_numpy()
        currency_places = minor_digits(code)
        too_fine = rows & (places > currency_places)
        flag(too_fine, column, f"more decimal places than {code} has ({currency_places})")
        rows &= ~too_fine
        minor[rows] = digits[rows].astype(np.int64) * 10 ** (currency_places - places[rows])
    return minor


def _percent(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    """A percentage 0-100 (``97.5`` or ``97,5``; a trailing ``%`` is allowed)."""
    if column not in raw:
        return pd.Series(np.nan, index=raw.index)
    text = raw[column].str.replace(",", ".", regex=False).str.removesuffix("%").str.strip()
    value = pd.to_numeric(text.where(_match(text, _DECIMAL)), errors="coerce")
    flag(((text != "") & (value.isna() | (value > 100))).to_numpy(), column, "expected a percentage from 0 to 100")
    return value.astype(float)


def _problem(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    if column not in raw:
        return pd.Series("", index=raw.index)
    problem = raw[column].str.lower()
    flag(((problem != "") & ~problem.isin(PROBLEMS)).to_numpy(), column, f"unknown problem; expected one of {', '.join(PROBLEMS)}")
    return problem


def _destination(raw: pd.DataFrame, column: str, flag) -> pd.Series:
    if column not in raw:
        return pd.Series(DEFAULT_DESTINATION, index=raw.index)
    code = raw[column].str.upper()
    countries = {c for c in Locale("en").territories if len(c) == 2 and c.isalpha()}
    flag(((code != "") & ~code.isin(countries)).to_numpy(), column, "unknown country; expected an ISO code such as RU")
    return code.where(code != "", DEFAULT_DESTINATION)


