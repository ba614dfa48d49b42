"""Our CSV files parsed by Arrow's multi-threaded reader, where it reads exactly as pandas' reader would.

``native`` parses an order file with pandas' C parser (``skipinitialspace``, minimal quoting, blank
lines skipped, every record as many fields as the header). Arrow's reader does the same on several
cores for a file without quotes (with quotes the two differ: an unclosed quote, which Arrow reads to
the end of the file and pandas refuses, a quote after white space) and without a lone carriage
return; a ragged record Arrow refuses: ``arrow_parse`` says None for those, and pandas' path then
reads the file and names every problem. ``one_line_records`` finds the line of each record
without a Python pass over the text where every record is one line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection

import numpy as np
import pandas as pd

#: Bytes read to find the header's fields [bytes].
HEAD = 8 * 1024 * 1024
#: Bytes Arrow parses as one piece [B]: each column comes in pieces of this much of the file, and every
#: later pass over a column (checks, factorize, joins) pays per piece; 16 MB instead of Arrow's 1 MB
#: is 9 pieces for a 140 MB file, still several per core (1M orders: 0.2 s less to load).
BLOCK = 16 * 1024 * 1024


def arrow_parse(data: bytes, delimiter: str, date_columns: Collection[str] = ()) -> pd.DataFrame | None:
    """Every record of UTF-8 ``data`` as cells by Arrow's parser (several cores; every record must have
    as many fields as the header), or None where it could read differently from pandas' (a quote after
    white space, a ragged or unreadable record: pandas' path then names the problem).

    A column named in ``date_columns`` (header names stripped and lower-cased) whose every cell is
    ``YYYY-MM-DD`` (a calendar date) or empty comes as dates (``datetime64``, NaT where empty), parsed
    with the rest on every core: a million orders' twenty date columns cost 0.04 s of the parse instead
    of a second of checks on their text. If a cell of one is anything else (``DD.MM.YYYY``, a time, a
    typo), every column comes as text, the validator's to read and to name.

    Parameters
    ----------
    data : bytes
        The file, UTF-8 (a byte order mark is skipped).
    delimiter : str
        The field delimiter (``native`` finds it).
    date_columns : collection of str, optional
        Header names (lower case) of columns to read as dates where they hold only ISO dates.

    Returns
    -------
    pandas.DataFrame or None
        Text cells (dates where so read), the header's names (stripped) as column names.

    Examples
    --------
    >>> arrow_parse(b"order_id,title\\n81,USB cable\\n", ",").to_dict("list")
    {'order_id': ['81'], 'title': ['USB cable']}
    >>> arrow_parse(b"order_id, Paid_At\\n81,2026-03-01\\n82,\\n", ",", {"paid_at"}).dtypes.astype(str).tolist()
    ['str', 'datetime64[s]']
    >>> arrow_parse(b"order_id,paid_at\\n81,01.03.2026\\n", ",", {"paid_at"})["paid_at"].tolist()
    ['01.03.2026']
    >>> arrow_parse(b'order_id,title\\n81,"a, b"\\n', ","), arrow_parse(b"order_id\\n81,x\\n", ",")
    (None, None)
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as arrow_csv

    # Quotes: Arrow reads an unclosed one to the end of the file where pandas refuses it, and a quote
    # after white space as text; a lone CR ends records differently. Such files go pandas' way.
    if b'"' in data or _lone_carriage_return(data):
        return None
    head = data[:HEAD].decode("utf-8-sig", errors="ignore")
    header = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), None)
    if not header:  # a blank first line: pandas' path skips it
        return None
    fields = [f"f{i}" for i in range(len(header))]
    text = dict.fromkeys(fields, pa.large_string())  # pandas' text: no copy into it
    dates = {
        field: pa.date32() for field, name in zip(fields, header, strict=True) if name.strip().lower() in date_columns
    }
    for types in [text | dates, text] if dates else [text]:
        try:
            table = arrow_csv.read_csv(
                pa.BufferReader(data),
                read_options=arrow_csv.ReadOptions(column_names=fields, skip_rows=1, block_size=BLOCK),
                # No quote in the file, so no line end inside a value: Arrow cuts blocks at any line end.
                parse_options=arrow_csv.ParseOptions(delimiter=delimiter),
                convert_options=arrow_csv.ConvertOptions(
                    column_types=types,
                    null_values=[""],  # an empty date; nothing else is a missing value ("NA" is not a date)
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
            continue
    else:
        return None
    stamps = [pc.cast(column, pa.timestamp("s")) if column.type == pa.date32() else column for column in table.columns]
    raw = pa.table(stamps, names=fields).to_pandas()  # dates as the book holds them: datetime64[s]
    raw.columns = header_names(header)
    return raw


def header_names(fields: list) -> list[str]:
    """Column names of a header's fields: stripped, ``unnamed_<position>`` where empty.

    Examples
    --------
    >>> header_names([" order_id", "", None])
    ['order_id', 'unnamed_2', 'unnamed_3']
    """
    names = [("" if pd.isna(n) else str(n)).strip() for n in fields]
    return [n or f"unnamed_{position}" for position, n in enumerate(names, start=1)]


def one_line_records(data: bytes, records: int) -> range | None:
    """The line of each data record when every record of ``data`` is one line and no line is blank
    (``records`` records, header included): ``range(2, records + 1)``, told by counting line ends; else None.

    Examples
    --------
    >>> one_line_records(b"id\\n1\\n2\\n", 3), one_line_records(b"id\\n1\\n\\n2", 3)
    (range(2, 4), None)
    """
    ends = _line_feeds(data) + (not data.endswith(b"\n"))
    if ends != records or _lone_carriage_return(data):
        return None
    return range(2, records + 1)


#: Bytes compared at once when counting line feeds [B]: a megabyte's mask stays in the cache.
_COUNTED = 1024 * 1024


def _line_feeds(data: bytes) -> int:
    """The line feeds in ``data``, counted a megabyte at a time by numpy (SIMD): ``bytes.count`` goes a
    byte at a time, 0.11 s for a million orders' 140 MB where this takes 0.03 s.

    Examples
    --------
    >>> _line_feeds(b"id\\n1\\n2"), _line_feeds(b"")
    (2, 0)
    """
    view = np.frombuffer(data, dtype=np.uint8)
    return sum(int(np.count_nonzero(view[start : start + _COUNTED] == 0x0A)) for start in range(0, len(view), _COUNTED))


def _lone_carriage_return(data: bytes) -> bool:
    """Whether ``data`` holds a carriage return not followed by a line feed (counted only if it holds one).

    Examples
    --------
    >>> _lone_carriage_return(b"a\\r\\nb\\r\\n"), _lone_carriage_return(b"a\\rb\\n"), _lone_carriage_return(b"ab\\n")
    (False, True, False)
    """
    return b"\r" in data and data.count(b"\r") != data.count(b"\r\n")


__all__ = ["arrow_parse", "header_names", "one_line_records"]
