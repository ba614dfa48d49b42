"""How urgent an open deadline is: the one ranking ``--next``, the week table and the report share.

A last day that is today or tomorrow outranks anything already missed: a missed day cannot be
made good by hurrying, today's can (issue 10: an order whose protection ends today is never shown
as the extension it was too late to ask for). Then an estimated day already past (look at the
order page), then what was missed (the most recent first: an older miss is usually overtaken by
it), then the rest, soonest first, and last the day a possibility opens (``Kind.window_opens``: a
dispute may be opened; news, not something to do). Ties: what the buyer must do before what the buyer waits for
(``kinds.Kind.actor``), then the earlier kind in ``kinds.KINDS``. Rows ``expired`` or ``done``
(``kinds.CLOSED``) are not open and never ranked.

Examples
--------
>>> import numpy as np
>>> status = np.array(["overdue", "upcoming", "due_today", "upcoming", "check_now", "upcoming"])
>>> urgency_class(status, np.array([-2, 1, 0, 9, -1, 1]), np.array([False] * 5 + [True]))
array([3, 1, 0, 4, 2, 5], dtype=int8)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.kinds import ACTORS, CLOSED, KINDS

#: The urgency classes, most urgent first.
CLASSES = ("due_today", "due_tomorrow", "check_now", "overdue", "upcoming", "news")
#: Kinds whose day opens a possibility (``Kind.window_opens``): ranked last.
NEWS = frozenset(k.name for k in KINDS if k.window_opens)


def urgency_class(status: np.ndarray, days_left: np.ndarray, news: np.ndarray) -> np.ndarray:
    """Each open row's class, an index into ``CLASSES`` (smaller: more urgent).

    Parameters
    ----------
    status : numpy.ndarray of str
        Statuses (``kinds.STATUSES``) of open rows.
    days_left : numpy.ndarray of int [d]
        due - today.
    news : numpy.ndarray of bool
        The row's kind only opens a possibility (``NEWS``).

    Returns
    -------
    numpy.ndarray of int8
    """
    status = np.asarray(status).astype(str)
    days_left = np.asarray(days_left)
    return np.select(
        [
            news,
            status == "due_today",
            (status == "upcoming") & (days_left == 1),
            status == "check_now",
            status == "overdue",
        ],
        [5, 0, 1, 2, 3],
        4,
    ).astype(np.int8)


def rank_open(deadlines: pd.DataFrame) -> pd.DataFrame:
    """The open rows of ``deadlines`` (not ``expired`` nor ``done``), most urgent first (see the module).

    Parameters
    ----------
    deadlines : pandas.DataFrame
        Rows of ``deadlines.compute_deadlines``: ``order_id``, ``kind`` (category in ``KINDS`` order),
        ``days_left`` [d], ``status`` and ``actor``.

    Returns
    -------
    pandas.DataFrame
        The open rows, reordered; the index is kept.

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib.deadlines import compute_deadlines
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "shipped_at": "2025-12-31"}]))
    >>> rank_open(compute_deadlines(book, dt.date(2026, 3, 1)))[["kind", "days_left", "status"]]
                  kind  days_left     status
    3  protection_ends          0  due_today
    2    ask_extension         -2    overdue
    1   tracking_check        -50    overdue
    """
    rows = deadlines[~deadlines["status"].astype(str).isin(CLOSED)]
    days = rows["days_left"].to_numpy()
    keys = pd.DataFrame(
        {
            "urgency": urgency_class(rows["status"].to_numpy(), days, rows["kind"].astype(str).isin(NEWS).to_numpy()),
            "distance": np.abs(days),  # the most recently missed, or the soonest
            "actor": rows["actor"].astype(str).map({a: i for i, a in enumerate(ACTORS)}).to_numpy(),
            "kind": rows["kind"].cat.codes.to_numpy(),
            "order_id": rows["order_id"].to_numpy(),
        }
    )
    order = keys.sort_values(["urgency", "distance", "actor", "kind", "order_id"], kind="stable").index
    return rows.iloc[order]


def most_urgent(deadlines: pd.DataFrame) -> pd.DataFrame:
    """Each order's most urgent open row (``rank_open``), most urgent order first, index reset.

    Parameters
    ----------
    deadlines : pandas.DataFrame
        Rows of ``deadlines.compute_deadlines``.

    Returns
    -------
    pandas.DataFrame
        One row per order with an open row, the columns of ``deadlines``.

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib.deadlines import compute_deadlines
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "shipped_at": "2025-12-31"},
    ...                                           {"order_id": "2", "shipped_at": "2024-01-10"}]))
    >>> most_urgent(compute_deadlines(book, dt.date(2026, 3, 1)))[["order_id", "kind", "status"]]  # 2: all expired
      order_id             kind     status
    0        1  protection_ends  due_today
    """
    return rank_open(deadlines).drop_duplicates("order_id", keep="first").reset_index(drop=True)
