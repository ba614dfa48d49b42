"""The loader: an order file in, the order book every engine sees out. Top floor of "orders in".

``load_orders`` composes the layers below it, each of which knows nothing of the others:

- detection and conversion of a known export (``importers``: text in our schema),
- or the native reader for our own ``.csv``/``.xlsx`` (``native``: decoding, delimiter, CSV/XLSX),
- then the one validator (``validate``: text cells -> ``OrderBook``),
- then the buyer's case log beside the file (``caselog``), laid over the validated table
  (``overlay``), and its dates checked like the file's (``chronology``).

The user's file is only read. The schema names (``schema``), ``OrderBook`` (``validate``) and
``csv_record_lines`` (``cells``) are re-exported here for older imports; new code should import
them from their own modules.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from aliexp_lib import caselog, importers
from aliexp_lib.cells import csv_record_lines
from aliexp_lib.chronology import recorded_out_of_order
from aliexp_lib.errors import out_of_memory_said, refuse_special_file
from aliexp_lib.native import read_native
from aliexp_lib.overlay import apply_events
from aliexp_lib.parquet_io import is_parquet, lines, parquet_parts, read_text, refuse_duplicates
from aliexp_lib.schema import (
    AMOUNT_COLUMNS,
    COUNT_COLUMNS,
    DATE_COLUMNS,
    DAY_COLUMNS,
    DEFAULT_DESTINATION,
    NATIVE_FORMAT,
    PERCENT_COLUMNS,
    PROBLEMS,
    SCHEMA,
    TEXT_COLUMNS,
)
from aliexp_lib.validate import OrderBook, validate

__all__ = [
    "AMOUNT_COLUMNS",
    "COUNT_COLUMNS",
    "DATE_COLUMNS",
    "DAY_COLUMNS",
    "DEFAULT_DESTINATION",
    "NATIVE_FORMAT",
    "PERCENT_COLUMNS",
    "PROBLEMS",
    "SCHEMA",
    "TEXT_COLUMNS",
    "OrderBook",
    "csv_record_lines",
    "load_orders",
]


def load_orders(
    path: str | Path, fmt: str | None = None, with_log: bool = True, currency: str | None = None
) -> OrderBook:
    """Read and validate the orders of a file; raise ``InputError`` if bad.

    Our own schema comes as ``.csv``, ``.xlsx`` or Parquet (a ``.parquet`` file or a folder of parts,
    ``parquet_io``). An export of a known format (``importers``:
    recognised from its header, or named by ``fmt``) is converted first. The buyer's case log
    beside the file (``caselog.default_log_path``), if there is one, is applied on top: the order
    book every engine sees is the import plus the log. The file itself is only read.

    Parameters
    ----------
    path : str or pathlib.Path
        The order file: our own ``.csv``/``.xlsx``, or an export of a known format.
    fmt : str, optional
        The format: a name of ``importers.FORMATS``, or ``schema.NATIVE_FORMAT`` (``"aliexp"``) for our
        own; None: detected from the file's header (``importers.detect_file``).
    with_log : bool, default True
        Lay the case log beside the file over the orders, if it exists.
    currency : str, optional
        The buyer's own currency (ISO 4217) as the buyer set it (``Setting.choices.currency``), for
        an export whose amounts carry none (AliExpress's data backup); None: not set, never guessed.

    Returns
    -------
    OrderBook
        One row per order (dates ``datetime64``, amounts ``Int64`` [minor units of currency]);
        ``warnings`` says what was assumed, the case log's notes included.

    Raises
    ------
    InputError
        The file cannot be read or is not an order file; ``CellError`` (an ``InputError``) lists
        every bad cell with its line and column.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = path.write_text("order_id;price;currency;shipped_at\\n8100000000000001;600.50;RUB;2025-08-03\\n")
    >>> book = load_orders(path)
    >>> len(book), int(book.table.loc[0, "price_minor"]), str(book.table.loc[0, "shipped_at"].date())
    (1, 60050, '2025-08-03')
    >>> print(book.warnings[0])
    /...orders.csv: semicolon (;) delimiter detected: the header splits into 4 columns with it; read as ...
    """
    path = Path(path)
    if is_parquet(path) and fmt in (None, NATIVE_FORMAT):
        with out_of_memory_said(path):
            book = _load_parquet(path)
    else:
        refuse_special_file(path)
        with out_of_memory_said(path):
            fmt = fmt if fmt is not None else importers.detect_file(path)
            book = _import(path, fmt, currency) if fmt not in (None, NATIVE_FORMAT) else _load_native(path)
    log = caselog.default_log_path(path)
    if with_log and log.exists():
        with caselog.CaseLog(log, read_only=True) as opened:
            table, notes = apply_events(book.table, opened.events())
            notes = [*opened.damaged, *notes, *recorded_out_of_order(book.table, table)]
        book = OrderBook(table, book.source, (*book.warnings, *(f"{log}: {note}" for note in notes)))
    return book


def _load_parquet(path: Path) -> OrderBook:
    """A Parquet file or a folder of parts: each part validated (its rows named in it), then no order twice."""
    books = []
    for part in parquet_parts(path):
        raw = read_text(part)
        books.append(validate(raw, str(part), lines(0, len(raw))))
    refuse_duplicates((book.source, 0, book.table["order_id"]) for book in books)
    table = books[0].table if len(books) == 1 else pd.concat([book.table for book in books], ignore_index=True)
    return OrderBook(table, str(path), tuple(warning for book in books for warning in book.warnings))


def _import(path: Path, fmt: str, currency: str | None) -> OrderBook:
    imported = importers.read_export(path, fmt, currency)
    book = OrderBook.from_frame(imported.table, str(path))
    return dataclasses.replace(book, warnings=(*imported.warnings, *book.warnings))


def _load_native(path: Path) -> OrderBook:
    raw, lines, notes = read_native(path)
    book = validate(raw, str(path), lines)
    return dataclasses.replace(book, warnings=(*notes, *book.warnings))
