"""The case log laid over the order book: what the buyer recorded replaces what the file says.

Place in "orders in": beside ``caselog`` (which reads and writes the log), on the ground floor's
``schema``; the loader (``orders.load_orders``) calls ``apply_events`` on the validated book.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.caselog import EVENTS, EXTENSION
from aliexp_lib.refund_amounts import REFUND_EVENTS, recorded_refunds


def apply_events(table: pd.DataFrame, events: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A copy of the order book ``table`` (as ``OrderBook.table``) with the case log laid over it.

    For each order and dated event, the day recorded last (highest ``id``; a correction is simply
    recorded again) replaces the imported ``<event>_at``; ``extension`` amounts add to
    ``extension_days`` (the same extension, same day and days, recorded twice counts once, with a
    warning). A refund recorded with an amount sets ``refund_minor`` (``refund_amounts``: not in the
    order's currency or over its price: not used, a warning). Events of orders the table does not
    hold, and events the log does not know, are not applied and come back as warnings. Neither input
    is changed.

    Parameters
    ----------
    table, events : pandas.DataFrame
        As ``OrderBook.table`` and as ``CaseLog.events()``.

    Returns
    -------
    table : pandas.DataFrame
        Dates [date] replaced, ``extension_days`` [d] added to, ``refund_minor`` [minor units] where
        a refund's amount was recorded.
    warnings : list of str

    Examples
    --------
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "81", "extension_days": "5"}]))
    >>> events = pd.DataFrame({"id": [1, 2, 3], "order_id": ["81", "81", "99"],
    ...                        "event": ["dispute_opened", "extension", "received"],
    ...                        "day": ["2026-02-20", "2026-02-21", "2026-02-21"], "amount": [None, "10", None]})
    >>> table, warnings = apply_events(book.table, events)
    >>> str(table.loc[0, "dispute_opened_at"].date()), int(table.loc[0, "extension_days"])
    ('2026-02-20', 15)
    >>> warnings
    ['case log: order 99: 1 event(s) (received) for an order that is not in the order book; not applied']
    """
    out = table.copy()
    warnings: list[str] = []
    if events is None or events.empty:
        return out, warnings
    log = events.copy()
    if "id" in log:
        log = log.sort_values("id", kind="stable")
    log["order_id"] = log["order_id"].astype(str)
    log["event"] = log["event"].astype(str)

    known_event = log["event"].isin(EVENTS)
    known_order = log["order_id"].isin(out["order_id"].astype(str))
    for order_id, names in log.loc[~known_order].groupby("order_id", sort=True)["event"]:
        warnings.append(
            f"case log: order {order_id}: {len(names)} event(s) ({', '.join(pd.unique(names))}) "
            "for an order that is not in the order book; not applied"
        )
    for name, count in log.loc[known_order & ~known_event].groupby("event", sort=True).size().items():
        warnings.append(
            f"case log: {count} event(s) {name!r} the log does not know; not applied (events: {', '.join(EVENTS)})"
        )
    log = log.loc[known_order & known_event]

    order_ids = out["order_id"].astype(str)
    dated = log.loc[log["event"] != EXTENSION]
    if not dated.empty:
        days = pd.to_datetime(dated["day"]).astype("datetime64[s]")
        latest = days.groupby([dated["order_id"], dated["event"]], sort=False).last().unstack("event")
        aligned = latest.reindex(order_ids.to_numpy())
        for name in aligned.columns:  # at most the ten dated events, not the orders
            column = f"{name}_at"
            imported = out[column] if column in out else pd.Series(np.datetime64("NaT", "s"), index=out.index)
            recorded = pd.Series(aligned[name].to_numpy(), index=out.index)
            out[column] = recorded.fillna(imported).astype(imported.dtype)

    extensions = log.loc[log["event"] == EXTENSION]
    repeated = extensions.duplicated(["order_id", "day", "amount"], keep="first")
    for (order_id, day, amount), count in extensions[repeated].groupby(["order_id", "day", "amount"]).size().items():
        warnings.append(
            f"case log: order {order_id}: the extension of {amount} days on {pd.Timestamp(day).date()} is recorded "
            f"{count + 1} times; counted once"
        )
    extensions = extensions.loc[~repeated]
    if not extensions.empty:
        days = pd.to_numeric(extensions["amount"], errors="raise").astype("int64")
        added = days.groupby(extensions["order_id"]).sum().reindex(order_ids.to_numpy(), fill_value=0)
        base = out["extension_days"] if "extension_days" in out else pd.Series(0, index=out.index, dtype="Int64")
        out["extension_days"] = (base.fillna(0).astype("Int64") + pd.array(added.to_numpy(), dtype="Int64")).astype(
            "Int64"
        )
    if log["event"].isin(REFUND_EVENTS).any():
        refunds, refund_warnings = recorded_refunds(out, log)
        if not refunds.isna().all():  # the column only where an amount is used
            out["refund_minor"] = refunds
        warnings += refund_warnings
    return out, warnings
