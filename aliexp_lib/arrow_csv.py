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

import pandas as pd

#: Bytes read to find the header's fields [bytes].
HEAD = 8 * 1024 * 1024
#: Bytes Arrow parses as one piece [B]: each column comes in pieces of this much of the file, and every
#: later pass over a column (checks, factorize, joins) pays per piece; 16 MB instead of Arrow's 1 MB
#: is 9 pieces for a 140 MB file, still several per core (1M orders: 0.2 s less to load).
BLOCK = 16 * 1024 * 1024


def arrow_parse(data: bytes, delimiter: str) -> pd.DataFrame | None:
    """Every record of UTF-8 ``data`` as text cells by Arrow's parser (several cores; every record
    must have as many fields as the first), or None where it could read differently from pandas' (a
    quote after white space, a ragged or unreadable record: pandas' path then names the problem).

    Parameters
    ----------
    data : bytes
        The file, UTF-8 (a byte order mark is skipped).
    delimiter : str
        The field delimiter (``native`` finds it).

    Returns
    -------
    pandas.DataFrame or None
        Text cells, the header as the first row, columns numbered from 0.

    Examples
    --------
    >>> arrow_parse(b"order_id,title\\n81,USB cable\\n", ",").values.tolist()
    [['order_id', 'title'], ['81', 'USB cable']]
    >>> arrow_parse(b'order_id,title\\n81,"a, b"\\n', ","), arrow_parse(b"order_id\\n81,x\\n", ",")
    (None, None)
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    # Quotes: Arrow reads an unclosed one to the end of the file where pandas refuses it, and a quote
    # after white space as text; a lone CR ends records differently. Such files go pandas' way.
    if b'"' in data or _lone_carriage_return(data):
        return None
    head = data[:HEAD].decode("utf-8-sig", errors="ignore")
    first = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), None)
    if not first:
        return None
    names = [f"f{i}" for i in range(len(first))]
    try:
        table = arrow_csv.read_csv(
            pa.BufferReader(data),
            read_options=arrow_csv.ReadOptions(column_names=names, block_size=BLOCK),
            parse_options=arrow_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),  # pandas' text: no copy into it
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        return None
    raw = table.to_pandas()
    raw.columns = range(raw.shape[1])
    return raw


def one_line_records(data: bytes, records: int) -> range | None:
    """The line of each data record when every record of ``data`` is one line and no line is blank
    (``records`` records, header included): ``range(2, records + 1)``, told by counting line ends; else None.

    Examples
    --------
    >>> one_line_records(b"id\\n1\\n2\\n", 3), one_line_records(b"id\\n1\\n\\n2", 3)
    (range(2, 4), None)
    """
    ends = data.count(b"\n") + (not data.endswith(b"\n"))
    if ends != records or _lone_carriage_return(data):
        return None
    return range(2, records + 1)


def _lone_carriage_return(data: bytes) -> bool:
    """Whether ``data`` holds a carriage return not followed by a line feed (counted only if it holds one).

    Examples
    --------
    >>> _lone_carriage_return(b"a\\r\\nb\\r\\n"), _lone_carriage_return(b"a\\rb\\n"), _lone_carriage_return(b"ab\\n")
    (False, True, False)
    """
    return b"\r" in data and data.count(b"\r") != data.count(b"\r\n")


__all__ = ["arrow_parse", "one_line_records"]
