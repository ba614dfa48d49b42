"""Big tables out as bytes, a slice of rows at a time: CSV and JSON lines.

``csv_chunks`` writes exactly what ``pandas.DataFrame.to_csv`` (the ``csv`` module's minimal
quoting, lines ending in ``\\n``, no index) writes for the same table, but builds each slice's
lines with Arrow's compute kernels instead of a Python call per cell: a field is quoted when it
holds a comma, a double quote (doubled) or a line feed; missing values are empty; integers as
digits; booleans as ``True``/``False``. Tables it cannot render exactly that way (a float column,
an object column holding other things than text, a single column, a carriage return in a cell,
which pandas' writer handles differently) go through ``pandas.DataFrame.to_csv`` slice by slice.
Formulas are made inert first (``formulas.safe_cells``). Memory: one slice's text at a time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

from aliexp_lib.column_scan import arrow_text
from aliexp_lib.formulas import safe_cells

#: A piece of a file out: bytes, or a view of bytes Arrow holds (written without a copy).
Piece = bytes | memoryview
#: Rows rendered at a time: bounds the memory of the text (about 100 bytes a row) [rows].
CHUNK_ROWS = 50_000

#: ``\/`` as pandas' JSON writer escapes a slash, not preceded by an escaping backslash.
_ESCAPED_SLASH = re.compile(rb"(?<!\\)((?:\\\\)*)\\/")


def csv_chunks(table: pd.DataFrame, rows: int = CHUNK_ROWS) -> Iterator[Piece]:
    """``table`` as UTF-8 CSV, the header first, then ``rows`` rows at a time; formulas made inert.

    Parameters
    ----------
    table : pandas.DataFrame
        The table, without its index; datetime columns should already be text (``dates_as_text``).
    rows : int, default CHUNK_ROWS
        Rows per piece [rows].

    Yields
    ------
    bytes
        Pieces whose concatenation is the whole file.

    Examples
    --------
    >>> table = pd.DataFrame({"id": ["1", "2"], "note": ["=1+1", 'a "b", c'], "days": [3, -4]})
    >>> print(b"".join(csv_chunks(table, rows=1)).decode(), end="")
    id,note,days
    1,'=1+1,3
    2,"a ""b"", c",-4
    """
    safe = safe_cells(table)
    # pandas' writer does not quote a field holding only "\r" when lines end in "\n" (a reader would
    # split the record there): such tables quote every text field, as pandas' QUOTE_NONNUMERIC does.
    quoting = csv.QUOTE_NONNUMERIC if _has_carriage_return(safe) else csv.QUOTE_MINIMAL
    fast = quoting == csv.QUOTE_MINIMAL and _arrow_ready(safe)
    header = _csv_lines(pd.DataFrame([list(safe.columns)], dtype=object)) if fast else None
    if header is None:
        header = safe.iloc[:0].to_csv(index=False, lineterminator="\n", quoting=quoting).encode("utf-8")
    yield header
    for start in range(0, len(safe), rows):
        piece = safe.iloc[start : start + rows]
        text = _csv_lines(piece) if fast else None
        if text is None:
            text = piece.to_csv(index=False, header=False, lineterminator="\n", quoting=quoting).encode("utf-8")
        yield text


def jsonl_chunks(table: pd.DataFrame, rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """``table`` as JSON lines (one object per row, UTF-8), ``rows`` rows at a time.

    Missing values are ``null``; booleans ``true``/``false``; dates should already be text.

    Examples
    --------
    >>> table = pd.DataFrame({"id": ["1", "2"], "link": ["a/b", None], "late": [True, False]})
    >>> print(b"".join(jsonl_chunks(table)).decode(), end="")
    {"id":"1","link":"a/b","late":true}
    {"id":"2","link":null,"late":false}
    """
    for start in range(0, len(table), rows):
        text = table.iloc[start : start + rows].to_json(orient="records", lines=True, force_ascii=False)
        text = text if text.endswith("\n") else text + "\n"
        yield _ESCAPED_SLASH.sub(rb"\1/", text.encode("utf-8"))


def _arrow_ready(table: pd.DataFrame) -> bool:
    """Whether every column is text, categorical text, integer or boolean, with no carriage return."""
    if table.shape[1] < 2 or not table.columns.is_unique:
        return False
    for _, values in table.items():
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = pd.Series(values.cat.categories)
            if values.dtype == object and values.map(type).ne(str).any():
                return False
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
            continue
        if values.dtype == object and values.dropna().map(type).ne(str).any():
            return False
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            return False
    return True


def _has_carriage_return(table: pd.DataFrame) -> bool:
    """Whether a text cell of ``table`` holds a carriage return."""
    for _, values in table.items():
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = pd.Series(values.cat.categories)
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if values.astype("string").str.contains("\r", regex=False).fillna(False).any():
            return True
    return False


def _csv_lines(table: pd.DataFrame) -> bytes | memoryview | None:
    """The CSV lines of ``table`` (no header) built by Arrow, or None without pyarrow."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if table.empty:
        return b""
    fields = [_field(values, pa, pc) for _, values in table.items()]
    lines = pc.binary_join_element_wise(*fields, pa.scalar(",", pa.large_string()))
    empty, end = pa.scalar("", pa.large_string()), pa.scalar("\n", pa.large_string())
    lines = pc.binary_join_element_wise(lines, empty, end)  # each line + "\n"
    chunks = pa.chunked_array([lines]).chunks
    return _string_data(chunks[0]) if len(chunks) == 1 else b"".join(_string_data(chunk) for chunk in chunks)


def _field(values: pd.Series, pa, pc):
    """One column as Arrow text with CSV quoting, missing values as empty text."""
    if pd.api.types.is_bool_dtype(values):
        values = pd.Series(np.where(values.to_numpy(dtype=bool, na_value=False), "True", "False"), dtype=object).where(
            values.notna().to_numpy(), None
        )
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = [_quoted(str(c)) for c in values.cat.categories]
        array = pa.DictionaryArray.from_arrays(
            pa.array(values.cat.codes.to_numpy(), mask=values.cat.codes.to_numpy() < 0),
            pa.array(categories, pa.large_string()),
        ).cast(pa.large_string())
        return pc.fill_null(array, "")
    array = arrow_text(values)
    needs = pc.match_substring_regex(array, '[,"\\n]')
    text = pa.scalar('"', pa.large_string())
    empty = pa.scalar("", pa.large_string())
    quoted = pc.binary_join_element_wise(text, pc.replace_substring(array, '"', '""'), text, empty)
    return pc.fill_null(pc.if_else(needs, quoted, array), "")


def _quoted(text: str) -> str:
    """``text`` as a CSV field: quoted (double quotes doubled) if it holds a comma, a quote or a line feed."""
    return '"' + text.replace('"', '""') + '"' if re.search('[,"\n]', text) else text


def _string_data(chunk) -> memoryview:
    """The bytes of an Arrow text array without nulls, its values one after another, where Arrow holds them
    (not copied: the view keeps Arrow's buffer alive)."""
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
    return memoryview(chunk.buffers()[2])[offsets[0] : offsets[-1]]


__all__ = ["CHUNK_ROWS", "Piece", "csv_chunks", "jsonl_chunks"]
