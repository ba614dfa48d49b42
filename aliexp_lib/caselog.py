"""The case log: what the buyer records about their orders, kept beside the order file.

The imported order book (CSV/XLSX) is only ever read. What happens afterwards (a dispute opened,
the seller's answer, an extension agreed, the return posted, the refund arriving) is recorded in
a local SQLite file beside it (``orders.csv`` -> ``orders.caselog.sqlite``, see
``default_log_path``) and laid over the imported table with ``overlay.apply_events``.

The log is one table of events. Each ``CaseLog.record`` is validated first, then written in its
own transaction, so a crash or a kill loses at most the event being written and never damages the
file (WAL journal, ``synchronous=FULL``). Two programs writing at once wait for each other (busy
timeout) instead of failing with "database is locked".

Events are the dated columns of the order book without their ``_at`` suffix (``shipped``,
``received``, ``dispute_opened``... every one but ``ordered``, which is known before any case
starts), plus ``extension``: days of buyer protection added by agreement with the seller, whose
amounts add up into ``extension_days``.

Place in "orders in": it builds on the ground floor only (``schema`` for the date columns,
``errors``, ``money``); the loader (``orders.load_orders``) lays it over the validated book.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pandas as pd

from aliexp_lib.errors import InputError
from aliexp_lib.logfile import BUSY_TIMEOUT_S, DAMAGED, check_file, check_tables, connect, prepare_for_writing
from aliexp_lib.money import known_currencies, minor_digits
from aliexp_lib.schema import DATE_COLUMNS

#: Dated events the log knows: the order book's date columns (``<event>_at``) but ``ordered_at``.
DATED_EVENTS = tuple(c.removesuffix("_at") for c in DATE_COLUMNS if c != "ordered_at")
#: Days of protection agreed with the seller; ``amount`` is the whole number of days.
EXTENSION = "extension"
#: Every event ``CaseLog.record`` accepts.
EVENTS = DATED_EVENTS + (EXTENSION,)

#: Columns of ``CaseLog.events()`` in order.
EVENT_COLUMNS = ("id", "order_id", "event", "day", "amount", "currency", "recorded_at", "note")

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^\d{1,12}(?:[.,]\d+)?$")
_WHOLE = re.compile(r"^\d{1,4}$")
_EARLIEST, _LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def default_log_path(orders_path: str | Path) -> Path:
    """The case log beside an order file: ``orders.csv`` -> ``orders.caselog.sqlite``.

    Examples
    --------
    >>> default_log_path("data/orders.xlsx").as_posix()
    'data/orders.caselog.sqlite'
    """
    return Path(orders_path).with_suffix(".caselog.sqlite")


class CaseLog:
    """The buyer's case log in the SQLite file ``path``.

    Use as a context manager, or call ``close()``. Opened to write (the default), a missing log is
    created; opened ``read_only``, nothing is ever created, converted or written (the file, its
    journal mode and its tables stay as they are). Either way a file that is not a case log (empty,
    another program's database, damaged, newer) is an ``InputError`` naming it and what to do,
    before anything is changed.

    Parameters
    ----------
    path : str or pathlib.Path
    read_only : bool, default False

    Examples
    --------
    >>> import tempfile
    >>> with CaseLog(default_log_path(Path(tempfile.mkdtemp()) / "orders.csv")) as log:
    ...     first = log.record("8100000000000001", "dispute_opened", "2026-02-20")
    ...     _ = log.record("8100000000000001", "extension", dt.date(2026, 2, 21), amount=10)
    ...     events = log.events()
    >>> first, events["event"].tolist(), events["amount"].tolist(), str(events.loc[1, "day"].date())
    (1, ['dispute_opened', 'extension'], [None, '10'], '2026-02-21')
    """

    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path)
        self.damaged: list[str] = []  # what ``events`` left out, in words
        check_file(self.path, read_only)
        try:
            connection = connect(self.path, read_only)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path}: cannot open the case log ({exc})") from None
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            check_tables(self.path, connection)
            if not read_only:
                prepare_for_writing(self.path, connection)
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise InputError(f"{self.path}: {DAMAGED} ({exc})") from None
        except BaseException:
            connection.close()
            raise
        self._connection: sqlite3.Connection | None = connection

    # -- lifetime -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database; further calls do nothing."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> CaseLog:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The open database connection; ``InputError`` once the log is closed."""
        if self._connection is None:
            raise InputError(f"{self.path}: the case log is closed")
        return self._connection

    # -- writing and reading --------------------------------------------------------------------

    def record(
        self,
        order_id: str,
        event: str,
        day: str | dt.date,
        amount: str | int | Decimal | None = None,
        currency: str | None = None,
        note: str = "",
    ) -> int:
        """Record one event of one order, in its own transaction; return its id.

        Parameters
        ----------
        order_id : str
        event : str
            One of ``EVENTS``.
        day : str or datetime.date
            The ISO date it happened (``YYYY-MM-DD``, 2000-2099).
        amount : str, int or Decimal, optional
            Exact (text such as ``"600.50"``, an int or a ``Decimal``; never a float) [currency units] with
            its ``currency``; for ``extension`` the whole number of days agreed [d], ``currency`` empty.
        currency : str, optional
            ISO 4217 code.
        note : str, default ""

        Returns
        -------
        int
            The event's id (events are applied in id order).

        Raises
        ------
        InputError
            On bad input, before anything is written.

        Examples
        --------
        >>> import tempfile
        >>> with CaseLog(Path(tempfile.mkdtemp()) / "log.sqlite") as log:
        ...     log.record("81", "refund_received", "2026-03-02", amount="600.50", currency="rub")
        ...     log.record("81", "refund_received", "2026-03-02", amount=0.5, currency="RUB")
        Traceback (most recent call last):
        ...
        aliexp_lib.errors.InputError: case log: refund_received: amount 0.5 must be exact: text such as '600.50', ...
        """
        row = _validated(order_id, event, day, amount, currency, note)
        recorded_at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        connection = self.connection
        with connection:
            cursor = connection.execute(
                "INSERT INTO events (order_id, event, day, amount, currency, recorded_at, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (*row[:5], recorded_at, row[5]),
            )
        if cursor.lastrowid is None:  # sqlite3 sets it after every successful INSERT
            raise RuntimeError("case log: the database did not report the new event's row id")
        return cursor.lastrowid

    def events(self) -> pd.DataFrame:
        """Every readable recorded event, in recorded order (see the class's example).

        A row damaged outside this program (an unknown date, an empty order id) is left out and
        described in ``damaged``, so one bad row never blocks the others or a new record.

        Returns
        -------
        pandas.DataFrame
            ``EVENT_COLUMNS``; ``day`` as ``datetime64`` [date], ``recorded_at`` as a UTC timestamp,
            ``amount`` as exact decimal text or missing (None).
        """
        try:
            rows = self.connection.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY id").fetchall()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path}: {DAMAGED} ({exc})") from None
        frame = pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS))
        day = pd.to_datetime(frame["day"], format="%Y-%m-%d", errors="coerce")
        recorded_at = pd.to_datetime(frame["recorded_at"], format="ISO8601", utc=True, errors="coerce")
        order_id = frame["order_id"].astype(str)
        bad = (day.isna() | recorded_at.isna() | frame["order_id"].isna() | (order_id == "")).to_numpy()
        self.damaged = [
            f"case log: event {row.id} ({row.event}, day {row.day!r}, order {row.order_id!r}) is damaged; "
            "left out (record it again to replace it)"
            for row in frame.loc[bad].itertuples()
        ]
        frame = frame.loc[~bad].reset_index(drop=True)
        frame["id"] = frame["id"].astype("int64")
        frame["day"] = day.loc[~bad].reset_index(drop=True).astype("datetime64[s]")
        frame["recorded_at"] = recorded_at.loc[~bad].reset_index(drop=True)
        for column in ("order_id", "event", "note"):
            frame[column] = frame[column].astype(str)
        for column in ("amount", "currency"):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        return frame


def _validated(order_id, event, day, amount, currency, note) -> tuple:
    """The row to store, or ``InputError`` naming the bad value."""
    valid = ", ".join(EVENTS)
    if not isinstance(event, str) or event.strip().lower() not in EVENTS:
        raise InputError(f"case log: event {event!r} is not one the log knows; expected one of {valid}")
    event = event.strip().lower()
    if not isinstance(order_id, str) or not order_id.strip():
        raise InputError(f"case log: {event}: order_id {order_id!r} must be non-empty text (events: {valid})")
    order_id = order_id.strip()
    day = _day(day, event)
    if event == EXTENSION:
        if currency not in (None, ""):
            raise InputError(f"case log: extension: currency {currency!r} makes no sense; the amount is days")
        amount = _whole_days(amount)
        currency = None
    else:
        amount, currency = _money(amount, currency, event)
    if not isinstance(note, str):
        raise InputError(f"case log: {event}: note {note!r} must be text")
    return order_id, event, day, amount, currency, note


def _day(day, event: str) -> str:
    """The ISO text of ``day`` (a date or ``YYYY-MM-DD``, 2000-2099), else ``InputError``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if isinstance(day, dt.date):
        parsed = day
    elif isinstance(day, str) and _ISO_DAY.match(day.strip()):
        try:
            parsed = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise InputError(f"case log: {event}: day {day!r} is not a calendar date") from None
    else:
        raise InputError(f"case log: {event}: day {day!r} is not a date; expected YYYY-MM-DD")
    if not _EARLIEST <= parsed <= _LATEST:
        raise InputError(f"case log: {event}: day {day!r} is outside 2000-2099; a typo?")
    return parsed.isoformat()


def _whole_days(amount) -> str:
    """The extension's whole number of days (0-9999) as text, else ``InputError``."""
    if isinstance(amount, bool) or amount is None:
        raise InputError(f"case log: extension: amount {amount!r} must be the whole number of days agreed, such as 10")
    if isinstance(amount, int | Decimal):
        text = str(amount)
    elif isinstance(amount, str):
        text = amount.strip()
    else:
        raise InputError(f"case log: extension: amount {amount!r} must be the whole number of days agreed, such as 10")
    text = re.sub(r"\.0*$", "", text)
    if not _WHOLE.match(text):
        raise InputError(f"case log: extension: amount {amount!r} must be a whole number of days from 0 to 9999")
    return str(int(text))


def _money(amount, currency, event: str) -> tuple[str | None, str | None]:
    """The exact amount text (``,`` read as ``.``) and ISO currency of an event, else ``InputError``."""
    if currency in (None, ""):
        currency = None
    elif not isinstance(currency, str) or currency.strip().upper() not in known_currencies():
        raise InputError(f"case log: {event}: currency {currency!r} is not an ISO 4217 code such as RUB, USD, EUR")
    else:
        currency = currency.strip().upper()
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        return None, currency
    if isinstance(amount, bool | float) or not isinstance(amount, str | int | Decimal):
        raise InputError(
            f"case log: {event}: amount {amount!r} must be exact: text such as '600.50', an int or a Decimal"
        )
    text = str(amount).strip().replace(",", ".")
    if not _DECIMAL.match(text):
        raise InputError(f"case log: {event}: amount {amount!r} is not an amount such as 600 or 600.50, 0 or more")
    if currency is None:
        raise InputError(f"case log: {event}: amount {amount!r} needs its currency (ISO code such as RUB)")
    digits = minor_digits(currency)
    fraction = text.partition(".")[2]
    if len(fraction.rstrip("0")) > digits:
        raise InputError(f"case log: {event}: amount {amount!r} has more decimal places than {currency} has ({digits})")
    return text, currency
