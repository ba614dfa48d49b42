"""Many events into the case log at once: a CSV ``order_id,event,date[,amount]``, all or nothing.

What ``aliexp missing`` asks for is typed into a spreadsheet or pasted into the notebook's form,
one event a line, and recorded in one step. Every line is checked first (the order is in the order
book, the event is one the case log knows, the date is ``YYYY-MM-DD`` from 2000 to 2099, an amount
is exact with no more decimals than the order's currency has, an extension's amount is whole
days); every bad line is named by file, line, column and value (``cells.Problems``), and then
nothing is recorded. A line given twice is recorded once; the same order and event on two lines
with different dates is a problem (which one is right?); an event already in the log with the same
date and amount is not recorded again, so the same file can be recorded twice safely. Everything
else goes into the log in one transaction.

Place: beside the case log (``caselog``), on the ground floor's ``cells``, ``errors`` and ``money``.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from aliexp_lib.caselog import EVENTS, EXTENSION, CaseLog
from aliexp_lib.cells import Lines, Problems, csv_record_lines
from aliexp_lib.errors import InputError
from aliexp_lib.i18n import _, label
from aliexp_lib.money import minor_digits

#: The columns of an events file, ``amount`` optional.
EVENT_FILE_COLUMNS = ("order_id", "event", "date", "amount")
_EARLIEST, _LATEST = pd.Timestamp("2000-01-01"), pd.Timestamp("2099-12-31")


def read_events(text: str, source: str, orders: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The events of a CSV text, checked against the orders; every bad line raised at once.

    Parameters
    ----------
    text : str
        CSV with the header ``order_id,event,date[,amount]``; or, pasted, just such lines without a
        header (then line 1 is the first event).
    source : str
        The file's name (or ``pasted text``), for messages.
    orders : pandas.DataFrame
        ``order_id`` and ``currency`` of the order book (``OrderBook.table``).

    Returns
    -------
    events : pandas.DataFrame
        ``order_id``, ``event``, ``day`` (``YYYY-MM-DD``), ``amount`` (exact decimal text or None
        [currency units; days for an extension]), ``currency`` (the order's, None for an
        extension or without an amount): one per distinct line, in file order.
    notes : list of str
        Duplicate lines recorded once.

    Raises
    ------
    InputError
        A missing column; ``CellError`` naming every bad line, column and value.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["81", "82"], "currency": ["RUB", "USD"]})
    >>> text = "order_id,event,date,amount\\n81,shipped,2026-01-10,\\n82,refund_issued,2026-02-01,5.50\\n"
    >>> events, notes = read_events(text + "81,shipped,2026-01-10,\\n", "events.csv", orders)
    >>> events.values.tolist(), notes
    ([['81', 'shipped', '2026-01-10', None, None], ['82', 'refund_issued', '2026-02-01', '5.50', 'USD']], \
['events.csv: line 4 repeats line 2; recorded once'])
    >>> read_events("99,shipped,2026-13-01", "pasted text", orders)
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.CellError: pasted text: 2 problems:
      line 1, column order_id: '99': not an order of the order book
      line 1, column date: '2026-13-01': not a date; expected YYYY-MM-DD from 2000 to 2099
    """
    text = text.lstrip("\ufeff")
    first = text.lstrip().split("\n", 1)[0].strip().lower()
    headed = first.startswith("order_id")
    try:
        table = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            header=0 if headed else None,
            names=None if headed else list(EVENT_FILE_COLUMNS),
            skipinitialspace=True,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{source}: not a CSV of order_id,event,date[,amount] lines ({exc})") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    absent = [c for c in EVENT_FILE_COLUMNS[:3] if c not in table]
    if absent:
        raise InputError(
            f"{source}: line 1: no column {', '.join(absent)}; expected the header order_id,event,date[,amount]"
        )
    if "amount" not in table:
        table["amount"] = ""
    table = table.loc[:, list(EVENT_FILE_COLUMNS)].apply(lambda column: column.str.strip()).reset_index(drop=True)
    starts = csv_record_lines(text) if headed else [n - 1 for n in csv_record_lines("header\n" + text)]
    problems = Problems(source, Lines(starts), columns=EVENT_FILE_COLUMNS)
    currency = table["order_id"].map(orders.drop_duplicates("order_id").set_index("order_id")["currency"])
    problems.flag(
        ~table["order_id"].isin(orders["order_id"]), table["order_id"], "order_id", "not an order of the order book"
    )
    event = table["event"].str.lower()
    problems.flag(
        ~event.isin(EVENTS), table["event"], "event", f"not an event the case log knows ({', '.join(EVENTS)})"
    )
    day = pd.to_datetime(table["date"], format="%Y-%m-%d", errors="coerce")
    bad_day = day.isna() | (day < _EARLIEST) | (day > _LATEST) | ~table["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    problems.flag(bad_day, table["date"], "date", "not a date; expected YYYY-MM-DD from 2000 to 2099")
    _check_amounts(table, event, currency, problems)
    rows = table.assign(event=event)
    repeated = rows.duplicated(keep="first").to_numpy()
    key = ["order_id", "event"]
    distinct = rows[~repeated]
    clash = distinct.duplicated(key, keep=False) & (distinct["event"] != EXTENSION)
    firsts = distinct.groupby(key, sort=False).head(1).reset_index().set_index(key)["index"]
    for_clash = distinct[clash & distinct.duplicated(key, keep="first")]
    said = [
        f"the same order and event is on {problems.where(int(firsts[(o, e)]))} with another date or amount"
        for o, e in zip(for_clash["order_id"], for_clash["event"], strict=True)
    ]
    problems.flag(rows.index.isin(for_clash.index), table["date"], "date", said)
    problems.raise_problems()
    notes = [
        f"{source}: {problems.where(int(row))} repeats {problems.where(_first_of(rows, int(row)))}; recorded once"
        for row in np.flatnonzero(repeated)
    ]
    amount = distinct["amount"].str.replace(",", ".", regex=False)
    money = (amount != "") & (distinct["event"] != EXTENSION)
    out = pd.DataFrame(
        {
            "order_id": distinct["order_id"].to_numpy(),
            "event": distinct["event"].to_numpy(),
            "day": distinct["date"].to_numpy(),
            "amount": np.where(amount != "", amount.to_numpy(dtype=object), None),
            "currency": np.where(money, currency[distinct.index].to_numpy(dtype=object), None),
        },
        dtype=object,
    )
    return out, notes


def record_events(log: CaseLog, events: pd.DataFrame) -> tuple[int, int]:
    """Record ``events`` (as ``read_events`` gives) in one transaction; those already in the log are skipped.

    Parameters
    ----------
    log : CaseLog
    events : pandas.DataFrame
        ``order_id``, ``event``, ``day``, ``amount``, ``currency``.

    Returns
    -------
    (int, int)
        Events recorded, events skipped as already in the log with the same day and amount.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> events = pd.DataFrame({"order_id": ["81"], "event": ["shipped"], "day": ["2026-01-10"], "amount": [None],
    ...                        "currency": [None]})
    >>> with CaseLog(Path(tempfile.mkdtemp()) / "log.sqlite") as log:
    ...     record_events(log, events), record_events(log, events), len(log.events())
    ((1, 0), (0, 1), 1)
    """
    before = log.events()
    known = set(
        zip(
            before["order_id"],
            before["event"],
            before["day"].dt.strftime("%Y-%m-%d"),
            before["amount"].fillna(""),
            strict=True,
        )
    )
    keys = pd.Series(
        list(zip(events["order_id"], events["event"], events["day"], events["amount"].fillna(""), strict=True)),
        dtype=object,
    )
    new = events[~keys.isin(known).to_numpy()]
    recorded_at = pd.Timestamp.now(tz="UTC").isoformat(timespec="microseconds")
    rows = new.assign(recorded_at=recorded_at, note="")[
        ["order_id", "event", "day", "amount", "currency", "recorded_at", "note"]
    ]
    with log.connection as connection:  # one transaction: all of them or none
        connection.executemany(
            "INSERT INTO events (order_id, event, day, amount, currency, recorded_at, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows.itertuples(index=False, name=None),
        )
    return len(new), len(events) - len(new)


def summary(events: pd.DataFrame, recorded: int, skipped: int, notes: list[str], where: str, lang: str = "en") -> str:
    """One line saying what was recorded, in ``lang``.

    Examples
    --------
    >>> events = pd.DataFrame({"order_id": ["81", "82", "82"], "event": ["shipped", "shipped", "confirmed"]})
    >>> summary(events, 3, 0, [], "orders.caselog.sqlite")
    'events recorded: 3 (Receipt confirmed 1, Shipped 2); orders: 2; case log: orders.caselog.sqlite'
    >>> summary(events, 0, 3, ["x"], "log", "ru")
    'записано событий: 0; заказов: 2; журнал: log; уже были в журнале, не записаны снова: 3; повторы строк \
записаны один раз: 1'
    """
    kinds = events["event"].value_counts().sort_index()
    named = ", ".join(f"{label(name, lang)} {count}" for name, count in kinds.items())
    line = f"{_('events recorded', lang)}: {recorded}" + (f" ({named})" if recorded and not skipped else "")
    line += f"; {_('orders', lang)}: {events['order_id'].nunique()}; {_('case log', lang)}: {where}"
    if skipped:
        line += f"; {_('already in the case log, not recorded again', lang)}: {skipped}"
    if notes:
        line += f"; {_('repeated lines recorded once', lang)}: {len(notes)}"
    return line


def _first_of(rows: pd.DataFrame, row: int) -> int:
    """The first row equal to ``row``."""
    same = (rows == rows.iloc[row]).all(axis=1).to_numpy()
    return int(np.flatnonzero(same)[0])


def _check_amounts(table: pd.DataFrame, event: pd.Series, currency: pd.Series, problems: Problems) -> None:
    """Flag an extension without whole days, and an amount that is not exact in the order's currency."""
    amount = table["amount"]
    extension = (event == EXTENSION).to_numpy()
    whole = amount.str.fullmatch(r"\d{1,4}").to_numpy()
    problems.flag(
        extension & ~whole, amount, "amount", "an extension needs the whole number of days agreed, such as 10"
    )
    given = (amount != "").to_numpy() & ~extension
    text = amount.str.replace(",", ".", regex=False)
    shaped = text.str.fullmatch(r"\d{1,12}(?:\.\d+)?").to_numpy()
    problems.flag(given & ~shaped, amount, "amount", "not an amount such as 600 or 600.50, 0 or more")
    digits = currency.fillna("").map(lambda code: minor_digits(code) if code else 2)
    places = text.str.partition(".")[2].str.rstrip("0").str.len()
    problems.flag(
        given & shaped & (places > digits).to_numpy(),
        amount,
        "amount",
        "more decimal places than the order's currency has",
    )
