"""Deadlines of a book too big for memory: Parquet pieces through the same engine, one partition at a time (Dask).

The book (a ``.parquet`` file or a folder of parts, ``parquet_io``) is cut into pieces of whole row
groups; each piece is one partition of a ``dask.dataframe``: read as text and checked by the one
validator (``validate``; a bad value is named by file, row, column and value), the buyer's case log
laid over it (``overlay``), then ``deadlines.compute_deadlines`` runs on it through
``map_partitions``, unchanged. An order's deadlines depend on that order alone, so the union of the
partitions' results is the in-memory result, row for row. The one check that spans partitions, an
``order_id`` in two pieces, is made on 64-bit hashes of the ids (8 bytes an order) and confirmed on
the ids themselves.

``write_deadlines`` writes the result as a folder of Parquet parts, built in a new hidden folder
beside the target and renamed into place once every part is written: on bad input nothing is left.
An existing folder is replaced only if it holds nothing but parts we wrote (``parquet_io.ours_parquet``).

The scheduler is Dask's: threads on this machine by default, or a ``dask.distributed.Client`` the
caller made (see the README, "Many buyers on a Dask cluster"). Nothing here is a parallel engine of
its own. dask and pyarrow are imported by the functions that use them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib import caselog
from aliexp_lib.deadlines import COLUMNS, compute_deadlines
from aliexp_lib.errors import InputError
from aliexp_lib.kinds import CLOSED
from aliexp_lib.overlay import apply_events
from aliexp_lib.parquet_io import (
    PIECE_ROWS,
    lines,
    ours_parquet,
    parquet_bytes,
    parquet_parts,
    pieces,
    read_text,
    refuse_duplicates,
)
from aliexp_lib.rules import Rulebook, load_rulebook
from aliexp_lib.validate import OrderBook, validate

Piece = tuple[Path, tuple[int, ...], int]
#: The names of the parts written (``part.00000.parquet``...).
PART_NAME = "part.{:05d}.parquet"


def book_frame(path: str | os.PathLike, rows: int = PIECE_ROWS, with_log: bool = True):
    """The validated order book of a Parquet file or folder as a Dask DataFrame, one partition a piece.

    Parameters
    ----------
    path : str or path-like
        A ``.parquet`` file or a folder of parts.
    rows : int, default ``parquet_io.PIECE_ROWS``
        About how many orders a partition holds (whole row groups): the memory one task needs.
    with_log : bool, default True
        Lay the case log beside the book (``caselog.default_log_path``) over each partition.

    Returns
    -------
    dask.dataframe.DataFrame
        Partitions as ``OrderBook.table`` (positional index within each piece); nothing is read yet.

    Examples
    --------
    >>> import tempfile
    >>> from aliexp_lib.parquet_io import write_parquet
    >>> folder = Path(tempfile.mkdtemp())
    >>> orders = pd.DataFrame({"order_id": ["81", "82"], "shipped_at": ["2026-01-10", ""]})
    >>> _ = write_parquet(orders, folder / "a.parquet")
    >>> book = book_frame(folder)
    >>> book.npartitions, book.compute()["shipped_at"].dt.strftime("%Y-%m-%d").tolist()
    (1, ['2026-01-10', nan])
    """
    import dask
    import dask.dataframe as dd

    found = pieces(parquet_parts(path), rows)
    log = caselog.default_log_path(Path(path))
    events = _events(log) if with_log and log.exists() else None
    meta = _book_meta(sorted({part for part, _, _ in found}))
    with dask.config.set({"dataframe.convert-string": False}):  # the engine's own dtypes, as in memory
        return dd.from_map(_validated, found, meta=meta, names=list(meta.columns), events=events, label="validated")


def deadlines_frame(book, today: dt.date, rulebook: Rulebook | None = None, payout: pd.DataFrame | None = None):
    """``deadlines.compute_deadlines`` on every partition of ``book`` (``book_frame``), through ``map_partitions``.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of ``deadlines.COLUMNS``, as ``compute_deadlines`` gives them.
    """
    import dask

    rulebook = rulebook if rulebook is not None else load_rulebook()
    meta = _deadlines(book._meta, today, rulebook, payout)
    with dask.config.set({"dataframe.convert-string": False}):
        return book.map_partitions(_deadlines, today, rulebook, payout, meta=meta)


def write_deadlines(
    path: str | os.PathLike,
    out: str | os.PathLike,
    today: dt.date,
    rulebook: Rulebook | None = None,
    payout: pd.DataFrame | None = None,
    inputs: Iterable[str | os.PathLike] = (),
    rows: int = PIECE_ROWS,
    closed: bool = True,
    **compute,
) -> str:
    """Every deadline of the Parquet book ``path`` into the folder ``out`` as Parquet parts, out of core.

    Parameters
    ----------
    path : str or path-like
        The book: a ``.parquet`` file or a folder of parts.
    out : str or path-like
        The folder to write; an existing one is replaced only if it holds nothing but our parts.
    today : datetime.date
        The day statuses and ``days_left`` are counted to.
    rulebook : Rulebook, optional
        The clocks (default: the bundled rulebook).
    payout : pandas.DataFrame, optional
        The payout times of refunds (``Setting.payout``; default: the bundled table).
    inputs : iterable of path-like
        The files and folders the command reads: never written over.
    rows : int, default ``parquet_io.PIECE_ROWS``
        About how many orders one task holds in memory.
    closed : bool, default True
        Keep the closed deadlines (``done``, ``expired``) too; False: the open ones only (the command's default).
    **compute
        For ``dask.compute`` (e.g. ``scheduler="threads"``, ``num_workers=2``); a running
        ``dask.distributed.Client`` is used by default.

    Returns
    -------
    str
        What was written: rows, parts and the folder.

    Raises
    ------
    InputError
        A bad value (file, row, column, value), an order in two pieces, or a folder that is not ours;
        nothing is written then.

    Examples
    --------
    >>> import tempfile
    >>> from aliexp_lib.parquet_io import write_parquet
    >>> folder = Path(tempfile.mkdtemp())
    >>> book = pd.DataFrame({"order_id": ["A1", "A2"], "shipped_at": ["2026-01-10", "2026-01-20"]})
    >>> _ = write_parquet(book, folder / "orders.parquet", row_group_rows=1)
    >>> write_deadlines(folder / "orders.parquet", folder / "deadlines", dt.date(2026, 2, 10), rows=1)
    'wrote 8 deadlines of 2 orders in 2 part(s) to .../deadlines'
    >>> pd.read_parquet(folder / "deadlines").loc[:1, ["order_id", "kind", "status"]]
      order_id            kind   status
    0       A1   dispute_opens     done
    1       A1  tracking_check  overdue
    """
    out = Path(out)
    path = Path(path)
    replace = check_folder(out, [path, *map(Path, inputs)])
    book = book_frame(path, rows)
    table = deadlines_frame(book, today, rulebook, payout)
    if not closed:
        table = table[~table["status"].isin(CLOSED)]
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        os.chmod(staged, 0o777 & ~_umask())
        written = table.map_partitions(_write_part, str(staged), meta={"rows": "int64"})
        hashes = book.map_partitions(_id_hashes, meta={"hash": "uint64", "piece": "int32"})
        import dask

        counts, ids = dask.compute(written, hashes, **compute)
        _refuse_duplicates(ids, book_pieces=pieces(parquet_parts(path), rows))
        if replace:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, old / "old")
            os.replace(staged, out)
            shutil.rmtree(old)
        else:
            os.replace(staged, out)
    except OSError as exc:
        raise InputError(f"{out}: cannot write ({exc.strerror or type(exc).__name__}); nothing was written") from None
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return f"wrote {int(counts['rows'].sum())} deadlines of {len(ids)} orders in {len(counts)} part(s) to {out}"


def _validated(piece: Piece, events: pd.DataFrame | None, names: list[str]) -> pd.DataFrame:
    """One piece read as text and checked by the one validator (its rows named in its file), the case log over it."""
    part, groups, first = piece
    raw = read_text(part, groups)
    table = validate(raw, str(part), lines(first, len(raw))).table
    if events is not None:
        table, _ = apply_events(table, events[events["order_id"].isin(table["order_id"])])
    missing = [c for c in names if c not in table]
    if missing:  # a text column only some parts have: empty cells here
        table = pd.concat([table, pd.DataFrame("", index=table.index, columns=missing)], axis=1)
    return table.loc[:, names]


def _deadlines(table: pd.DataFrame, today: dt.date, rulebook: Rulebook, payout: pd.DataFrame | None) -> pd.DataFrame:
    return compute_deadlines(OrderBook(table), today, rulebook, payout).loc[:, list(COLUMNS)]


def _book_meta(parts: list[Path]) -> pd.DataFrame:
    """The validated table of no rows with every column of every part (from the files' footers)."""
    import pyarrow.parquet as pq

    names: dict[str, None] = {}
    for part in parts:
        for name in pq.read_schema(part).names:
            names.setdefault(str(name).strip().lower())
    raw = pd.DataFrame({name: pd.Series([], dtype=str) for name in names})
    return validate(raw, str(parts[0]), lines(0, 0)).table


def _write_part(table: pd.DataFrame, folder: str, partition_info=None) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    target = Path(folder) / PART_NAME.format(number)
    with open(target, "xb") as handle:  # a new name in our own new folder
        handle.write(parquet_bytes(table.reset_index(drop=True)))
        os.fsync(handle.fileno())
    return pd.DataFrame({"rows": [len(table)]})


def _id_hashes(table: pd.DataFrame, partition_info=None) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    ids = table["order_id"]
    hashes = pd.util.hash_pandas_object(ids[ids != ""], index=False).to_numpy()
    return pd.DataFrame({"hash": hashes, "piece": np.full(len(hashes), number, dtype=np.int32)})


def _refuse_duplicates(ids: pd.DataFrame, book_pieces: list[Piece]) -> None:
    """``parquet_io.refuse_duplicates`` on the pieces whose id hashes meet (rare: read only then)."""
    hashes = ids["hash"].to_numpy()
    order = np.argsort(hashes, kind="stable")
    sorted_hashes = hashes[order]
    again = sorted_hashes[1:] == sorted_hashes[:-1]
    if not again.any():
        return
    twice = np.union1d(order[1:][again], order[:-1][again])
    involved = sorted(set(ids["piece"].to_numpy()[twice].tolist()))
    found = []
    for number in involved:
        part, groups, first = book_pieces[number]
        raw = read_text(part, groups)
        column = next(c for c in raw.columns if str(c).strip().lower() == "order_id")
        found.append((str(part), first, raw[column].str.strip()))
    refuse_duplicates(found)


def check_folder(out: Path, inputs: list[Path]) -> bool:
    """Whether ``out`` exists (then it holds only parts of ours); an ``InputError`` where it may not be written."""
    for given in inputs:
        if given.exists() and out.exists() and os.path.samefile(out, given):
            raise InputError(f"{out} is what this command reads; nothing was written: choose another folder (-o)")
        if given.exists() and out.resolve() in given.resolve().parents:
            raise InputError(f"{out} holds {given}, which this command reads; choose another folder (-o)")
    if not out.parent.is_dir():
        raise InputError(f"{out}: cannot write: the folder {out.parent} does not exist")
    if not out.exists() and not out.is_symlink():
        return False
    if out.is_symlink() or not out.is_dir():
        raise InputError(f"{out} exists and is not a folder; give a new folder name (-o FOLDER/)")
    foreign = [p for p in out.iterdir() if not (p.is_file() and not p.is_symlink() and ours_parquet(p))]
    if foreign:
        raise InputError(
            f"{out} holds {foreign[0].name}, which aliexp did not write; nothing was written: choose another folder"
        )
    return True


def _events(log: Path) -> pd.DataFrame:
    with caselog.CaseLog(log, read_only=True) as opened:
        return opened.events()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
