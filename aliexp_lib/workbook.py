"""XLSX workbooks opened once, read-only and within limits: shared by every reader of workbooks.

A workbook is a zip archive of XML parts; a small file can unpack to gigabytes (a zip bomb) or hold
millions of rows. Before anything is parsed, ``open_workbook`` checks the archive's table of
contents: the parts' unpacked sizes (``MAX_UNPACKED``) and how much each part grows
(``MAX_RATIO``). Python's ``zipfile``, which ``openpyxl`` reads through, never unpacks a part
beyond the size the table of contents declares; the fast reader would, so ``read_sheet`` first
unpacks each part no further than its declared size (``zip_parts``): the check bounds the work. Readers then stream a
sheet row by row and refuse more than ``MAX_ROWS`` rows or a cell over ``MAX_CELL`` characters; each
refusal names the file and the limit. ``stream_sheet`` reads a sheet in one pass keeping, for each
cell, both its saved value and its formula (openpyxl's read-only mode gives one or the other).
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from aliexp_lib.errors import InputError
from aliexp_lib.zip_parts import check_declared_sizes

#: Rows a sheet may have [rows]: the most Excel itself can hold in one sheet.
MAX_ROWS = 1_048_576
#: Characters a cell may hold [characters]: the most Excel lets a cell hold; a title is some hundreds.
MAX_CELL = 32_767
#: Cells (rows times columns) a sheet may have [cells]: a million orders of 30 columns.
MAX_CELLS = 30_000_000
#: Bytes the workbook's parts may unpack to [bytes] (a small zip can unpack to gigabytes).
MAX_UNPACKED = 512 * 1024 * 1024
#: How many times its packed size a part may grow when unpacked [ratio]: Apache POI's limit (0.01).
MAX_RATIO = 100
#: Parts smaller than this unpacked are not held to ``MAX_RATIO`` [bytes] (tiny parts pack very well).
RATIO_FROM = 1024 * 1024

__all__ = [
    "MAX_CELL",
    "MAX_CELLS",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_UNPACKED",
    "Sheet",
    "check_archive",
    "damaged_as_input_error",
    "is_workbook",
    "read_sheet",
    "sheet_names",
]


def is_workbook(data: bytes) -> bool:
    """True if ``data`` starts as a zip archive does (every ``.xlsx`` is one).

    Examples
    --------
    >>> is_workbook(b"PK\\x03\\x04..."), is_workbook(b"order_id\\n")
    (True, False)
    """
    return data.startswith(b"PK\x03\x04")


def check_archive(data: bytes, where: object) -> None:
    """``InputError`` naming the limit if the zip archive ``data`` unpacks too far; nothing is unpacked.

    Parameters
    ----------
    data : bytes
        The workbook file's bytes.
    where : object
        The file, for messages.

    Raises
    ------
    InputError
        Not a zip archive, or its parts unpack to more than ``MAX_UNPACKED`` bytes in all, or a part
        of at least ``RATIO_FROM`` bytes grows more than ``MAX_RATIO`` times.

    Examples
    --------
    >>> book = io.BytesIO()
    >>> with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
    ...     archive.writestr("xl/worksheets/sheet1.xml", "<c/>" * 1_000_000)
    >>> check_archive(book.getvalue(), "bomb.xlsx")
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: bomb.xlsx: part 'xl/worksheets/sheet1.xml' unpacks from ... to 4000000 \
bytes, ... times, over the limit of 100 times (MAX_RATIO); this is a zip bomb, not a workbook
    """
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{where}: not a readable XLSX workbook ({exc})") from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise InputError(
            f"{where}: the workbook unpacks to {unpacked} bytes, over the limit of {MAX_UNPACKED} (MAX_UNPACKED); "
            "save the orders as CSV, or split them by year"
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= RATIO_FROM and ratio > MAX_RATIO:
            raise InputError(
                f"{where}: part {part.filename!r} unpacks from {part.compress_size} to {part.file_size} bytes, "
                f"{ratio:.0f} times, over the limit of {MAX_RATIO} times (MAX_RATIO); this is a zip bomb, not a "
                "workbook"
            )


def sheet_names(data: bytes) -> list[str]:
    """The names of the workbook's sheets, from its small ``xl/workbook.xml`` part (no sheet is parsed).

    ``[]`` if ``data`` is no readable workbook or is over a limit (the reader then says why).

    Examples
    --------
    >>> sheet_names(b"not a workbook")
    []
    """
    try:
        check_archive(data, "")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (InputError, KeyError, zipfile.BadZipFile, OSError, ValueError, ElementTree.ParseError):
        return []
    return [str(element.get("name")) for element in root.iter() if element.tag.rsplit("}", 1)[-1] == "sheet"]


@contextlib.contextmanager
def damaged_as_input_error(where: object) -> Iterator[None]:
    """Whatever the reader raises on a damaged workbook (many types, a Rust panic among them) as one
    ``InputError`` naming ``where``; an ``InputError`` raised inside (a limit, a missing column) passes as it is.

    Examples
    --------
    >>> with damaged_as_input_error("orders.xlsx"):
    ...     raise KeyError("xl/worksheets/sheet1.xml")
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: orders.xlsx: not a readable XLSX workbook (KeyError: 'xl/worksheets/sheet1.xml')
    """
    try:
        yield
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # python-calamine's PanicException is not an Exception
        raise InputError(f"{where}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None


@dataclass
class Sheet:
    """One sheet's cells, as read by ``read_sheet``.

    Attributes
    ----------
    cells : numpy.ndarray
        2-D, of objects: row 1 first, each from column A to the sheet's last column: text, float, int,
        bool, ``datetime`` values; ``""`` for an empty cell; a formula's saved value (``""`` if none).
    formulas : dict
        (row, column), both 1-based -> the formula of that cell, as ``=100+80``.
    merged : list of str
        The merged ranges, as ``B2:B3``.
    """

    cells: np.ndarray
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)


def read_sheet(data: bytes, sheet: int | str, where: object) -> Sheet:
    """The sheet ``sheet`` (its position or name) of the workbook ``data``, read once, within the limits.

    The archive is checked first (``check_archive``), then how far the sheet's cells reach
    (``sheet_scan.extent``), and only then is the sheet parsed (``python-calamine``, a fast reader;
    no other sheet is parsed).

    Raises
    ------
    InputError
        Not a workbook, damaged, no such sheet, or over a limit (``MAX_UNPACKED``, ``MAX_RATIO``,
        ``MAX_ROWS``, ``MAX_CELLS``, ``MAX_CELL``), each named.

    Examples
    --------
    >>> read_sheet(b"PK\\x03\\x04 damaged", 0, "orders.xlsx")
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: orders.xlsx: not a readable XLSX workbook (File is not a zip file)
    """
    from aliexp_lib import sheet_scan

    check_archive(data, where)
    check_declared_sizes(data, where)  # a part that unpacks beyond its declared size: the fast reader would follow it
    with damaged_as_input_error(where), zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = sheet_scan.sheet_parts(archive)
        names = [name for name, _ in parts]
        if isinstance(sheet, str) and sheet not in names:
            shown = ", ".join(repr(s) for s in names[:8])
            raise InputError(f"{where}: no sheet {sheet!r} (sheets: {shown})")
        index = names.index(sheet) if isinstance(sheet, str) else sheet
        if index >= len(parts):
            raise InputError(f"{where}: the workbook has no sheet")
        part = parts[index][1]
        reach, any_formula = sheet_scan.extent(archive, part, MAX_ROWS, MAX_CELLS)
        if reach is not None:
            _check_reach(*reach, where)
        formulas = sheet_scan.formulas(archive, part) if any_formula else {}
        rows, merged = _parse(data, index)
    cells = pd.DataFrame(rows, dtype=object).to_numpy(dtype=object) if rows else np.empty((0, 0), dtype=object)
    del rows
    _check_cells(cells, where)
    return Sheet(cells, formulas, merged)


def _check_reach(last_row: int, last_column: int, where: object) -> None:
    """``InputError`` naming the limit if a sheet reaching ``last_row`` and ``last_column`` is over one."""
    if last_row > MAX_ROWS:
        raise InputError(
            f"{where}: row {MAX_ROWS + 1}: more than {MAX_ROWS} rows, the limit (MAX_ROWS, as in Excel); "
            "split the orders by year"
        )
    if last_row * last_column > MAX_CELLS:
        raise InputError(
            f"{where}: {last_row} rows of {last_column} columns: more than {MAX_CELLS} cells, the limit (MAX_CELLS); "
            "keep only the order columns, or split the orders by year"
        )


def _parse(data: bytes, index: int) -> tuple[list[list[object]], list[str]]:
    """The cells of sheet ``index`` from ``A1`` (python-calamine) and its merged ranges."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        sheet = book.get_sheet_by_index(index)
        rows = cast(list[list[object]], sheet.to_python(skip_empty_area=False))
        merged = [
            f"{_letters(first[1] + 1)}{first[0] + 1}:{_letters(last[1] + 1)}{last[0] + 1}"
            for first, last in sheet.merged_cell_ranges or []
        ]
    finally:
        book.close()
    return rows, merged


def _letters(column: int) -> str:
    """The letters naming the 1-based ``column`` (``_letters(28) == "AB"``)."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_cells(cells: np.ndarray, where: object) -> None:
    """``InputError`` naming the limit: more than ``MAX_ROWS`` rows, or a cell over ``MAX_CELL`` characters."""
    if len(cells) > MAX_ROWS:
        _check_reach(len(cells), 1, where)
    for position in range(cells.shape[1]):
        column = cells[:, position]
        texts = (
            column
            if pd.api.types.infer_dtype(column, skipna=False) == "string"
            else [value for value in column if isinstance(value, str)]
        )
        if max(map(len, texts), default=0) > MAX_CELL:
            number = next(i for i, value in enumerate(column) if isinstance(value, str) and len(value) > MAX_CELL)
            raise InputError(
                f"{where}: row {number + 1}, column #{position + 1}: {len(column[number])} characters, over the "
                f"limit of {MAX_CELL} a cell may hold (MAX_CELL)"
            )
