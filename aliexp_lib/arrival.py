"""What the delivery model says: the chance a travelling parcel arrives by a deadline, and the
usual delivery time per shipping method (``history.DeliveryModel``).

Day t counts like the deadline engine: the shipping day is day 0, and "by day t" includes day t.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from aliexp_lib.history import POOLED, DeliveryModel, blended_cdf, day_numbers_of, normalise_method
from aliexp_lib.validate import OrderBook

#: Days [d] on which ``summary`` inverts the CDF.
DAY_GRID = np.arange(0, 366)
#: Columns of ``summary``.
SUMMARY_COLUMNS = ("shipping_method", "orders", "median_days", "p90_days", "prior_share")


def arrival_chance(model: DeliveryModel, book: OrderBook, today: dt.date, deadline: pd.Series) -> pd.Series:
    """P(a travelling parcel arrives by ``deadline`` | not arrived by ``today``), per order (float).

    Travelling: shipped on or before ``today``, not received and not confirmed by ``today`` (an
    event dated after ``today`` has not happened yet). With t = today - shipped_at [d] and
    d = deadline - shipped_at [d]: P = (F(d) - F(t)) / (1 - F(t)), 0 if d <= t; F as in the
    ``history`` module docstring. ``deadline`` is a datetime64 Series indexed like ``book.table`` (e.g.
    the ``protection_ends`` due date, rules 2-3). NaN for orders not travelling or without a
    deadline. Where F(t) = 1 (only with ``p_lost`` 0: the parcel should have arrived) P = 0.

    Parameters
    ----------
    model : DeliveryModel
        The delivery model (``fit_delivery_model``).
    book : OrderBook
        The orders; read are ``shipped_at``, ``received_at``, ``confirmed_at`` and ``shipping_method``.
    today : datetime.date
        The day the parcel has not arrived by.
    deadline : pandas.Series of datetime64
        Per order, the day it must arrive by (arriving on that day counts); NaT for none.

    Returns
    -------
    pandas.Series of float [probability, 0-1]
        Named ``arrival_chance``, indexed like ``book.table``.

    Raises
    ------
    ValueError
        If ``deadline`` is not indexed like ``book.table``.

    Examples
    --------
    >>> import datetime as dt
    >>> import numpy as np
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "shipping_method": "Standard", "shipped_at": "2026-01-01", "received_at": "2026-01-26"},
    ...     {"order_id": "2", "shipping_method": "Standard", "shipped_at": "2026-02-01", "received_at": ""},
    ... ]))
    >>> model = DeliveryModel(days={"standard": np.array([15, 25])}, pooled=np.array([15, 25]), low=20, high=40)
    >>> deadline = pd.Series(pd.to_datetime(["2026-03-13", "2026-03-13"]), index=book.table.index)
    >>> chance = arrival_chance(model, book, dt.date(2026, 2, 21), deadline)  # order 2: t = 20 d, d = 40 d
    >>> chance.round(4).tolist()  # order 1 arrived: NaN; order 2: (0.95 - 0.95 / 7) / (1 - 0.95 / 7)
    [nan, 0.9421]
    """
    table = book.table
    if not deadline.index.equals(table.index):
        raise ValueError("deadline must be indexed like book.table")
    today_day = np.datetime64(today, "D").astype(np.int64)
    shipped = day_numbers_of(table["shipped_at"])
    due = day_numbers_of(pd.to_datetime(deadline))
    travelling = (shipped <= today_day) & ~(day_numbers_of(table["received_at"]) <= today_day)
    travelling &= ~(day_numbers_of(table["confirmed_at"]) <= today_day)  # NaN compares False
    rows = travelling & ~np.isnan(due)
    methods = normalise_method(table["shipping_method"]).to_numpy()
    waited = today_day - shipped
    until = due - shipped
    chance = np.full(len(table), np.nan)
    for method in pd.unique(methods[rows]):
        group = rows & (methods == method)
        t, d = waited[group], until[group]
        f_t = model.delivered_by(method, t)
        f_d = model.delivered_by(method, np.maximum(d, t))
        rest = 1.0 - f_t
        p = np.divide(f_d - f_t, rest, out=np.zeros_like(rest), where=rest > 0)
        chance[group] = np.clip(p, 0.0, 1.0)
    return pd.Series(chance, index=table.index, name="arrival_chance")


def summary(model: DeliveryModel) -> pd.DataFrame:
    """Per method with delivered orders, then the pool (``POOLED``): ``SUMMARY_COLUMNS``.

    ``orders`` = n delivered; ``median_days``, ``p90_days`` [d]: the first day of ``DAY_GRID``
    (0..365) where the blended CDF (of parcels that arrive) reaches 0.5 / 0.9, NA if none;
    ``prior_share`` = k / (n + k), how much of the estimate is the 20-40 d prior (seed L56).

    Parameters
    ----------
    model : DeliveryModel
        The delivery model.

    Returns
    -------
    pandas.DataFrame
        ``shipping_method`` (str), ``orders`` (int64 [orders]), ``median_days``, ``p90_days``
        (Int64 [d]), ``prior_share`` (float [0-1]).

    Examples
    --------
    >>> import numpy as np
    >>> model = DeliveryModel(days={"standard": np.array([15, 25])}, pooled=np.array([15, 25, 30]), low=20, high=40)
    >>> summary(model).round(3)  # doctest: +NORMALIZE_WHITESPACE
      shipping_method  orders  median_days  p90_days  prior_share
    0        standard       2           26        38        0.714
    1   (all methods)       3           28        37        0.625
    """
    groups = [*model.days.items(), (POOLED, model.pooled)]
    rows = []
    for method, days in groups:
        cdf = blended_cdf(days, DAY_GRID, model)
        n, k = len(days), model.prior_weight
        rows.append(
            {
                "shipping_method": method,
                "orders": n,
                "median_days": _first_day(cdf, 0.5),
                "p90_days": _first_day(cdf, 0.9),
                "prior_share": k / (n + k) if n + k > 0 else 1.0,
            }
        )
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    frame["orders"] = frame["orders"].astype(np.int64)
    frame["median_days"] = frame["median_days"].astype("Int64")
    frame["p90_days"] = frame["p90_days"].astype("Int64")
    return frame


def _first_day(cdf: np.ndarray, q: float) -> int | None:
    """The first day [d] of ``DAY_GRID`` where ``cdf`` reaches ``q``; None if it never does."""
    reached = np.flatnonzero(cdf >= q - 1e-12)  # 1e-12: sums of fractions land just below q
    return int(DAY_GRID[reached[0]]) if len(reached) else None
