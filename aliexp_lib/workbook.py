"""XLSX workbooks opened once, read-only and within limits: shared by every reader of workbooks.

A workbook is a zip archive of XML parts; a small file can unpack to gigabytes (a zip bomb) or hold
millions of rows. Before anything is parsed, ``open_workbook`` checks the archive's table of
contents: the parts' unpacked sizes (``MAX_UNPACKED``) and how much each part grows
(``MAX_RATIO``). Python's ``zipfile``, which ``openpyxl`` reads through, never unpacks a part
beyond the size the table of contents declares, so the check bounds the work. Readers then stream a
sheet row by row and refuse more than ``MAX_ROWS`` rows or a cell over ``MAX_CELL`` characters; each
refusal names the file and the limit. ``stream_sheet`` reads a sheet in one pass keeping, for each
cell, both its saved value and its formula (openpyxl's read-only mode gives one or the other).
"""

from __future__ import annotations

import contextlib
import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from aliexp_lib.errors import InputError

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
    "SheetEnd",
    "check_archive",
    "is_workbook",
    "open_workbook",
    "sheet_names",
    "stream_sheet",
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


def open_workbook(data: bytes, where: object):
    """The workbook of ``data``, opened once, read-only (streaming), with saved values of formulas.

    Parameters
    ----------
    data : bytes
    where : object
        The file, for messages.

    Returns
    -------
    openpyxl.workbook.Workbook
        Read-only: close it after use.

    Raises
    ------
    InputError
        Not a zip archive, over a limit (``check_archive``), or damaged.
    """
    if not is_workbook(data):
        raise InputError(f"{where}: not an XLSX workbook (it is not a zip archive as every .xlsx is)")
    check_archive(data, where)
    import openpyxl

    with warnings.catch_warnings():
        # openpyxl warns (UserWarning) about parts of a workbook it does not read: styles, data
        # validation, conditional formatting, other extensions. They do not change the values read.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        with damaged_as_input_error(where):
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)


@contextlib.contextmanager
def damaged_as_input_error(where: object) -> Iterator[None]:
    """Whatever openpyxl raises on a damaged workbook (many types) as one ``InputError`` naming ``where``;
    an ``InputError`` raised inside (a limit, a missing column) passes as it is.

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
    except Exception as exc:
        raise InputError(f"{where}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None


@dataclass
class SheetEnd:
    """What is known of a sheet once it has been streamed to its end.

    Attributes
    ----------
    merged : list of str
        The merged ranges, as ``B2:B3``.
    """

    merged: list[str] = field(default_factory=list)


def stream_sheet(book, index: int, where: object, end: SheetEnd) -> Iterator[tuple[int, list[tuple[object, str]]]]:
    """The rows of sheet ``index`` of ``book`` in one pass: (row number, [(saved value, formula), ...]).

    Each row lists its cells from column A to its last written cell; a cell without a formula has
    formula ``""``, a cell never written is ``(None, "")``. When the iteration ends, ``end.merged``
    holds the sheet's merged ranges (they are written after the cells).

    Raises
    ------
    InputError
        A row beyond ``MAX_ROWS``, a cell over ``MAX_CELL`` characters, more than ``MAX_CELLS`` cells.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class _Parser(WorkSheetParser):
        """openpyxl's sheet parser, keeping the formula text beside the saved value."""

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            cell["formula"] = "" if formula is None else "=" + (formula.text or "(shared formula)")
            return cell

    sheet = book.worksheets[index]
    cells = 0
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        with sheet._get_source() as source:  # the read-only sheet's XML part, as a stream
            parser = _Parser(
                source,
                book.shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for number, row in parser.parse():
                if number > MAX_ROWS:
                    raise InputError(
                        f"{where}: row {number}: more than {MAX_ROWS} rows, the limit (MAX_ROWS, as in Excel); "
                        "split the orders by year"
                    )
                width = max((cell["column"] for cell in row), default=0)
                cells += width
                if cells > MAX_CELLS:
                    raise InputError(
                        f"{where}: row {number}: more than {MAX_CELLS} cells, the limit (MAX_CELLS); "
                        "keep only the order columns, or split the orders by year"
                    )
                values: list[tuple[object, str]] = [(None, "")] * width
                for cell in row:
                    value = cell["value"]
                    if isinstance(value, str) and len(value) > MAX_CELL:
                        raise InputError(
                            f"{where}: row {number}, column #{cell['column']}: {len(value)} characters, over the "
                            f"limit of {MAX_CELL} a cell may hold (MAX_CELL)"
                        )
                    values[cell["column"] - 1] = (value, cell["formula"])
                yield number, values
            end.merged = [str(merged.ref) for merged in getattr(parser.merged_cells, "mergeCell", [])]
