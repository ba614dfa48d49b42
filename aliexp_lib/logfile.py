"""The case log's file: created whole, opened read-only without a trace, checked before any change.

A new log is built aside and linked in, so no one ever meets it half made. A log opened to read is
never created, converted (journal mode) or written. An existing file is checked (a folder, a device,
0 bytes, not SQLite, another program's tables, a newer version) before anything touches it, and each
refusal is one ``InputError`` naming the file and what to do. Used by ``caselog.CaseLog`` only.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from aliexp_lib.errors import InputError, refuse_special_file

#: Version of the database layout this module writes and reads.
SCHEMA_VERSION = 1
#: Seconds a writer waits for another one to finish before giving up.
BUSY_TIMEOUT_S = 30.0

_TABLES = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    TEXT NOT NULL CHECK (order_id <> ''),
    event       TEXT NOT NULL,
    day         TEXT NOT NULL,              -- ISO date YYYY-MM-DD
    amount      TEXT,                       -- exact decimal text, or NULL
    currency    TEXT,                       -- ISO 4217 code, or NULL
    recorded_at TEXT NOT NULL,              -- UTC timestamp, ISO 8601
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_order ON events (order_id);
"""

#: What to do about a damaged log.
DAMAGED = "the case log is damaged; `aliexp log check ORDERS --repair` keeps it beside and rebuilds it"


def check_file(path: Path, read_only: bool) -> None:
    """Make sure ``path`` can be opened as a log: a missing one is created whole (unless ``read_only``); what
    cannot be one (a folder, a device, 0 bytes, not SQLite) is an ``InputError``.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "orders.caselog.sqlite"
    >>> check_file(path, read_only=False)
    >>> path.read_bytes()[:15], sorted(p.name for p in path.parent.iterdir())
    (b'SQLite format 3', ['orders.caselog.sqlite'])
    >>> _ = path.write_bytes(b"")
    >>> check_file(path, read_only=True)
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: /...orders.caselog.sqlite: the case log is an empty file (0 bytes), ...
    """
    refuse_special_file(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        if read_only:
            raise InputError(f"{path}: no case log here") from None
        _create(path)
        return
    except OSError as exc:
        raise InputError(f"{path}: cannot read the case log ({exc.strerror})") from None
    if not head:
        raise InputError(
            f"{path}: the case log is an empty file (0 bytes), not a case log; "
            "`aliexp log check ORDERS --repair` keeps it beside and starts a new log"
        )
    if head != b"SQLite format 3\x00":
        raise InputError(
            f"{path}: not a case log (not an SQLite database); move it away, or `aliexp log check ORDERS --repair`"
        )


def _create(path: Path) -> None:
    """A new, empty case log at ``path``, built aside and linked in whole: another writer never sees it
    half made (an empty file, or one without its tables); if one appeared meanwhile, it is kept."""
    try:
        handle, staged = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot create the case log ({exc.strerror})") from None
    os.close(handle)
    try:
        with contextlib.closing(sqlite3.connect(staged)) as connection:
            prepare_for_writing(path, connection)
        with contextlib.suppress(FileExistsError):
            os.link(staged, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot create the case log ({exc.strerror})") from None
    finally:
        Path(staged).unlink(missing_ok=True)


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection to ``path``. Read-only never creates or changes a file: a log a writer left with its
    write-ahead file is read through it (``mode=ro``); a log that is one file is read as immutable, which
    creates no companion file (a WAL database opened ``mode=ro`` would)."""
    if not read_only:
        # isolation_level="IMMEDIATE": every ``with connection:`` takes the write lock at BEGIN, so
        # a writer waits for another one (busy timeout) instead of failing part-way.
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level="IMMEDIATE")
    mode = "mode=ro" if Path(f"{path}-wal").exists() else "immutable=1"
    return sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, timeout=BUSY_TIMEOUT_S)


def check_tables(path: Path, connection: sqlite3.Connection) -> None:
    """``InputError`` unless the database has this program's tables, in a version it reads."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"events", "schema_version"} <= tables:
        found = ", ".join(sorted(tables)) or "none"
        raise InputError(
            f"{path}: an SQLite database that is not a case log (its tables: {found}); nothing was changed; "
            "move it away, or `aliexp log check ORDERS --repair`"
        )
    row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    if row[0] is not None and row[0] > SCHEMA_VERSION:
        raise InputError(
            f"{path}: case log version {row[0]} is newer than this program reads ({SCHEMA_VERSION}); update aliexp"
        )


def prepare_for_writing(path: Path, connection: sqlite3.Connection) -> None:
    """WAL journal, full sync, and the tables of a new log (a checked existing log keeps its own)."""
    mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise InputError(f"{path}: the case log cannot use a WAL journal (journal mode {mode!r})")
    connection.execute("PRAGMA synchronous=FULL")
    with connection:
        for statement in filter(str.strip, _TABLES.split(";")):
            connection.execute(statement)
        if connection.execute("SELECT max(version) FROM schema_version").fetchone()[0] is None:
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
