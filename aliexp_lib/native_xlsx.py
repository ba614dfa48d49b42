"""Our own order file as a workbook: the first sheet read once, streamed and bounded, as text cells.

Part of the native reader (``native``). The workbook's first sheet is read once by
``workbook.read_sheet`` (limits on its unpacked size and growth, rows, cells and a cell's length;
a fast reader, python-calamine). Each cell gives its text: a formula is read as its
saved value (said in a warning; a formula with no saved value is an error), a date cell as
``YYYY-MM-DD HH:MM:SS``, a whole number without a decimal point. Merged cells are said in a
warning. The first non-empty row is the header; empty rows are skipped and the others keep their
row numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.cells import Lines, short
from aliexp_lib.errors import CellError, InputError
from aliexp_lib.workbook import is_workbook, read_sheet

__all__ = ["read_xlsx", "text_of"]


def read_xlsx(path: Path) -> tuple[pd.DataFrame, Lines, list[str]]:
    """The text cells of the first sheet of the workbook at ``path`` (see ``native.read_native``).

    Examples
    --------
    >>> import openpyxl, tempfile
    >>> book = openpyxl.Workbook()
    >>> for row in (["order_id", "price"], ["81", 600.5], [], ["82", "=1+1"]):
    ...     book.active.append(row)
    >>> path = Path(tempfile.mkdtemp()) / "orders.xlsx"
    >>> book.save(path)
    >>> read_xlsx(path)
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.CellError: ...orders.xlsx: 1 problem:
      row 4, column price: '=1+1': a formula with no saved value (the workbook was not saved by a \
spreadsheet program); type the value, or open and save the file in Excel or LibreOffice
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if not is_workbook(data):
        looks = "it is empty" if not data.strip() else "it is not a zip archive as every .xlsx is"
        if data.strip() and b"\x00" not in data[:4096] and any(d in data[:4096] for d in (b",", b";", b"\t")):
            looks = "it is plain text, probably CSV: rename it to .csv"
        raise InputError(f"{path}: not an XLSX workbook ({looks})")
    sheet = read_sheet(data, 0, path)
    del data
    rows = sheet.cells
    problems: list[tuple[int, int, str]] = []  # row, column position, formula
    formulas: dict[int, list] = {}  # column -> [first row, formula, saved value, count]
    for (number, column), formula in sorted(sheet.formulas.items()):
        saved = text_of(rows[number - 1, column - 1]) if number <= rows.shape[0] and column <= rows.shape[1] else ""
        if saved == "":
            problems.append((number, column - 1, formula))
        elif column - 1 in formulas:
            formulas[column - 1][3] += 1
        else:
            formulas[column - 1] = [number, formula, saved, 1]
    cells = _texts(rows)
    filled = np.flatnonzero((cells != "").any(axis=1)) if cells.size else np.array([], dtype=int)
    header = cells[filled[0]].tolist() if len(filled) else None
    if header is None:
        raise InputError(f"{path}: the first sheet is empty; expected a header row with at least order_id")
    names = [n.strip() or f"unnamed_{i}" for i, n in enumerate(header, start=1)]
    raw = pd.DataFrame(cells[filled[1:]], columns=pd.Index(names, dtype=object))
    notes = _formula_and_merge_notes(path, names, problems, formulas, sheet.merged)
    if raw.empty:
        notes.append(f"{path}: the sheet has a header row and no orders")
    return raw, Lines((filled[1:] + 1).tolist(), word="row"), notes


def _texts(cells: np.ndarray) -> np.ndarray:
    """``cells`` as text (``text_of``), a 2-D object array; column by column, text columns as they are."""
    texts = cells.copy()
    for position in range(cells.shape[1]):
        column = cells[:, position]
        if pd.api.types.infer_dtype(column, skipna=False) != "string":
            texts[:, position] = list(map(text_of, column))
    return texts


def text_of(value: object) -> str:
    """A cell's value as text, as it is shown: whole numbers without ``.0``, times as ``YYYY-MM-DD HH:MM:SS``.

    Examples
    --------
    >>> import datetime
    >>> text_of(None), text_of(75), text_of(600.5), text_of(600.0), text_of(datetime.datetime(2026, 2, 1))
    ('', '75', '600.5', '600', '2026-02-01 00:00:00')
    """
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    return str(value)


def _formula_and_merge_notes(
    path: Path, names: list[str], problems: list[tuple[int, int, str]], formulas: dict[int, list], merged: list[str]
) -> list[str]:
    """Warnings for merged cells and for formulas read as their saved values; an error for formulas
    that have no saved value (a workbook written by a program that does not calculate)."""
    from openpyxl.worksheet.cell_range import CellRange

    lowered = [n.lower() for n in names]

    def column(position: int) -> str:
        return lowered[position] if position < len(lowered) else f"#{position + 1}"

    if problems:
        raise CellError(
            str(path),
            [
                f"row {number}, column {column(position)}: {short(formula)!r}: a formula with no saved value "
                "(the workbook was not saved by a spreadsheet program); type the value, or open and save the "
                "file in Excel or LibreOffice"
                for number, position, formula in problems
            ],
        )
    notes = []
    for position, (row, formula, saved, count) in formulas.items():
        more = f" (and {count - 1} more formulas in this column)" if count > 1 else ""
        notes.append(
            f"{path}: row {row}, column {column(position)}: formula {short(formula)!r} read as its saved value "
            f"{short(saved)!r}{more}"
        )
    for ref in merged:
        cells = CellRange(ref)
        notes.append(
            f"{path}: cells {cells.coord} (rows {cells.min_row}-{cells.max_row}, column "
            f"{column(cells.min_col - 1)}) are merged: the value is read in row {cells.min_row}, column "
            f"{column(cells.min_col - 1)} only; the other cells are read as empty"
        )
    return notes
