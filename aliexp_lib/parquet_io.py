"""Parquet order books in and out: a ``.parquet`` file or a folder of parts. Ground floor of "orders in".

A Parquet book has the columns of our CSV (``schema.SCHEMA``, case-insensitive names). Its cells are
turned into text (``text_cells``; its dates into dates, as the CSV reader gives ISO days) and go
through the one validator like every other source, so a bad value is named by file, row and column
as in a CSV: dates may be Parquet dates, timestamps at midnight or ``YYYY-MM-DD`` text; amounts
exact text, integers or decimals (a float such as ``0.1`` is read by its shortest decimal form, and
a float that needs more places than its currency has is an error, never rounded).

Rows are numbered from 1 within each file ("row 1" is a file's first record). A folder holds its
parts as ``*.parquet`` files (at any depth, read in name order; names starting with ``.`` or ``_``
are skipped, as Spark, Dask and pyarrow do).

Out: ``parquet_bytes`` / ``write_parquet`` write a table with the mark ``aliexp`` in the file's
key-value metadata (``ours_parquet`` reads only the footer); a file goes through
``safe_write.write_file``, so a file we did not write is never replaced. pyarrow is imported by the
functions that use it: ``import aliexp_lib`` stays light.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from aliexp_lib.cells import Lines
from aliexp_lib.errors import InputError
from aliexp_lib.safe_write import write_file
from aliexp_lib.schema import CALENDAR_COLUMNS

SUFFIX = ".parquet"
#: The key of our mark in a Parquet file's key-value metadata (its value names the program).
MARK_KEY = b"aliexp.written_by"
MARK_VALUE = b"aliexp"
#: Rows per piece when a big file is read piece by piece (whole row groups, at least one per piece).
PIECE_ROWS = 500_000


def is_parquet(path: str | os.PathLike) -> bool:
    """Whether ``path`` names a Parquet book: a ``.parquet`` name, or a folder (of parts).

    Examples
    --------
    >>> import tempfile
    >>> is_parquet("a.parquet"), is_parquet("a.PARQUET"), is_parquet("a.csv"), is_parquet(tempfile.gettempdir())
    (True, True, False, True)
    """
    path = Path(path)
    return path.suffix.lower() == SUFFIX or path.is_dir()


def parquet_parts(path: str | os.PathLike) -> list[Path]:
    """The files of a Parquet book: ``path`` itself, or a folder's ``*.parquet`` parts in name order.

    Raises
    ------
    InputError
        No such file or folder, or a folder without parts.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("b.parquet", "a.parquet", "_metadata", ".a.parquet.tmp", "notes.txt"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> [p.name for p in parquet_parts(folder)]
    ['a.parquet', 'b.parquet']
    >>> parquet_parts(folder / "none")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    aliexp_lib.errors.InputError: .../none: cannot read: no such file or folder
    """
    path = Path(path)
    if path.is_dir():
        parts = sorted(
            p
            for p in path.rglob("*")
            if p.suffix.lower() == SUFFIX
            and p.is_file()
            and not any(n.startswith((".", "_")) for n in p.relative_to(path).parts)
        )
        if not parts:
            raise InputError(
                f"{path}: is a folder without .parquet files; give the path of a file, or a folder of Parquet parts"
            )
        return parts
    if not path.exists():
        raise InputError(f"{path}: cannot read: no such file or folder")
    return [path]


def pieces(parts: Iterable[Path], rows: int = PIECE_ROWS) -> list[tuple[Path, tuple[int, ...], int]]:
    """The book cut into pieces of whole row groups, about ``rows`` rows each: (file, row groups, first row).

    ``first row`` is the piece's first row within its file [0-based], for messages.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "orders.parquet"
    >>> _ = write_parquet(pd.DataFrame({"order_id": [str(i) for i in range(5)]}), path, row_group_rows=2)
    >>> [(p.name, groups, first) for p, groups, first in pieces([path], rows=3)]
    [('orders.parquet', (0, 1), 0), ('orders.parquet', (2,), 4)]
    """
    found = []
    for path in parts:
        metadata = _metadata(path)
        counts = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
        groups: list[int] = []
        first = taken = 0
        for group, count in enumerate(counts):
            groups.append(group)
            taken += count
            if taken - first >= rows:
                found.append((path, tuple(groups), first))
                groups, first = [], taken
        if groups or not found or found[-1][0] != path:
            found.append((path, tuple(groups), first))
    return found


def read_text(path: Path, row_groups: tuple[int, ...] | None = None) -> pd.DataFrame:
    """The cells of a Parquet file (or of some of its row groups) as text, "" where empty (``text_cells``).

    Raises
    ------
    InputError
        Not a Parquet file, or damaged (one line naming the file).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        opened = pq.ParquetFile(path)
        table = opened.read_row_groups(list(row_groups)) if row_groups is not None else opened.read()
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise InputError(f"{path}: cannot read as Parquet ({_reason(exc)})") from None
    return text_cells(table, str(path))


def text_cells(table, source: str) -> pd.DataFrame:
    """A pyarrow table as a pandas table of text cells ("" where null), for the validator.

    A date column of ``schema.CALENDAR_COLUMNS`` holding Parquet dates, or timestamps (no time zone)
    all at midnight, comes as dates (``datetime64[s]``, NaT where null), as the CSV reader gives a
    column of ISO days: the validator checks only their bounds (``date_columns``), with no text made
    and parsed again. Other dates as ``YYYY-MM-DD`` (a timestamp with a time of day other than
    midnight keeps it; the validator reads its day, as in a CSV); numbers in their exact decimal form; booleans
    ``true``/``false``.

    Examples
    --------
    >>> import datetime as dt, decimal, pyarrow as pa
    >>> table = pa.table({"order_id": [81, 82], "price": [decimal.Decimal("600.50"), None],
    ...                   "shipped_at": [dt.date(2025, 8, 3), None], "seller_rating": [97.5, 1e-7],
    ...                   "noted_on": [dt.date(2019, 4, 1), None]})  # not a date of ours: text
    >>> cells = text_cells(table, "orders.parquet")
    >>> cells.drop(columns="shipped_at").values.tolist(), cells["shipped_at"].dt.strftime("%Y-%m-%d").tolist()
    ([['81', '600.50', '97.5', '2019-04-01'], ['82', '', '1e-7', '']], ['2025-08-03', nan])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_dictionary(kind):
            column, kind = column.cast(kind.value_type), kind.value_type
        calendar = str(name).strip().lower() in CALENDAR_COLUMNS
        try:
            stamped = pa.types.is_timestamp(kind)
            midnight = stamped and pc.all(pc.equal(pc.floor_temporal(column, unit="day"), column)).as_py() is not False
            if calendar and (pa.types.is_date(kind) or (midnight and kind.tz is None)):  # dates, as the CSV's
                columns[str(name)] = pc.cast(column, pa.timestamp("s")).to_pandas()
                continue
            if stamped:
                column = pc.strftime(column, "%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S")
            elif pa.types.is_boolean(kind):
                column = pc.if_else(column, "true", "false")
            elif not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
                column = column.cast(pa.string())
        except (pa.ArrowException, ValueError):
            raise InputError(f"{source}: column {name}: cannot read its type {kind} as order data") from None
        columns[str(name)] = column.fill_null("").to_pandas().astype(str)
    return pd.DataFrame(columns) if columns else pd.DataFrame()


def parquet_bytes(table: pd.DataFrame, row_group_rows: int | None = None) -> bytes:
    """``table`` as the bytes of a Parquet file with our mark (``MARK_KEY``), no index.

    Category columns are written dictionary-encoded (read back as categories); datetime columns as
    Parquet dates when they hold whole days.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    for i, field in enumerate(arrow.schema):
        if pa.types.is_timestamp(field.type) and _whole_days(table[field.name]):
            arrow = arrow.set_column(i, field.name, arrow.column(i).cast(pa.date32()))
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), MARK_KEY: MARK_VALUE})
    sink = io.BytesIO()
    pq.write_table(arrow, sink, row_group_size=row_group_rows, compression="zstd")
    return sink.getvalue()


def write_parquet(
    table: pd.DataFrame,
    path: str | os.PathLike,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
    row_group_rows: int | None = None,
) -> Path:
    """Write ``table`` as a Parquet file at ``path`` (``safe_write.write_file``: never over a file we did not write).

    Parameters
    ----------
    table : pandas.DataFrame
        The table; dates stay dates (Parquet ``date32``), amounts whatever type they have.
    path : str or path-like
        The file; an existing one is replaced only if it is ours (recorded, or carrying our mark).
    overwrite : bool, default False
        Replace a file we did not write (``--overwrite``); never one of ``inputs``.
    inputs : iterable of path-like
        The files the command read.
    row_group_rows : int, optional
        Rows per row group (default pyarrow's).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "deadlines.parquet"
    >>> table = pd.DataFrame({"order_id": ["81"], "due": pd.to_datetime(["2026-03-11"])})
    >>> _ = write_parquet(table, path)
    >>> ours_parquet(path), pd.read_parquet(path)["due"].tolist()
    (True, [datetime.date(2026, 3, 11)])
    >>> _ = write_parquet(table, path)  # ours: replaced
    >>> _ = path.write_bytes(b"the user's own file")
    >>> write_parquet(table, path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    aliexp_lib.errors.InputError: .../deadlines.parquet exists and was not written by aliexp ... --overwrite ...
    """
    return write_file(path, parquet_bytes(table, row_group_rows), ours_parquet, overwrite, inputs)


def ours_parquet(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a Parquet file carrying our mark in its footer (only the footer is read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException, ValueError):
        return False
    return metadata.get(MARK_KEY) == MARK_VALUE


def _metadata(path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise InputError(f"{path}: cannot read as Parquet ({_reason(exc)})") from None


def _whole_days(values: pd.Series) -> bool:
    days = values.dropna()
    return bool((days == days.dt.normalize()).all())


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def lines(first: int, count: int) -> Lines:
    """Where rows ``first`` .. ``first + count - 1`` of a file are, numbered from 1 ("row 1" is the first record).

    Examples
    --------
    >>> lines(0, 3)(0), lines(1000, 3)(2)
    ('row 1', 'row 1003')
    """
    return Lines(range(first + 1, first + count + 1), word="row")


def refuse_duplicates(parts: Iterable[tuple[str, int, pd.Series]]) -> None:
    """``InputError`` if an ``order_id`` is in two parts of a book (each part checks its own rows).

    Parameters
    ----------
    parts : iterable of (source, first row, order ids)
        Each piece's file, its first row in that file [0-based] and its ids in row order.

    Examples
    --------
    >>> refuse_duplicates([("a.parquet", 0, pd.Series(["81", "82"])), ("b.parquet", 5, pd.Series(["83", "81"]))])
    Traceback (most recent call last):
    aliexp_lib.errors.InputError: b.parquet: row 7, column order_id: '81': duplicate order_id, first in a.parquet row 1
    >>> refuse_duplicates([("a.parquet", 0, pd.Series(["81", ""])), ("b.parquet", 0, pd.Series(["82", ""]))])
    """
    frames = [
        pd.DataFrame({"order_id": ids.to_numpy(), "source": source, "row": range(first + 1, first + len(ids) + 1)})
        for source, first, ids in parts
    ]
    if not frames:
        return
    ids = pd.concat(frames, ignore_index=True)
    again = ids["order_id"].duplicated(keep=False) & (ids["order_id"] != "")
    if not again.any():
        return
    twice = ids[again]
    value = twice["order_id"].iat[0]
    first, second = twice[twice["order_id"] == value].iloc[:2].itertuples(index=False)
    raise InputError(
        f"{second.source}: row {second.row}, column order_id: {value!r}: duplicate order_id, "
        f"first in {first.source} row {first.row}"
    )
