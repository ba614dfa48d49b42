"""Dates the file does not give, bounded: what the deadline engine counts from when a status says an
event happened but not when.

An export says "shipped" or "completed" without the day. The true day lies between two bounds:

* the earliest it could be (``low``): the latest known day of the events that must come before it
  (shipping cannot precede payment or the order date). Every clock counted from it ends no later
  than the true one, so a last day to act is never later than the real one (conservative);
* the latest it could be (``high``): it happened by today, payment comes within
  ``payment_latest_days`` of the order, shipping within ``seller_ship_max_days`` of payment, and
  receipt is confirmed at the latest when protection ends at its cap. A clock counted from it ends
  no earlier than the true one, so where even that is past the window is closed whatever the dates.

Everything works on whole columns of day numbers (days since 1970-01-01), none per order.

Examples
--------
>>> import pandas as pd
>>> from aliexp_lib.rules import load_rulebook
>>> from aliexp_lib.validate import OrderBook
>>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "A", "ordered_at": "2025-08-03", "status": "shipped"}]))
>>> known = {c: day_numbers(book.table[c], np.int32(20362)) for c in DATE_COLUMNS}  # today 2025-10-01
>>> dates = estimate_events(book.table, {c: d for c, (d, _) in known.items()},
...                         {c: h for c, (_, h) in known.items()}, np.int32(20362), load_rulebook())
>>> bool(dates.estimated["shipped_at"][0]), str(dates.low["shipped_at"].astype("datetime64[D]")[0])
(True, '2025-08-03')
>>> str(dates.high["shipped_at"].astype("datetime64[D]")[0])  # + 20 d to pay + 30 d to ship
'2025-09-22'
>>> print(assumption_text("shipped_at", "ordered_at"))  # doctest: +NORMALIZE_WHITESPACE
shipping date unknown: counted from the order date, the earliest it could be;
record the shipping date to make it exact
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from aliexp_lib.rules import Rulebook
from aliexp_lib.schema import DATE_COLUMNS, STATUS_EVENTS, STATUSES

#: Event -> the events that must come before it (its lower bound is the latest of their days).
PREDECESSORS = {
    "paid_at": ("ordered_at",),
    "shipped_at": ("ordered_at", "paid_at"),
    "confirmed_at": ("ordered_at", "paid_at", "shipped_at"),
    "dispute_opened_at": ("ordered_at", "paid_at", "shipped_at"),
    "refund_issued_at": ("ordered_at", "paid_at"),
}
#: Statuses after which no window stays open once even the latest possible deadline has passed.
FINISHED = ("completed", "closed")

_EVENT_WORDS = {
    "paid_at": "payment date",
    "shipped_at": "shipping date",
    "confirmed_at": "confirmation date",
    "dispute_opened_at": "dispute date",
    "refund_issued_at": "refund date",
}
_BASIS_WORDS = {"ordered_at": "the order date", "paid_at": "the payment date", "shipped_at": "the shipping date"}
#: The assumption of a clock whose true last day is an event of unknown date (the seller's shipping).
OPEN_END = "shipping date unknown: the seller may ship any day, after which the order can no longer be cancelled"


def assumption_text(event: str, basis: str) -> str:
    """The assumption behind a clock counted from ``event``, whose date is unknown, from ``basis``.

    Parameters
    ----------
    event : str
        A key of ``PREDECESSORS``.
    basis : str
        The known event it was counted from (one of ``PREDECESSORS[event]``).

    Returns
    -------
    str
        Plain English (a message id of ``data/i18n/ru.po``).

    Examples
    --------
    >>> assumption_text("paid_at", "ordered_at")[:45]
    'payment date unknown: counted from the order '
    """
    word = _EVENT_WORDS[event]
    return (
        f"{word} unknown: counted from {_BASIS_WORDS[basis]}, the earliest it could be; "
        f"record the {word} to make it exact"
    )


#: Every assumption, "" (exact) first: the categories of the ``assumption`` column.
ASSUMPTIONS = ("", *(assumption_text(e, b) for e, bases in PREDECESSORS.items() for b in bases), OPEN_END)
_FIRST_CODE = {e: 1 + sum(len(b) for b in list(PREDECESSORS.values())[:i]) for i, e in enumerate(PREDECESSORS)}


@dataclasses.dataclass(frozen=True)
class Estimates:
    """Every dated event as bounds on its day.

    Attributes
    ----------
    low, high : dict of str to numpy.ndarray of int64
        Per date column: the earliest and latest day number [d since 1970-01-01] the event can
        have happened on (the known day where known; ``high`` is meaningful only where it happened).
    happened : dict of str to numpy.ndarray of bool
        The event happened by today: its date is known, or the status says so.
    estimated : dict of str to numpy.ndarray of bool
        The status says the event happened but the file has no date for it.
    assumption : dict of str to numpy.ndarray of int16
        Code into ``ASSUMPTIONS`` of each estimated event's assumption (0 where exact).
    finished : numpy.ndarray of bool
        The order's status is one of ``FINISHED``.
    """

    low: dict[str, np.ndarray]
    high: dict[str, np.ndarray]
    happened: dict[str, np.ndarray]
    estimated: dict[str, np.ndarray]
    assumption: dict[str, np.ndarray]
    finished: np.ndarray


def estimate_events(
    table: pd.DataFrame, day: dict, happened: dict, today_day: np.int32, rulebook: Rulebook
) -> Estimates:
    """Bounds on every event's day, filling in the events a status says happened (see the module).

    Parameters
    ----------
    table : pandas.DataFrame
        Order-book rows; ``status`` (values of ``schema.STATUSES``, "" or absent) is optional.
    day, happened : dict of str to numpy.ndarray
        Per date column, its day numbers [d since 1970-01-01] and whether it happened by today
        (``day_numbers``).
    today_day : numpy.int32
        Today [d since 1970-01-01].
    rulebook : Rulebook
        ``payment_latest_days``, ``seller_ship_max_days`` and ``protection_cap_days`` bound the
        unknown days from above.

    Returns
    -------
    Estimates
    """
    n = len(table)
    status = _status_codes(table["status"]) if "status" in table else np.full(n, -1)
    today = np.int64(today_day)
    low, happened = dict(day), dict(happened)
    estimated = {c: np.zeros(n, dtype=bool) for c in DATE_COLUMNS}
    assumption = {c: np.zeros(n, dtype=np.int16) for c in DATE_COLUMNS}
    for event, before in PREDECESSORS.items():
        said = np.isin(status, [i for i, s in enumerate(STATUSES) if event in _implied(s)])
        best, basis = np.full(n, np.iinfo(np.int64).min), np.full(n, -1)
        for i, earlier in enumerate(before):
            exact = happened[earlier] & ~estimated[earlier]
            take = exact & (low[earlier] >= best)
            best, basis = np.where(take, low[earlier], best), np.where(take, i, basis)
        unknown = said & ~happened[event] & (basis >= 0)
        estimated[event] = unknown
        low[event] = np.where(unknown, best, low[event])
        happened[event] = happened[event] | unknown
        assumption[event] = np.where(unknown, _FIRST_CODE[event] + basis, 0).astype(np.int16)

    high = dict(low)
    bound = {
        "paid_at": ("ordered_at", "payment_latest_days"),
        "shipped_at": ("paid_at", "seller_ship_max_days"),
        "confirmed_at": ("shipped_at", "protection_cap_days"),
        "dispute_opened_at": ("shipped_at", "protection_cap_days"),
    }
    high["ordered_at"] = np.where(happened["ordered_at"], low["ordered_at"], today)
    for event in PREDECESSORS:
        if event in bound:
            earlier, rule = bound[event]
            latest = np.minimum(rulebook.clock(rule, high[earlier]), today)
        else:
            latest = np.full(n, today)
        exact = happened[event] & ~estimated[event]
        high[event] = np.where(exact, low[event], latest)
    return Estimates(low, high, happened, estimated, assumption, np.isin(status, [STATUSES.index(s) for s in FINISHED]))


def _status_codes(status: pd.Series) -> np.ndarray:
    """Each order's status as its position in ``STATUSES`` (-1: none or another), so the tests on it
    compare small integers; each distinct status is looked up once."""
    codes, distinct = pd.factorize(status)
    position = [STATUSES.index(s) if s in STATUSES else -1 for s in distinct]
    return np.array([*position, -1])[codes]  # code -1 (missing) takes the last


def _implied(status: str) -> tuple[str, ...]:
    """The events a status says happened: those of ``STATUS_EVENTS``, and payment for any order past it."""
    events = STATUS_EVENTS[status]
    paid = bool(events) or status == "awaiting_shipment"
    return ("paid_at", *events) if paid else events


def day_numbers(column: pd.Series, today_day: np.int32) -> tuple[np.ndarray, np.ndarray]:
    """A datetime column as day numbers (0 where not happened), and where it happened by ``today_day``.

    Works on the raw integers of any datetime64 unit, which is several times faster than
    converting the dates. An event after ``today_day`` has not happened yet.

    Parameters
    ----------
    column : pandas.Series of datetime64
        Event dates (NaT where none).
    today_day : numpy.int32
        Today as a day number [d since 1970-01-01].

    Returns
    -------
    (numpy.ndarray of int64, numpy.ndarray of bool)
        Day numbers [d since 1970-01-01] (0 where not happened) and whether each happened.

    Examples
    --------
    >>> import pandas as pd
    >>> days, happened = day_numbers(pd.Series(pd.to_datetime(["1970-01-03", None, "1970-02-01"])), np.int32(10))
    >>> days.tolist(), happened.tolist()
    ([2, 0, 0], [True, False, False])
    """
    values = column.to_numpy()
    unit, _ = np.datetime_data(values.dtype)
    per_day = np.timedelta64(1, "D").astype(f"timedelta64[{unit}]").astype(np.int64)  # units in a day
    raw = values.view(np.int64)
    happened = raw < (np.int64(today_day) + 1) * per_day
    happened &= raw != _NAT
    return np.where(happened, raw // per_day, 0), happened


_NAT = np.iinfo(np.int64).min
