"""Money at stake: what the orders cost, by where each order stands (its most urgent open deadline).

An order counts as ``done`` only where nothing is open and its status (``schema.STATUSES``) does
not say it is unfinished: an awaiting-shipment order, say, whose clocks could not be started (no
order date to count from) counts as ``check_now``, never as done.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.estimates import FINISHED
from aliexp_lib.kinds import STATUSES

#: Order statuses under which nothing is at stake yet or any more ("" is our own format: its dates say it).
SETTLED = ("", "awaiting_payment", *FINISHED)


def money_at_stake(table: pd.DataFrame, next_actions: pd.DataFrame, amount_minor: np.ndarray) -> pd.DataFrame:
    """What the orders cost by the status of each order's most urgent open deadline.

    Parameters
    ----------
    table : pandas.DataFrame
        The order book's rows: ``order_id`` and, optionally, ``status`` (``schema.STATUSES``).
    next_actions : pandas.DataFrame
        ``deadlines.next_actions``: one row per order with something open.
    amount_minor : numpy.ndarray of int64
        Each order's price [minor units of one currency] (0 where unknown), in book order.

    Returns
    -------
    pandas.DataFrame
        One row per status of ``kinds.STATUSES``, in that order: ``status`` (str), ``amount_minor``
        (int64 [minor units]) and ``orders`` (int64 [orders]).

    Examples
    --------
    >>> table = pd.DataFrame({"order_id": ["1", "2", "3"], "status": ["awaiting_shipment", "completed", ""]})
    >>> sums = money_at_stake(table, pd.DataFrame({"order_id": [], "status": []}), np.array([500, 700, 100]))
    >>> sums.set_index("status")["amount_minor"].to_dict()
    {'overdue': 0, 'check_now': 500, 'due_today': 0, 'upcoming': 0, 'done': 800}
    """
    status = next_actions.set_index("order_id")["status"].astype(str)
    order_status = table["status"].fillna("").astype(str) if "status" in table else pd.Series("", index=table.index)
    unfinished = ~order_status.isin(SETTLED).to_numpy()
    mapped = table["order_id"].map(status)
    nothing_open = np.where(unfinished, "check_now", "done")
    per_order = pd.DataFrame(
        {
            "status": np.where(mapped.isna().to_numpy(), nothing_open, mapped.astype(object).to_numpy()),
            "amount_minor": np.asarray(amount_minor, dtype=np.int64),
        }
    )
    sums = per_order.groupby("status")["amount_minor"].agg(["sum", "size"]).reindex(list(STATUSES), fill_value=0)
    return pd.DataFrame(
        {
            "status": list(STATUSES),
            "amount_minor": sums["sum"].to_numpy(dtype=np.int64),
            "orders": sums["size"].to_numpy(dtype=np.int64),
        }
    )
