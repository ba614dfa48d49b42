"""Warnings about an order book, from every check at once: tracking numbers (rule 29), Saver
Shipping marked received too early (rule 30), seller risk signals (rules 27-28), cashback (34-35).

A warning says what looks wrong and why; it is not a verdict of fraud.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from aliexp_lib.orders import OrderBook
from aliexp_lib.risk import load_thresholds, saver_marked_received_early, seller_signals
from aliexp_lib.tracking import check_tracking, duplicate_tracking

COLUMNS = ("order_id", "check", "reason", "rule")


def order_checks(book: OrderBook, today: dt.date, thresholds=None) -> pd.DataFrame:
    """Every warning for every order (``COLUMNS``), in order-book order."""
    thresholds = thresholds if thresholds is not None else load_thresholds()
    table = book.table
    numbered = table[table["tracking_number"] != ""]
    tracking = check_tracking(numbered["tracking_number"])
    bad = ~tracking["valid"].to_numpy()
    parts = [
        pd.DataFrame({"order_id": numbered["order_id"].to_numpy()[bad], "check": "tracking_number",
                      "reason": tracking["reason"].to_numpy()[bad], "rule": "rule 29, seed L179-183"}),
        duplicate_tracking(book).assign(check="tracking_reused", rule="rule 29, seed L179-183"),
        saver_marked_received_early(book, thresholds).rename(columns={"signal": "check"}),
        seller_signals(book, today, thresholds).rename(columns={"signal": "check"}),
    ]
    found = pd.concat([p.loc[:, list(COLUMNS)] for p in parts], ignore_index=True)
    position = pd.Series(range(len(table)), index=table["order_id"])
    found["_at"] = found["order_id"].map(position)
    return found.sort_values(["_at"], kind="stable").drop(columns="_at").reset_index(drop=True)
