"""One sheet of an XLSX workbook read once, streamed and bounded, as a table of categorical text.

For exports that come as workbooks (AliExpress's data backup). The sheet is read by
``workbook.read_sheet``, the one path shared with the native reader (``native_xlsx``): its limits
bound the work (the workbook's unpacked size and growth, the rows and cells of the sheet and the
length of a cell) and a file over one is refused with a message naming the limit; only the named
sheet is parsed, once for detection and reading; only the wanted columns are kept (the others,
personal ones among them, are dropped before the table is built).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from aliexp_lib import workbook
from aliexp_lib.cells import Lines
from aliexp_lib.errors import InputError
from aliexp_lib.importers._common import Source, normal_header
from aliexp_lib.workbook import is_workbook

__all__ = ["is_workbook", "read_sheet", "sheet_header"]


def sheet_header(data: bytes, sheet: str, where: object = "<workbook>") -> list[str] | None:
    """The first non-empty row of ``sheet`` as text, or None if the data is no workbook with such a sheet.

    For detection. The sheet read is kept for ``read_sheet`` of the same bytes (one read of the file);
    a workbook that has the sheet but is over a limit or damaged raises the ``InputError`` that says so.

    Examples
    --------
    >>> sheet_header(b"not a workbook", "Order Information") is None
    True
    """
    if not is_workbook(data) or sheet not in workbook.sheet_names(data):
        return None
    rows = _read(data, sheet, where).cells
    return next(([_text(v) for v in row] for row in rows if any(v not in (None, "") for v in row)), [])


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
        ``MAX_RATIO``, ``MAX_ROWS``, ``MAX_CELLS``, ``MAX_CELL``), each named.
    """
    if sheet not in workbook.sheet_names(source.data):
        with workbook.damaged_as_input_error(source.path):
            shown = ", ".join(repr(s) for s in workbook.sheet_names(source.data)[:8])
        raise InputError(f"{source.path}: no sheet {sheet!r} (sheets: {shown}), so this is not {name}")
    rows = _read(source.data, sheet, source.path).cells
    _last.clear()  # read: no sheet (personal columns among its cells) is kept once its table is built
    positions, header_row = _header(rows, columns, source, sheet, name)
    kept: dict[str, list[str]] = {column: [] for column in columns}
    numbers: list[int] = []
    for number, row in enumerate(rows[header_row:], start=header_row + 1):
        cells = [_text(row[p]) if p is not None and p < len(row) else "" for p in positions]
        if not any(cells):
            continue
        for column, cell in zip(columns, cells, strict=True):
            kept[column].append(cell)
        numbers.append(number)
    source.source = f"{source.path}, sheet {sheet!r}"  # messages name the sheet once, then each row
    source.lines = Lines(numbers, word="row")
    source.rows = len(numbers)
    return pd.DataFrame(
        {column: pd.Categorical(values) for column, values in kept.items()}, index=pd.RangeIndex(len(numbers))
    )


_last: list = []  # [(data, sheet, workbook.Sheet)]: the last sheet read, for detection then reading


def _read(data: bytes, sheet: str, where: object) -> workbook.Sheet:
    """``workbook.read_sheet`` of ``sheet``, once for detection and reading of the same bytes."""
    if _last and _last[0][0] is data and _last[0][1] == sheet:
        return _last[0][2]
    read = workbook.read_sheet(data, sheet, where)
    _last[:] = [(data, sheet, read)]
    return read


def _header(rows, columns: tuple[str, ...], source: Source, sheet: str, name: str) -> tuple[list[int | None], int]:
    """Where each of ``columns`` is in the sheet's header row, and that row's number."""
    for number, row in enumerate(rows, start=1):
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
