"""The deadline engine: every clock of every order, with its status on ``today`` and what to do.

Counting convention (all kinds): the day of the starting event is day 0 and ``due`` is that day
plus the rulebook's number of calendar days, so month ends and leap days count like any other
day. ``due`` is the last day on which the action is still in time (a closed interval
[start, due]); for ``dispute_opens`` it is the first day a dispute may be opened. An event dated
after ``today`` has not happened yet as of ``today``.

The engine works on whole columns: one pass per kind of deadline (15), none per order. Where a
status says an event happened but the file has no date, ``estimates`` bounds its day: clocks
count from the earliest it could be (``estimated`` rows, each with its ``assumption``), and a
window is closed only once even the latest possible due is past; an estimated due already past
is ``check_now``, never a silent ``done``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from aliexp_lib.costs import load_payout_times
from aliexp_lib.episodes import derive_events
from aliexp_lib.estimates import ASSUMPTIONS, OPEN_END, day_numbers, estimate_events
from aliexp_lib.kinds import ACTORS, CLOSED, KIND_NAMES, KINDS, STATUSES, Due, Expiry, Kind, Status, action
from aliexp_lib.refund_timing import refund_transit_days
from aliexp_lib.rules import Rulebook, load_rulebook
from aliexp_lib.schema import DATE_COLUMNS
from aliexp_lib.urgency import most_urgent
from aliexp_lib.validate import OrderBook

COLUMNS = ("order_id", "kind", "due", "days_left", "status", "actor", "action", "rule", "estimated", "assumption")
__all__ = [
    "COLUMNS",
    "compute_deadlines",
    "day_numbers",
    "next_actions",
    "open_deadlines",
    "open_deadlines_and_orders",
    "protection_end_days",
]
#: Orders counted at a time by ``open_deadlines``: bounds the kind-by-order work arrays (16 kinds x
#: this many orders, about 40 bytes a cell) and the closed rows held before they are dropped [orders].
BLOCK_ORDERS = 50_000


def compute_deadlines(
    book: OrderBook, today: dt.date, rulebook: Rulebook | None = None, payout: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every deadline of every order on ``today``: one row per order and kind whose clock has started.

    Parameters
    ----------
    book : OrderBook
        The orders; an event dated after ``today`` has not happened yet.
    today : datetime.date
        The day statuses and ``days_left`` are counted to.
    rulebook : Rulebook, optional
        The clocks, each read in force on the day it started (default: the bundled rulebook).
    payout : pandas.DataFrame, optional
        Payout times per payment method (``costs.load_payout_times``, default the bundled table):
        ``refund_overdue`` is due when the refund should have arrived (``refund_timing``).

    Returns
    -------
    pandas.DataFrame
        Columns ``COLUMNS``: ``order_id``, ``kind`` (category of ``KIND_NAMES``), ``due``
        (datetime64 [date], the last day to act; for ``dispute_opens`` the first day a dispute may
        be opened), ``days_left`` (int32 [d], due - today), ``status`` (ordered category of
        ``STATUSES``: ``expired`` where a missed day is closed for good, ``kinds.Expiry``), ``actor``
        (category of ``kinds.ACTORS``: who acts before ``due``), ``action`` (what to do, plain words),
        ``rule`` (rulebook ids behind ``due``),
        ``estimated`` (bool: counted from a date the status implies but the file lacks, or a last
        day that is an event of unknown date) and ``assumption`` (the assumption in plain words;
        "" where exact).
        Rows follow the order book, and within an order the kinds in lifecycle order (``KINDS``).

    Examples
    --------
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "A1", "shipped_at": "2026-01-10"}]))
    >>> compute_deadlines(book, dt.date(2026, 2, 10))[["kind", "due", "days_left", "status"]]
                  kind        due  days_left    status
    0    dispute_opens 2026-01-15        -26      done
    1   tracking_check 2026-01-20        -21   overdue
    2    ask_extension 2026-03-09         27  upcoming
    3  protection_ends 2026-03-11         29  upcoming
    """
    return _rows_and_orders(book, today, rulebook, payout)[0]


def _rows_and_orders(
    book: OrderBook, today: dt.date, rulebook: Rulebook | None, payout: pd.DataFrame | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """``compute_deadlines``' rows and, for each, its order's position in ``book.table`` [row number]."""
    rulebook = rulebook if rulebook is not None else load_rulebook()
    payout = payout if payout is not None else load_payout_times()
    today_day = _day_number(np.datetime64(today, "D"))
    table = book.table
    n, width = len(table), len(KINDS)
    # Each event as a day number (days since 1970-01-01), and whether it happened by today
    # (a missing date or one after today has not); then the events a status says happened on an
    # unknown day, bounded from below (``day``) and above (``dates.high``).
    known = {column: day_numbers(table[column], today_day) for column in DATE_COLUMNS}
    dates = estimate_events(
        table, {c: d for c, (d, _) in known.items()}, {c: h for c, (_, h) in known.items()}, today_day, rulebook
    )
    day, happened = dates.low, dates.happened
    protection_end, at_cap = protection_end_days(table, day["shipped_at"], rulebook)
    protection_high, _ = protection_end_days(table, dates.high["shipped_at"], rulebook)
    derive_events(dates, protection_end, protection_high, today_day)
    protection_over = dates.happened["shipped_at"] & (protection_high < today_day)
    # Days from a refund's date to its latest arrival, per order (one truth: ``refund_timing``).
    transit = refund_transit_days(day["refund_issued_at"], table["payment_method"], rulebook, payout)

    # One row per kind, one column per order (writes along a row are contiguous).
    due = np.empty((width, n), dtype=np.int32)  # day numbers fit: 2**31 days is 5.8 million years
    started = np.empty((width, n), dtype=bool)
    # What overrides the status a row's day gives (``_STATUS_OF``): done over expired over check now; else none.
    override = np.empty((width, n), dtype=np.int8)
    estimated = np.empty((width, n), dtype=bool)
    assumption = np.empty((width, n), dtype=np.int16)
    for k, kind in enumerate(KINDS):
        start = day[kind.start]
        due[k] = _DUE_DAY[kind.due_by](kind, start, protection_end, rulebook, transit)
        # The latest the due can be: counted from the latest possible start (equal where exact).
        latest = _DUE_DAY[kind.due_by](_UPPER[k], dates.high[kind.start], protection_high, rulebook, transit)
        started[k] = happened[kind.start]
        estimated[k] = dates.estimated[kind.start] | kind.open_end
        assumption[k] = np.where(dates.estimated[kind.start], dates.assumption[kind.start], _OPEN_END * kind.open_end)
        surely_past = np.where(estimated[k], latest, due[k]) < today_day
        closed = _any(happened, kind.closed_by, at_cap & kind.closed_at_cap)
        if kind.window_opens:  # a window that opens: once its (earliest) first day is past, done
            surely_past = due[k] < today_day
        lapsed = _any(happened, kind.lapses_if, kind.window_opens or kind.milestone) & surely_past
        done = closed | lapsed | (estimated[k] & dates.finished & surely_past)
        check = estimated[k] & (due[k] < today_day) & ~surely_past
        # The strongest override as the largest code: whole-row maxima (SIMD), no masked writes.
        override[k] = check
        if kind.expires is not Expiry.NEVER:
            expired = surely_past if kind.expires is Expiry.AT_DUE else (due[k] < today_day) & protection_over
            np.maximum(override[k], expired.view(np.int8) * _EXPIRED, out=override[k])
        np.maximum(override[k], done.view(np.int8) * _DONE, out=override[k])

    # Output rows order by order, then kind: walk the transpose.
    flat = np.flatnonzero(started.T).astype(np.int32)  # width * n < 2**31 for n < 165 million orders
    order_row = flat // width
    kind_code = flat - order_row * width
    cell = kind_code * n + order_row  # position in the kind-by-order arrays
    days_left = due.ravel()[cell] - today_day
    # One look-up per row: its override, then the sign of its days left (-1, 0, 1 -> 0, 1, 2).
    status = _STATUS_OF[override.ravel()[cell] * np.int8(3) + np.sign(days_left).astype(np.int8) + np.int8(1)]
    kind_code = kind_code.astype(np.int16)

    rows = pd.DataFrame(
        {
            "order_id": table["order_id"].array.take(order_row),
            "kind": _categorical(kind_code, _KIND_DTYPE),
            "due": ((days_left + today_day).astype(np.int64) * _SECONDS_PER_DAY).view("datetime64[s]"),
            "days_left": days_left,
            "status": _categorical(status, _STATUS_DTYPE),
            "actor": _categorical(_ACTOR_OF[kind_code], _ACTOR_DTYPE),
            "action": _categorical(_ACTION_OF[kind_code * np.int16(len(Status)) + status], _ACTION_DTYPE),
            "rule": _categorical(_RULE_OF[kind_code], _RULE_DTYPE),
            "estimated": estimated.ravel()[cell],
            "assumption": _categorical(assumption.ravel()[cell], _ASSUMPTION_DTYPE),
        },
        copy=False,
    )
    return rows, order_row


def open_deadlines(
    book: OrderBook,
    today: dt.date,
    rulebook: Rulebook | None = None,
    payout: pd.DataFrame | None = None,
    block: int = BLOCK_ORDERS,
) -> pd.DataFrame:
    """The open rows of ``compute_deadlines`` (status neither ``done`` nor ``expired``), ``block`` orders at a time.

    Each order's deadlines depend on that order alone, so counting the book a block of orders at a
    time gives the same rows as counting it whole and then dropping the closed ones; the memory is
    the open rows plus one block's work (a million orders: 1.5 million open of 7.3 million rows).

    Returns
    -------
    pandas.DataFrame
        Columns ``COLUMNS``, rows in book order then lifecycle order, index 0..n-1.

    Examples
    --------
    >>> book = OrderBook.from_frame(pd.DataFrame({"order_id": ["A1", "A2", "A3"], "shipped_at": "2026-01-10"}))
    >>> whole = compute_deadlines(book, dt.date(2026, 2, 10))
    >>> in_blocks = open_deadlines(book, dt.date(2026, 2, 10), block=2)
    >>> whole[~whole["status"].isin(CLOSED)].reset_index(drop=True).equals(in_blocks)
    True
    """
    return open_deadlines_and_orders(book, today, rulebook, payout, block)[0]


def open_deadlines_and_orders(
    book: OrderBook,
    today: dt.date,
    rulebook: Rulebook | None = None,
    payout: pd.DataFrame | None = None,
    block: int = BLOCK_ORDERS,
) -> tuple[pd.DataFrame, np.ndarray]:
    """``open_deadlines`` and, for each row, its order's position in ``book.table`` [row number]: the
    book's own columns join onto the rows by position, without looking a million ids up again.

    Examples
    --------
    >>> book = OrderBook.from_frame(pd.DataFrame({"order_id": ["A1", "A2"], "shipped_at": ["2026-01-10", ""]}))
    >>> rows, at = open_deadlines_and_orders(book, dt.date(2026, 2, 10))
    >>> list(book.table["order_id"].to_numpy()[at]) == list(rows["order_id"])
    True
    """
    pieces, positions = [], []
    for start in range(0, max(len(book.table), 1), block):
        part = dataclasses.replace(book, table=book.table.iloc[start : start + block].reset_index(drop=True))
        rows, order_row = _rows_and_orders(part, today, rulebook, payout)
        open_rows = ~rows["status"].isin(CLOSED).to_numpy()
        pieces.append(rows[open_rows])
        positions.append(order_row[open_rows].astype(np.int64) + start)
    return pd.concat(pieces, ignore_index=True), np.concatenate(positions)


def next_actions(deadlines: pd.DataFrame) -> pd.DataFrame:
    """Each order's most urgent open (not done) deadline, most urgent orders first.

    Urgency (``urgency``): due today, then due tomorrow, then an estimated day already past, then
    overdue (the most recently missed first: an older one is usually overtaken by it), then the
    rest, soonest first; ties go to what the buyer must do, then the earlier kind in ``KINDS``.
    Orders with nothing open (every row ``expired`` or ``done``) are left out.

    Parameters
    ----------
    deadlines : pandas.DataFrame
        A table of ``compute_deadlines``.

    Returns
    -------
    pandas.DataFrame
        The same columns, one row per order with an open deadline, most urgent order first.

    Examples
    --------
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "A1", "shipped_at": "2026-01-10"}]))
    >>> next_actions(compute_deadlines(book, dt.date(2026, 2, 10)))[["kind", "days_left", "status"]]
                 kind  days_left   status
    0  tracking_check        -21  overdue
    """
    return most_urgent(deadlines)


def protection_end_days(table: pd.DataFrame, shipped: np.ndarray, rulebook: Rulebook) -> tuple[np.ndarray, np.ndarray]:
    """Last protected day number: shipped + min(protection_days + extension_days, cap) [d] (rules 2-3).

    Parameters
    ----------
    table : pandas.DataFrame
        Order-book rows: ``protection_days`` (the order's own term [d], else the rulebook's, in
        force on the shipping day) and ``extension_days`` [d].
    shipped : numpy.ndarray of int
        Shipping day numbers [d since 1970-01-01].
    rulebook : Rulebook

    Returns
    -------
    (numpy.ndarray of int64, numpy.ndarray of bool)
        The last protected day number, and where the total already reaches the cap (no extension
        can be had).

    Examples
    --------
    >>> import pandas as pd
    >>> from aliexp_lib.rules import load_rulebook
    >>> rows = pd.DataFrame({"protection_days": pd.array([None, 85], dtype="Int64"), "extension_days": [10, 10]})
    >>> end, at_cap = protection_end_days(rows, np.array([0, 0]), load_rulebook())
    >>> end.tolist(), at_cap.tolist()  # 60 + 10; 85 + 10 capped at 90
    ([70, 90], [False, True])
    """
    term = table["protection_days"].to_numpy(dtype=np.float64, na_value=np.nan)
    term = np.where(np.isnan(term), rulebook.days("protection_days", _dates(shipped)), term).astype(np.int64)
    extension = table["extension_days"].to_numpy(dtype=np.int64, na_value=0)
    cap = rulebook.days("protection_cap_days", _dates(shipped))
    total = np.minimum(term + extension, cap)
    return shipped + total, total >= cap


# Each strategy: (kind, start days, protection end days, rulebook, refund transit days per order) -> due days.
def _after_start(kind: Kind, start: np.ndarray, protection_end: np.ndarray, rulebook: Rulebook, transit) -> np.ndarray:
    return rulebook.clock(kind.offset_rule, start)


def _protection_end(kind: Kind, start: np.ndarray, protection_end: np.ndarray, rulebook: Rulebook, transit):
    return protection_end


def _before_protection_end(kind: Kind, start: np.ndarray, protection_end: np.ndarray, rulebook: Rulebook, transit):
    # Never before shipment, even for a protection term shorter than the asking margin.
    return np.maximum(protection_end - rulebook.days(kind.offset_rule, _dates(start)), start)


def _after_start_payout(kind: Kind, start: np.ndarray, protection_end: np.ndarray, rulebook: Rulebook, transit):
    # ``transit`` is counted from the refund's day: the only start of this strategy (``refund_timing``).
    return start + transit


#: The function behind each ``Due`` strategy: (kind, start days, protection end days, rulebook) -> due days.
_DUE_DAY = {
    Due.AFTER_START: _after_start,
    Due.PROTECTION_END: _protection_end,
    Due.BEFORE_PROTECTION_END: _before_protection_end,
    Due.AFTER_START_PAYOUT: _after_start_payout,
}


def _any(happened: dict[str, np.ndarray], columns: tuple[str, ...], initial) -> np.ndarray:
    """Where any event of ``columns`` happened, or ``initial`` holds."""
    result = np.zeros(len(next(iter(happened.values()))), dtype=bool) | initial
    for column in columns:
        result |= happened[column]
    return result


_SECONDS_PER_DAY = 86_400
#: A row's override of the status its day gives (``_rows_and_orders``), and the status of each
#: override and sign of days left (override * 3 + sign + 1): the day's own, or the override's.
_EXPIRED, _DONE = np.int8(2), np.int8(3)  # check now: 1 (a row's ``check`` as it is); none: 0
_STATUS_OF = np.array(
    [Status.OVERDUE, Status.DUE_TODAY, Status.UPCOMING]
    + [Status.CHECK_NOW] * 3
    + [Status.EXPIRED] * 3
    + [Status.DONE] * 3,
    dtype=np.int8,
)


def _day_number(date: np.datetime64) -> np.int32:
    """A date as days since 1970-01-01."""
    return np.int32(date.astype("datetime64[D]").astype(np.int64))


def _dates(day_numbers: np.ndarray) -> np.ndarray:
    return day_numbers.view("datetime64[D]")


def _categorical(codes: np.ndarray, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """Codes computed here are in range by construction, so pandas need not check them."""
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


_KIND_DTYPE = pd.CategoricalDtype(KIND_NAMES)
_STATUS_DTYPE = pd.CategoricalDtype(STATUSES, ordered=True)
_ACTOR_DTYPE = pd.CategoricalDtype(ACTORS)
_ACTOR_OF = np.array([ACTORS.index(k.actor) for k in KINDS], dtype=np.int8)
# Kinds may share their rules (two windows of 15 days after an order closed): categories may not repeat.
_rules, _RULE_OF = np.unique(np.array([", ".join(k.rules) for k in KINDS], dtype=object), return_inverse=True)
_RULE_OF = _RULE_OF.astype(np.int16)
_RULE_DTYPE = pd.CategoricalDtype(_rules)
_ASSUMPTION_DTYPE = pd.CategoricalDtype(ASSUMPTIONS)
_OPEN_END = np.int16(ASSUMPTIONS.index(OPEN_END))
#: Each kind with the rule giving the latest its due can be (``Kind.upper``) as its offset.
_UPPER = [dataclasses.replace(k, offset=k.upper) if k.upper else k for k in KINDS]


# The action of kind k in status s is text len(Status) * k + s; texts repeat, categories may not.
_actions, _ACTION_OF = np.unique(
    np.array([action(k, s) for k in KINDS for s in sorted(Status)], dtype=object), return_inverse=True
)
_ACTION_OF = _ACTION_OF.astype(np.int8)
_ACTION_DTYPE = pd.CategoricalDtype(_actions)
