"""A CSV order book of any size turned into a Parquet book (a folder of parts), a slice of records at a time.

``aliexp orders BIG.csv -o BOOK/`` reads the file ``BLOCK_BYTES`` at a time, cut where a record
ends (a line end outside quotes: an even number of ``"`` before it, as RFC 4180 doubles a quote
inside a field), and puts each slice behind the file's header line through the one reader and
validator (``native.csv_cells``, ``validate.validate``), its messages naming the file's own lines.
Each slice becomes one part, the text of ``aliexp orders`` (``book_as_text``); the parts are
written to a new folder beside the target and renamed into place at the end, so a refused file
leaves nothing. An order id on two slices is refused with both lines. Memory: one slice and its
table, and 16 bytes an order for the ids (a hash and a line number), whatever the file's size;
the book is then read piece by piece (``distributed``: ``aliexp deadlines BOOK/ -o OUT/``).

The file must be UTF-8 (or a single-byte encoding ``native`` recognises); UTF-16 is refused with
what to do, since its line ends are two bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.cells import Lines
from aliexp_lib.errors import CellError, InputError, refuse_special_file
from aliexp_lib.export import day_text
from aliexp_lib.money import money_text
from aliexp_lib.native import csv_cells
from aliexp_lib.parquet_io import parquet_bytes
from aliexp_lib.schema import SCHEMA
from aliexp_lib.validate import OrderBook, validate

#: Bytes of the file read at a time; a slice is this plus the end of a record cut in two [bytes].
BLOCK_BYTES = 8 << 20
_QUOTE, _NEWLINE = ord('"'), ord("\n")
_LINE = re.compile(r"(\bline )(\d+)")
#: Blocks (of at least ``BLOCK_BYTES``) read with no record ending in them before they go to the reader as
#: they are, which names the quote left open [blocks].
_UNCLOSED = 4


def book_as_text(book: OrderBook) -> pd.DataFrame:
    """The order book as ``aliexp orders`` writes it: amounts as plain decimals in each order's
    currency, dates as ``YYYY-MM-DD``, "" where empty, then ``items`` and ``status``."""
    table = book.table
    out = pd.DataFrame(index=table.index)
    for column in SCHEMA:
        if f"{column}_minor" in table:  # amounts: exact decimals in the order's currency
            out[column] = money_text(table[f"{column}_minor"], table["currency"])
        elif pd.api.types.is_datetime64_any_dtype(table[column]):
            out[column] = day_text(table[column]).astype(object).fillna("")  # each distinct day formatted once
        else:
            out[column] = table[column].astype(object).where(table[column].notna(), "")
    out["items"] = table.get("items", 1)
    out["status"] = table["status"].fillna("") if "status" in table else ""  # an export's, normalised
    return out


def write_book(path: Path, out: Path, inputs: Iterable[str | os.PathLike] = ()) -> tuple[str, tuple[str, ...]]:
    """``path`` (a CSV order book) as a Parquet book in the folder ``out``, a slice at a time.

    Returns
    -------
    (str, tuple of str)
        What was written, and the warnings of the file: each kind once, as its first slice says it (by the
        file's lines), with how many more slices said it too.

    Raises
    ------
    InputError
        As ``load_orders`` would for the file (every bad value of the first slice that has one, by its
        line in the file), an order id on two slices, UTF-16 text, or a folder that may not be written
        (``distributed.check_folder``); nothing is left under ``out`` then.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "orders.csv").write_text("order_id,shipped_at\\n81,2026-01-10\\n82,\\n")
    >>> write_book(folder / "orders.csv", folder / "book")[0]  # doctest: +ELLIPSIS
    'wrote 2 orders in 1 part to .../book/ ...'
    >>> pd.read_parquet(folder / "book")["shipped_at"].tolist()
    ['2026-01-10', '']
    """
    from aliexp_lib.distributed import check_folder  # dask's side of the house: only when a book is written

    refuse_special_file(path)
    existed = check_folder(out, [path, *(Path(p) for p in inputs)])
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        orders, parts, warnings = _write_parts(path, staging)
        if existed:  # parts of ours only (check_folder): the old book goes once the new one is whole
            shutil.rmtree(out)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    said = f"wrote {orders} orders in {parts} part{'s' * (parts != 1)} to {out}/"
    return said + f" (aliexp deadlines {out}/ -o FOLDER/ reads it piece by piece)", warnings


def _write_parts(path: Path, folder: Path) -> tuple[int, int, tuple[str, ...]]:
    """Each slice of ``path`` validated and written as ``part-NNNNN.parquet`` in ``folder``."""
    warnings: dict[str, list] = {}  # a warning with its numbers left out -> [the first, how many slices]
    hashes, lines = [], []
    orders = parts = 0
    for header, records, before in record_slices(path):
        raw, where, notes = _cells(header + records, path, before)
        numbers = where.every(len(raw)) - 1 + before  # the slice's lines as lines of the file
        book = validate(raw, str(path), Lines(numbers.tolist()))
        for note in (*(_in_file(n, before) for n in notes), *book.warnings):
            warnings.setdefault(re.sub(r"\d+", "#", note), [note, 0])[1] += 1
        (folder / f"part-{parts:05d}.parquet").write_bytes(parquet_bytes(book_as_text(book).astype(str)))
        hashes.append(pd.util.hash_array(book.table["order_id"].to_numpy(dtype=object)))
        lines.append(numbers)
        orders, parts = orders + len(raw), parts + 1
    if hashes:
        _refuse_repeated_ids(path, np.concatenate(hashes), np.concatenate(lines))
    return orders, parts, tuple(f"{w} (the same in {n - 1} more slices)" if n > 1 else w for w, n in warnings.values())


def record_slices(path: Path, block: int | None = None) -> Iterator[tuple[bytes, bytes, int]]:
    """(the file's header line, a slice of whole records after it, the file's lines before the slice).

    Examples
    --------
    >>> path = Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = path.write_bytes(b'order_id,title\\n1,"a\\nb"\\n2,c\\n3,d\\n')
    >>> [(records, before) for _, records, before in record_slices(path, block=8)]
    [(b'1,"a\\nb"\\n', 1), (b'2,c\\n3,d\\n', 3)]
    """
    block = block or BLOCK_BYTES
    try:
        handle = open(path, "rb")  # noqa: SIM115  # closed by the with below; an unreadable file is one line
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        header = handle.readline()
        if header.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in header:
            raise InputError(
                f"{path}: line 1: UTF-16 text or binary data; save the file as UTF-8 CSV to cut it in slices"
            )
        before, carry, slices = 1, b"", 0
        while chunk := handle.read(block):
            data = carry + chunk
            end = _last_record_end(data)
            if end < 0 and len(data) <= _UNCLOSED * max(block, BLOCK_BYTES):  # no record ends in it yet: read on
                carry = data
                continue
            end = end if end >= 0 else len(data) - 1  # a quote left open: the reader names its line
            yield header, data[: end + 1], before
            before += data.count(b"\n", 0, end + 1)
            carry, slices = data[end + 1 :], slices + 1
        if carry.strip() or not slices:  # the last record without its line end; a file of a header alone
            yield header, carry, before


def _cells(data: bytes, path: Path, before: int) -> tuple[pd.DataFrame, Lines, list[str]]:
    """``native.csv_cells`` of a slice behind the header; what the reader refuses, by the file's lines
    (it counts the lines of what it is given: line 2 is the slice's first, ``before + 1`` in the file)."""
    try:
        return csv_cells(data, path)
    except CellError as exc:
        raise CellError(exc.path, [_in_file(problem, before) for problem in exc.problems]) from None
    except InputError as exc:
        raise InputError(_in_file(str(exc), before)) from None


def _in_file(message: str, before: int) -> str:
    """``message`` with every "line N" past the header as the file's line.

    Examples
    --------
    >>> _in_file("orders.csv: line 3: 33 fields; line 1: the header", 40)
    'orders.csv: line 42: 33 fields; line 1: the header'
    """
    return _LINE.sub(lambda m: f"{m[1]}{int(m[2]) - 1 + before if int(m[2]) > 1 else m[2]}", message)


def _last_record_end(data: bytes) -> int:
    """The position of the last line end of ``data`` outside quotes (``data`` starts a record), or -1."""
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.cumsum(raw == _QUOTE, dtype=np.uint8)  # counted modulo 256: the parity is all that matters
    ends = np.flatnonzero((raw == _NEWLINE) & (quotes % 2 == 0))
    return int(ends[-1]) if len(ends) else -1


def _refuse_repeated_ids(path: Path, hashes: np.ndarray, lines: np.ndarray) -> None:
    """``InputError`` naming the first order id found on two slices, by its two lines."""
    order = np.argsort(hashes, kind="stable")
    same = np.flatnonzero(hashes[order][1:] == hashes[order][:-1])
    if len(same):
        first, again = sorted((int(lines[order[same[0]]]), int(lines[order[same[0] + 1]])))
        raise InputError(f"{path}: line {again}: the order id of line {first} again; every order once, please")


__all__ = ["BLOCK_BYTES", "book_as_text", "record_slices", "write_book"]
