"""``aliexp log check``: what is wrong with a case log, and a repair that keeps the original beside it.

The check opens the log read-only (nothing is created or changed): the file itself (``logfile``'s
checks), SQLite's own integrity check, and each event row. The repair first copies the original
beside it, under a new name never used before (``orders.caselog.damaged-20260301T101500.sqlite``),
then builds a new log holding every event that can still be read, row by row, so one damaged page
loses only the events on it. Place in "orders in": beside ``caselog``, on the ground floor.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from aliexp_lib.caselog import EVENT_COLUMNS, CaseLog
from aliexp_lib.errors import InputError
from aliexp_lib.logfile import prepare_for_writing


def check_log(path: str | Path) -> list[str]:
    """What is wrong with the case log at ``path``, in words (empty: nothing); the file is only read.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> with CaseLog(folder / "orders.caselog.sqlite") as log:
    ...     _ = log.record("81", "received", "2026-02-01")
    >>> check_log(folder / "orders.caselog.sqlite")
    []
    >>> _ = (folder / "empty.caselog.sqlite").write_bytes(b"")
    >>> print(check_log(folder / "empty.caselog.sqlite")[0])
    /...empty.caselog.sqlite: the case log is an empty file (0 bytes), ...
    """
    try:
        with CaseLog(path, read_only=True) as log:
            found = [f"{path}: {row[0]}" for row in log.connection.execute("PRAGMA integrity_check") if row[0] != "ok"]
            log.events()
            return found + log.damaged
    except (InputError, sqlite3.DatabaseError) as exc:
        return [str(exc)]


def repair_log(path: str | Path) -> tuple[Path, int, int]:
    """Keep the log at ``path`` beside it under a new name, and put a new log with every readable event in
    its place.

    Returns
    -------
    (pathlib.Path, int, int)
        Where the original now is, the events kept [events] and the rows that could not be read [rows].

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "orders.caselog.sqlite").write_bytes(b"not a database")
    >>> kept, events, lost = repair_log(folder / "orders.caselog.sqlite")
    >>> kept.name.startswith("orders.caselog.damaged-"), kept.read_bytes(), events, lost
    (True, b'not a database', 0, 0)
    >>> check_log(folder / "orders.caselog.sqlite")
    []
    """
    path = Path(path)
    rows, lost = _readable_rows(path)
    kept = _keep_beside(path)
    handle, staged = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(handle)
    try:
        with contextlib.closing(sqlite3.connect(staged)) as connection:
            prepare_for_writing(path, connection)
            with connection:
                connection.executemany(
                    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
                    rows,
                )
        os.replace(staged, path)
    finally:
        Path(staged).unlink(missing_ok=True)
    for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):  # the original's, now kept beside it
        companion.unlink(missing_ok=True)
    return kept, len(rows), lost


def _readable_rows(path: Path) -> tuple[list[tuple], int]:
    """Every event row that can be read, one query per row id, and how many could not be."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.DatabaseError:
        return [], 0
    rows: list[tuple] = []
    lost = 0
    with contextlib.closing(connection):
        try:
            last = connection.execute("SELECT max(id) FROM events").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            return [], 0
        select = f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE id = ?"
        for row_id in range(1, last + 1):  # per row: a damaged page loses only its own rows
            try:
                row = connection.execute(select, (row_id,)).fetchone()
            except sqlite3.DatabaseError:
                lost += 1
                continue
            if row is not None:
                rows.append(row)
    return rows, lost


def _keep_beside(path: Path) -> Path:
    """Copy ``path`` (and its write-ahead file) to a name beside it that did not exist; return that name."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    for attempt in range(100):
        suffix = f"-{attempt}" if attempt else ""
        kept = path.with_name(f"{path.name.removesuffix('.caselog.sqlite')}.caselog.damaged-{stamp}{suffix}.sqlite")
        try:
            with open(path, "rb") as source, open(kept, "xb") as copy:  # "x": never over an earlier copy
                shutil.copyfileobj(source, copy)
                copy.flush()
                os.fsync(copy.fileno())
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"{path}: cannot keep a copy beside it ({exc.strerror}); nothing was changed") from None
        wal = Path(f"{path}-wal")
        if wal.exists():
            shutil.copyfile(wal, f"{kept}-wal")
        return kept
    raise InputError(f"{path}: cannot find a free name to keep a copy beside it; nothing was changed")
