"""Warnings about an order book, from every check at once: tracking numbers (rule 29), Saver
Shipping marked received too early (rule 30), seller risk signals (rules 27-28), cashback (34-35).

A warning says what looks wrong and why; it is not a verdict of fraud.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from aliexp_lib.orders import OrderBook
from aliexp_lib.risk import load_thresholds, saver_marked_received_early, seller_signals
from aliexp_lib.tracking import _rule_ref, check_tracking, duplicate_tracking

COLUMNS = ("order_id", "check", "reason", "rule")


def order_checks(book: OrderBook, today: dt.date, thresholds=None, *, lang: str = "en") -> pd.DataFrame:
    """Every warning for every order (``COLUMNS``), in order-book order; ``reason`` and ``rule`` in ``lang``.

    ``check`` is a code; ``i18n.label`` gives its display name.
    """
    thresholds = thresholds if thresholds is not None else load_thresholds()
    table = book.table
    numbered = table[table["tracking_number"] != ""]
    tracking = check_tracking(numbered["tracking_number"], lang=lang)
    bad = ~tracking["valid"].to_numpy()
    rule = _rule_ref(29, "L179-183", lang)
    parts = [
        pd.DataFrame({"order_id": numbered["order_id"].to_numpy()[bad], "check": "tracking_number",
                      "reason": tracking["reason"].to_numpy()[bad], "rule": rule}),
        duplicate_tracking(book, lang=lang).assign(check="tracking_reused", rule=rule),
        saver_marked_received_early(book, thresholds, lang=lang).rename(columns={"signal": "check"}),
        seller_signals(book, today, thresholds, lang=lang).rename(columns={"signal": "check"}),
    ]
    found = pd.concat([p.loc[:, list(COLUMNS)] for p in parts], ignore_index=True)
    position = pd.Series(range(len(table)), index=table["order_id"])
    found["_at"] = found["order_id"].map(position)
    return found.sort_values(["_at"], kind="stable").drop(columns="_at").reset_index(drop=True)
