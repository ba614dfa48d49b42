"""One sheet of an XLSX workbook read once, streamed and bounded, as a table of categorical text.

For exports that come as workbooks (AliExpress's data backup). The workbook is opened read-only
(``openpyxl``'s streaming reader): only the named sheet is parsed, row by row; only the wanted
columns of each row are kept (the others, personal ones among them, are dropped as the row is
read), and other sheets are never parsed. The limits of ``workbook`` (shared with the native
reader) bound the work: the workbook's unpacked size and growth, the rows of the sheet and the
length of a cell; a file over one is refused with a message naming the limit. As in the native
reader (``native``), a file that is not a zip archive is told apart from a damaged workbook, and
openpyxl's warnings about parts it does not read are silenced.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import pandas as pd

from aliexp_lib import workbook
from aliexp_lib.cells import Lines
from aliexp_lib.errors import InputError
from aliexp_lib.importers._common import Source, normal_header
from aliexp_lib.workbook import is_workbook

__all__ = ["is_workbook", "read_sheet", "sheet_header"]


def sheet_header(data: bytes, sheet: str) -> list[str] | None:
    """The first non-empty row of ``sheet`` as text, or None if the workbook has no such sheet or cannot be read.

    For detection: cheap (read-only, one row).

    Examples
    --------
    >>> sheet_header(b"not a workbook", "Order Information") is None
    True
    """
    if not is_workbook(data) or sheet not in workbook.sheet_names(data):
        return None
    try:
        book = _open(data)
    except InputError:
        return None
    try:
        if sheet not in book.sheetnames:
            return None
        for row in book[sheet].iter_rows(values_only=True):
            if any(value not in (None, "") for value in row):
                return [_text(value) for value in row]
        return []
    except Exception:  # a damaged sheet: not detected, the native reader then says what is wrong
        return None
    finally:
        book.close()


def read_sheet(source: Source, sheet: str, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    """The ``columns`` of ``sheet`` as a table of categorical text, named as ``columns`` spells them.

    Header names (the sheet's first non-empty row) are matched case-insensitively, ignoring spaces
    and underscores; a missing column is an empty one, but the first of ``columns`` (the key) must
    be present. Empty rows are skipped. Dates and times are written ``YYYY-MM-DD HH:MM:SS``, whole
    numbers without a decimal point. Sets ``source.lines`` and ``source.source`` so that problems and
    warnings name the sheet and the row.

    Parameters
    ----------
    source : _common.Source
        The workbook (``source.data``).
    sheet : str
    columns : tuple of str
    name : str
        The format, for messages.

    Returns
    -------
    pandas.DataFrame
        One categorical text column per name of ``columns``, one row per non-empty row of the sheet.

    Raises
    ------
    InputError
        Not a workbook, damaged, no such sheet or key column, or over a limit (``workbook.MAX_UNPACKED``,
        ``MAX_RATIO``, ``MAX_ROWS``, ``MAX_CELL``), each named.
    """
    book = _open(source.data, source)
    with contextlib.closing(book), workbook.damaged_as_input_error(source.path):
        if sheet not in book.sheetnames:
            shown = ", ".join(repr(s) for s in book.sheetnames[:8])
            raise InputError(f"{source.path}: no sheet {sheet!r} (sheets: {shown}), so this is not {name}")
        rows = book[sheet].iter_rows(values_only=True)
        positions, header_row = _header(rows, columns, source, sheet, name)
        kept: dict[str, list[str]] = {column: [] for column in columns}
        numbers: list[int] = []
        for number, row in enumerate(rows, start=header_row + 1):
            cells = [_text(row[p]) if p is not None and p < len(row) else "" for p in positions]
            if not any(cells):
                continue
            if len(numbers) >= workbook.MAX_ROWS:
                raise InputError(
                    f"{source.path}: sheet {sheet!r} has more than {workbook.MAX_ROWS} rows (the limit, MAX_ROWS); "
                    "split the export by year"
                )
            for column, cell in zip(columns, cells, strict=True):
                if len(cell) > workbook.MAX_CELL:
                    raise InputError(
                        f"{source.path}: sheet {sheet!r}, row {number}, column {column}: {len(cell)} characters, "
                        f"over the limit of {workbook.MAX_CELL} a cell may hold (MAX_CELL); not an export's value"
                    )
                kept[column].append(cell)
            numbers.append(number)
    source.source = f"{source.path}, sheet {sheet!r}"  # messages name the sheet once, then each row
    source.lines = Lines(numbers, word="row")
    source.rows = len(numbers)
    return pd.DataFrame(
        {column: pd.Categorical(values) for column, values in kept.items()}, index=pd.RangeIndex(len(numbers))
    )


def _open(data: bytes, source: Source | None = None):
    """The workbook of ``data``, read-only, within ``workbook``'s limits (``InputError`` naming one)."""
    return workbook.open_workbook(data, source.path if source is not None else "<workbook>")


def _header(rows, columns: tuple[str, ...], source: Source, sheet: str, name: str) -> tuple[list[int | None], int]:
    """Where each of ``columns`` is in the sheet's header row, and that row's number."""
    for number, row in enumerate(rows, start=1):
        if number > workbook.MAX_ROWS:
            break
        header = [normal_header(_text(value)) for value in row]
        if not any(header):
            continue
        found = {h: p for p, h in reversed(list(enumerate(header))) if h}
        positions = [found.get(normal_header(column)) for column in columns]
        if positions[0] is None:
            raise InputError(
                f"{source.path}: sheet {sheet!r}, row {number}: no {columns[0]!r} column, so this is not {name}"
            )
        return positions, number
    raise InputError(f"{source.path}: sheet {sheet!r} is empty; expected a header row with {columns[0]!r}")


def _text(value: object) -> str:
    """A cell's value as text: "" for none, ``YYYY-MM-DD HH:MM:SS`` for a time, whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value).strip()
