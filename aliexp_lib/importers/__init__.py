"""Importers: AliExpress export files in, our order book's text schema out.

``read_export(path)`` recognises the format from the header line (or takes ``fmt``), reads it,
and returns an ``Imported``: ``table`` holds one row per order with the columns of
``aliexp_lib.schema.SCHEMA`` as text (ISO dates, ISO currency codes, plain decimal amounts), plus
``items`` (number of items), ``status`` (normalised: ``awaiting_payment``, ``awaiting_shipment``,
``shipped``, ``completed``, ``closed``, ``in_dispute``, ``refunded``) and, where the format has them,
``store_url`` and ``order_url`` (the order's page, for the notebooks' links). Pass it to
``OrderBook.from_frame`` to validate. Personal columns (names, addresses, phones, post codes) are
never read into it.

Nothing is guessed: a value that cannot be read with certainty (an unknown status or currency, a
``1,234`` with no hint whether the comma groups thousands, ``03/04/2025`` with no hint which is the
day) is a ``CellError`` problem naming the line, column and value; every assumption that settled
a doubtful value is in ``warnings``. A status never fills a date column: the export has no date
for it, so the dated column stays empty and a warning says so.

Place in "orders in": beside the native reader, above the ground floor (``schema``, ``cells``,
``values``); the loader (``orders.load_orders``) detects the format, calls ``read_export`` and
hands the table to the validator. The importers never import the validator or the loader.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import re
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pandas as pd

from aliexp_lib.errors import InputError
from aliexp_lib.importers import (
    _common,
    aliexpress_csv_export,
    aliexpress_data_backup,
    orders_csv,
    shopper_inventory_csv,
    shopper_inventory_json,
    tsv_order_list,
)
from aliexp_lib.memory_guard import EXPORT_PEAK_PER_BYTE, check_fits
from aliexp_lib.schema import SCHEMA

#: Format name -> its module (``NAME``, ``TITLE``, ``SEP``, ``COLUMNS``, ``SIGNATURE``, ``convert``).
#: A format that is not delimited text has ``KIND`` (``"xlsx"``, ``"json"``) and ``sniff(path, data)``,
#: which tells it from the file's content.
FORMATS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        aliexpress_csv_export,
        tsv_order_list,
        orders_csv,
        aliexpress_data_backup,
        shopper_inventory_csv,
        shopper_inventory_json,
    )
}
#: Columns of ``Imported.table`` beyond the schema (and ``paid_at``, the day the order was paid, where the
#: format has it, until the schema has it).
EXTRA_COLUMNS = ("items", "status", "store_url", "order_url")
#: Columns beyond these that only the formats having them give.
OPTIONAL_COLUMNS = tuple(column for column in ("paid_at",) if column not in SCHEMA)
#: What a status says happened -> the dated column of that event (its warning is for orders without it).
_STATUS_DATE = {
    "shipped": "shipped_at",
    "completed": "confirmed_at",
    "in_dispute": "dispute_opened_at",
    "refunded": "refund_issued_at",
}

__all__ = ["EXTRA_COLUMNS", "FORMATS", "Imported", "detect", "read_export"]


@dataclasses.dataclass(frozen=True)
class Imported:
    """An imported export: ``table`` of text in our schema (one row per order), what was assumed, the format.

    Attributes
    ----------
    table : pandas.DataFrame
        Text columns of ``schema.SCHEMA`` and ``EXTRA_COLUMNS`` (ISO dates, ISO currency codes, plain
        decimal amounts [currency units]), one row per order.
    warnings : tuple of str
    format : str
        A name of ``FORMATS``.

    Examples
    --------
    >>> Imported(pd.DataFrame({"order_id": ["81"]}), (), "orders_csv").format
    'orders_csv'
    """

    table: pd.DataFrame
    warnings: tuple[str, ...]
    format: str


def detect(header: list[str]) -> str | None:
    """The format whose header this is (names compared case-insensitively), or None.

    Parameters
    ----------
    header : list of str
        The header's column names.

    Returns
    -------
    str or None
        A name of ``FORMATS``: the first whose ``SIGNATURE`` columns are all in ``header``.

    Examples
    --------
    >>> detect(["Order Number", "order date", "Total Order Amount", "Product Title"]), detect(["order_id"])
    ('tsv_order_list', None)
    """
    names = {_common.normal_header(name) for name in header}
    for name, module in FORMATS.items():
        if all(column in names for column in module.SIGNATURE):
            return name
    return None


def detect_file(path: str | Path) -> str | None:
    """The export format of the file at ``path``, from its first line, or None.

    None also for a file that is not ``.csv``/``.tsv``/``.txt`` or cannot be read: the order-book
    loader then says what is wrong with it.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = path.write_text("order_id,order_date,total_price_text,order_line_count\\n")
    >>> detect_file(path), detect_file(path.with_suffix(".xlsx"))
    ('orders_csv', None)
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(_PIECE)
            data = head + handle.read() if _common_workbook(head) else head
    except OSError:
        return None
    found = _sniffed(Path(path), data)
    if found is not None or _common_workbook(head):
        return found
    if Path(path).suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    first_line = head.decode("utf-8-sig", errors="replace").lstrip().split("\n", 1)[0].rstrip("\r")
    for sep in (",", "\t"):
        try:
            found = detect(next(csv.reader([first_line], delimiter=sep), []))
        except csv.Error:  # not a header line at all
            return None
        if found is not None:
            return found
    return None


def _common_workbook(head: bytes) -> bool:
    """True if the file starts as a zip archive (an XLSX workbook)."""
    return head.startswith(b"PK\x03\x04")


def _sniffed(path: Path, data: bytes) -> str | None:
    """The format that is not delimited text (``KIND``) whose ``sniff`` recognises ``data``, or None."""
    for name, module in FORMATS.items():
        if getattr(module, "KIND", "text") != "text" and module.sniff(path, data):
            return name
    return None


def read_export(path: str | Path, fmt: str | None = None, currency: str | None = None) -> Imported:
    """Read an export file of a known format (recognised from its header unless ``fmt`` names it).

    Parameters
    ----------
    path : str or pathlib.Path
    fmt : str, optional
        A name of ``FORMATS``.
    currency : str, optional
        The buyer's own currency (ISO 4217) as the buyer set it (``--currency``, ``aliexp.toml``), for
        formats whose amounts carry none (the data backup); None: not set, such amounts stay empty.

    Returns
    -------
    Imported
        Text in our schema; validate it with ``OrderBook.from_frame``.

    Raises
    ------
    InputError
        Not UTF-8, empty, not a known format, or an unknown ``fmt``; ``CellError`` listing every
        value that cannot be read with certainty.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = path.write_text("order_id,order_date,status,total_price_text,currency,order_line_count\\n"
    ...                     '8100000000000001,3 авг. 2025 г.,Завершено,"1 234,56 руб.",,2\\n', encoding="utf-8")
    >>> imported = read_export(path)
    >>> imported.format, imported.table.loc[0, ["ordered_at", "price", "currency", "status", "items"]].tolist()
    ('orders_csv', ['2025-08-03', '1234.56', 'RUB', 'completed', '2'])
    >>> print(imported.warnings[0])
    /...orders.csv: 1 order completed: receipt was confirmed on the site, but the export gives no date; ...
    """
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; known formats: {_known()}. Use --from FORMAT with one of them")
    # An export too big for the memory at hand: one line, before reading.
    check_fits(path, EXPORT_PEAK_PER_BYTE, convertible=False)
    if fmt is None or getattr(FORMATS[fmt], "KIND", "text") != "text":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        fmt = fmt or _sniffed(path, data)
    if fmt is None:
        first_line, data = _read_head(path)
        for sep in (",", "\t"):
            fmt = detect(next(csv.reader([first_line], delimiter=sep)))
            if fmt is not None:
                break
        else:
            shown = ", ".join(repr(n) for n in next(csv.reader([first_line]))[:6])
            raise InputError(
                f"{path}: line 1: not a known export format (header starts {shown}); known formats: "
                f"{_known()}. Use --from FORMAT to say which it is"
            )
    elif getattr(FORMATS[fmt], "KIND", "text") == "text":
        _, data = _read_head(path)
    module = FORMATS[fmt]
    source = _common.Source(path, None, module.SEP or ",", data)
    source.currency = currency
    orders = module.convert(source)
    source.raise_problems()
    _explain_statuses(orders, source)
    empty = pd.Series("", index=pd.RangeIndex(len(orders)), dtype=str)
    table = pd.DataFrame(
        {
            column: _text(orders[column]) if column in orders else empty
            for column in (*SCHEMA, *EXTRA_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in orders))
        },
        copy=False,
    )
    return Imported(table, tuple(source.warnings), fmt)


def _text(values: pd.Series) -> pd.Series:
    """A column of the converted orders as text, indexed from 0."""
    if pd.api.types.is_integer_dtype(values.dtype):  # item counts: few distinct, each made text once
        values = values.astype("category").cat.rename_categories(str)
    return values.astype(str).reset_index(drop=True)


def _known() -> str:
    """The known formats with their titles, for messages."""
    return "; ".join(f"{name} ({module.TITLE})" for name, module in FORMATS.items())


#: Bytes decoded at a time to check a file is UTF-8 text (quicker than the whole file at once).
_PIECE = 1 << 16


def _read_head(path: Path) -> tuple[str, bytes]:
    """The file's first line (after a BOM and any blank space) and its bytes, checked to be non-blank UTF-8 text.

    The bytes are decoded a piece at a time, and only the first line is kept: the file as one str is not needed.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    decoder = codecs.getincrementaldecoder("utf-8")()
    line: list[str] = []  # the first line, as far as read
    complete = False
    try:
        for start in range(0, len(data), _PIECE):
            text = decoder.decode(data[start : start + _PIECE], final=start + _PIECE >= len(data))
            if start == 0:
                text = text.removeprefix("\ufeff")
            if not complete:
                if not line:
                    text = text.lstrip()  # the blank space before the first line is not part of it
                end = re.search(r"[\r\n]", text)
                if text:
                    line.append(text[: end.start()] if end else text)
                complete = end is not None
    except UnicodeDecodeError:
        _not_utf8(data, path)
    if not line:
        raise InputError(f"{path}: the file is empty; expected an export with a header line")
    return "".join(line), data


def _not_utf8(data: bytes, path: Path) -> NoReturn:
    """The error for ``data`` that is not UTF-8: the line and value of its first bad byte."""
    try:
        data.decode("utf-8")  # positions count from the first byte, a BOM included
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: line {line}: not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8"
        ) from None
    raise AssertionError("only called on bytes that are not UTF-8")


def _explain_statuses(orders: pd.DataFrame, source: _common.Source) -> None:
    """A warning for each status that says an event happened on a date the export does not give."""
    if "status" not in orders:
        return
    said = False
    for status, meaning in _common.STATUS_MEANS.items():
        dated = _STATUS_DATE[status]
        undated = orders[dated] == "" if dated in orders else True
        rows = orders.index[(orders["status"] == status) & undated]
        if len(rows):
            noun = "order" if len(rows) == 1 else "orders"
            source.warn(f"{len(rows)} {noun} {status}: {meaning} ({source.lines_of(rows)})")
            said = True
    if said:
        source.warn(_common.STATUS_ESTIMATED)
