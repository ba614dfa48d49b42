"""Totals of money over orders, per currency: what is at stake by deadline status, and what was spent.

Amounts come in the display currency where a rate is known and in the order's own currency where
none is (``Analysis.prices``), so every total is per currency: amounts of different currencies are
never added together.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from aliexp_lib.estimates import FINISHED
from aliexp_lib.kinds import STATUSES
from aliexp_lib.rates import amounts_in
from aliexp_lib.setting import Setting
from aliexp_lib.validate import OrderBook

#: Order statuses under which nothing is at stake yet or any more ("" is our own format: its dates say it).
SETTLED = ("", "awaiting_payment", *FINISHED)

#: Groupings of ``spend_tables`` (``Analysis.spend``).
SPEND_BY = ("month", "store")


def order_prices(book: OrderBook, setting: Setting, today: dt.date) -> pd.DataFrame:
    """Each order's price in the display currency at the rates of its order date (else ``today``).

    Parameters
    ----------
    book : OrderBook
    setting : Setting
        ``currency`` (the display currency) and ``rates``.
    today : datetime.date
        The day of the rates for an order without an order date.

    Returns
    -------
    pandas.DataFrame
        Per order (book order): ``order_id`` (str), ``price_minor`` (Int64 [minor units of
        ``currency``], NA where unknown), ``currency`` (str: ``setting.currency``, or the order's own
        where no rate is known) and ``rate`` (str, the exchange rate used with its date, or the one
        missing, in words).

    Examples
    --------
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "price": "10", "currency": "RUB"},
    ...                                           {"order_id": "2", "price": "5", "currency": "XAF"}]))
    >>> order_prices(book, Setting.default(), dt.date(2026, 3, 1))[["price_minor", "currency"]].values.tolist()
    [[1000, 'RUB'], [5, 'XAF']]
    """
    table = book.table
    amounts, rate, shown = amounts_in(
        table, ("price_minor",), setting.currency, setting.rates, today, days=table["ordered_at"]
    )
    prices = {"order_id": table["order_id"].to_numpy(), "price_minor": amounts["price_minor"]}
    return pd.DataFrame({**prices, "currency": shown, "rate": rate})


def stake_by_status(
    book: OrderBook,
    next_actions: pd.DataFrame,
    prices: pd.DataFrame,
    currencies: list[str],
    expired: pd.Series | None = None,
) -> pd.DataFrame:
    """What the orders cost per currency and status of each order's most urgent open deadline.

    Parameters
    ----------
    book : OrderBook
    next_actions : pandas.DataFrame
        ``order_id`` and ``status`` of each order's most urgent open deadline. An order without one is
        ``done`` only where its status (``schema.STATUSES``) does not say it is unfinished: an
        awaiting-shipment order whose clocks could not start counts as ``check_now``, never as done.
    prices : pandas.DataFrame
        Per order of ``book``: ``price_minor`` (Int64 [minor units of ``currency``]) and ``currency`` (str).
    currencies : list of str
        The currencies to give rows for, in this order (the display currency first).
    expired : pandas.Series of str, optional
        Ids of orders with a missed day closed for good: with nothing open, such an order is ``expired``.

    Returns
    -------
    pandas.DataFrame
        One row per currency and status of ``kinds.STATUSES``: ``status`` (str), ``currency`` (str),
        ``amount_minor`` (int64 [minor units of ``currency``]; an unknown price counts 0), ``orders`` (int64).

    Examples
    --------
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1"}, {"order_id": "2"}]))
    >>> prices = pd.DataFrame({"price_minor": pd.array([100, 250], dtype="Int64"), "currency": ["EUR", "CHF"]})
    >>> nexts = pd.DataFrame({"order_id": ["2"], "status": ["overdue"]})
    >>> table = stake_by_status(book, nexts, prices, ["EUR", "CHF"])
    >>> table[table["amount_minor"] > 0]
        status currency  amount_minor  orders
    5     done      EUR           100       1
    6  overdue      CHF           250       1
    >>> table = stake_by_status(book, nexts, prices, ["EUR", "CHF"], expired=pd.Series(["1"]))
    >>> table.loc[table["amount_minor"] > 0, "status"].tolist()  # order 1: a window closed for good
    ['expired', 'overdue']
    """
    status = book.table["order_id"].map(next_actions.set_index("order_id")["status"].astype(str)).astype(object)
    order_status = book.table.get("status", pd.Series("", index=book.table.index)).fillna("").astype(str)
    nothing_open = np.where(order_status.isin(SETTLED).to_numpy(), "done", "check_now")
    if expired is not None:
        nothing_open = np.where(book.table["order_id"].isin(expired).to_numpy(), "expired", nothing_open)
    per_order = pd.DataFrame(
        {
            "status": np.where(status.isna().to_numpy(), nothing_open, status.to_numpy()),
            "currency": prices["currency"].to_numpy(),
            "amount_minor": prices["price_minor"].fillna(0).to_numpy(dtype=np.int64),
        }
    )
    every = pd.MultiIndex.from_product([currencies, list(STATUSES)], names=["currency", "status"])
    sums = per_order.groupby(["currency", "status"])["amount_minor"].agg(["sum", "size"])
    sums = sums.reindex(every, fill_value=0).reset_index()
    return pd.DataFrame(
        {
            "status": sums["status"].to_numpy(),
            "currency": sums["currency"].to_numpy(),
            "amount_minor": sums["sum"].to_numpy(dtype=np.int64),
            "orders": sums["size"].to_numpy(dtype=np.int64),
        }
    )


def spend_tables(book: OrderBook, prices: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Money spent per month of ordering and per store, per currency; orders without a price left out.

    Parameters
    ----------
    book : OrderBook
    prices : pandas.DataFrame
        Per order of ``book``: ``price_minor`` (Int64 [minor units of ``currency``]) and ``currency`` (str).

    Returns
    -------
    dict of str to pandas.DataFrame
        Per grouping of ``SPEND_BY``: the group (str; months in order, stores dearest first),
        ``currency`` (str), ``spent_minor`` (int64 [minor units of ``currency``]), ``orders`` (int64).

    Examples
    --------
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "store": "A", "ordered_at": "2026-01-05"},
    ...     {"order_id": "2", "store": "A", "ordered_at": "2026-01-09"},
    ... ]))
    >>> prices = pd.DataFrame({"price_minor": pd.array([100, 250], dtype="Int64"), "currency": ["EUR", "CHF"]})
    >>> spend_tables(book, prices)["month"]
         month currency  spent_minor  orders
    0  2026-01      CHF          250       1
    1  2026-01      EUR          100       1
    """
    table = book.table
    priced = prices["price_minor"].notna().to_numpy()
    spent = prices["price_minor"].to_numpy()[priced].astype(np.int64)
    currency = prices["currency"].to_numpy()[priced]
    keys = {"month": table["ordered_at"].dt.strftime("%Y-%m"), "store": table["store"]}
    out = {}
    for by, key in keys.items():
        rows = pd.DataFrame({by: key[priced].fillna("").to_numpy(), "currency": currency, "spent_minor": spent})
        grouped = rows.groupby([by, "currency"], sort=True)
        result = grouped.agg(spent_minor=("spent_minor", "sum"), orders=("spent_minor", "size")).reset_index()
        if by == "store":
            result = result.sort_values("spent_minor", ascending=False, kind="stable")
        out[by] = result.reset_index(drop=True)
    return out
