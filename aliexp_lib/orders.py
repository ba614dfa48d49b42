"""The loader: an order file in, the order book every engine sees out. Top floor of "orders in".

``load_orders`` composes the layers below it, each of which knows nothing of the others:

- detection and conversion of a known export (``importers``: text in our schema),
- or the native reader for our own ``.csv``/``.xlsx`` (``native``: decoding, delimiter, CSV/XLSX),
- then the one validator (``validate``: text cells -> ``OrderBook``),
- then the buyer's case log beside the file (``caselog``), laid over the validated table.

The user's file is only read. The schema names (``schema``), ``OrderBook`` (``validate``) and
``csv_record_lines`` (``cells``) are re-exported here for older imports; new code should import
them from their own modules.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from aliexp_lib import caselog, importers
from aliexp_lib.cells import csv_record_lines
from aliexp_lib.native import read_native
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


def load_orders(path: str | Path, fmt: str | None = None, with_log: bool = True) -> OrderBook:
    """Read and validate the orders of a file; raise ``InputError`` if bad.

    Our own schema comes as ``.csv`` or ``.xlsx``. An export of a known format (``importers``:
    recognised from its header, or named by ``fmt``) is converted first. The buyer's case log
    beside the file (``caselog.default_log_path``), if there is one, is applied on top: the order
    book every engine sees is the import plus the log. The file itself is only read.
    """
    path = Path(path)
    fmt = fmt if fmt is not None else importers.detect_file(path)
    book = _import(path, fmt) if fmt not in (None, NATIVE_FORMAT) else _load_native(path)
    log = caselog.default_log_path(path)
    if with_log and log.exists():
        with caselog.CaseLog(log) as opened:
            table, notes = caselog.apply_events(book.table, opened.events())
        book = OrderBook(table, book.source, (*book.warnings, *(f"{log}: {note}" for note in notes)))
    return book


def _import(path: Path, fmt: str) -> OrderBook:
    imported = importers.read_export(path, fmt)
    book = OrderBook.from_frame(imported.table, str(path))
    return dataclasses.replace(book, warnings=(*imported.warnings, *book.warnings))


def _load_native(path: Path) -> OrderBook:
    raw, lines, notes = read_native(path)
    book = validate(raw, str(path), lines)
    return dataclasses.replace(book, warnings=(*notes, *book.warnings))
