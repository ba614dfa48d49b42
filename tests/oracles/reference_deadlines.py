"""A plain per-row reference of the deadline rules, written apart from the engine.

One Python loop over orders with ``datetime.date`` arithmetic, straight from the rule table of
the foundation issue. The benchmark times it beside the engine, and the tests check that both
give the same rows.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from aliexp_lib.rules import Rulebook

DAY = dt.timedelta(days=1)


def reference_deadlines(orders: list[dict], today: dt.date, rules: Rulebook) -> list[tuple]:
    """Rows ``(order_id, kind, due, days_left, status)``; ``orders`` are dicts of dates/ints/None."""
    rows = []
    for order in orders:
        rows.extend(_order_rows(order, today, rules))
    return rows


def _value(rules: Rulebook, rule_id: str, on: dt.date) -> int:
    return rules.days_on(rule_id, on)


def _order_rows(order: dict, today: dt.date, rules: Rulebook) -> list[tuple]:
    ev = {k: v for k, v in order.items() if isinstance(v, dt.date) and v <= today}

    def has(*names):
        return any(n in ev for n in names)

    rows = []

    def add(kind, due, done, window_opens=False, lapses=False):
        left = (due - today).days
        if done or ((window_opens or lapses) and left < 0):
            status = "done"
        elif left < 0:
            status = "overdue"
        elif left == 0:
            status = "due_today"
        else:
            status = "upcoming"
        rows.append((order["order_id"], kind, due, left, status))

    shipped = ev.get("shipped_at")
    if shipped:
        term = order.get("protection_days")
        if term is None:
            term = _value(rules, "protection_days", shipped)
        cap = _value(rules, "protection_cap_days", shipped)
        total = min(term + (order.get("extension_days") or 0), cap)
        ends = shipped + total * DAY
        refund = has("refund_issued_at")
        add(
            "dispute_opens",
            shipped + _value(rules, "dispute_earliest_days", shipped) * DAY,
            has("dispute_opened_at", "confirmed_at") or refund,
            window_opens=True,
        )
        add(
            "tracking_check",
            shipped + _value(rules, "tracking_check_days", shipped) * DAY,
            has("last_tracking_update_at", "received_at", "confirmed_at") or refund,
        )
    update = ev.get("last_tracking_update_at")
    if update:
        add(
            "tracking_stalled",
            update + _value(rules, "tracking_stalled_days", update) * DAY,
            has("received_at", "confirmed_at", "dispute_opened_at", "refund_issued_at"),
        )
    if shipped:
        add(
            "ask_extension",
            max(ends - _value(rules, "ask_extension_latest_days", shipped) * DAY, shipped),
            has("received_at", "confirmed_at", "dispute_opened_at") or refund or total >= cap,
        )
        add("protection_ends", ends, has("confirmed_at", "dispute_opened_at") or refund, lapses=has("received_at"))
    confirmed = ev.get("confirmed_at")
    if confirmed:
        add(
            "dispute_after_close",
            confirmed + _value(rules, "dispute_after_close_days", confirmed) * DAY,
            has("dispute_opened_at", "refund_issued_at"),
            lapses=has("received_at"),
        )
    opened = ev.get("dispute_opened_at")
    if opened:
        stop = has("dispute_escalated_at", "return_address_at", "refund_issued_at")
        add("seller_reply_due", opened + _value(rules, "seller_reply_days", opened) * DAY, stop)
        add("auto_escalation", opened + _value(rules, "auto_escalation_days", opened) * DAY, stop)
    escalated = ev.get("dispute_escalated_at")
    if escalated:
        add(
            "decision_due",
            escalated + _value(rules, "platform_decision_days", escalated) * DAY,
            has("return_address_at", "refund_issued_at"),
        )
    address = ev.get("return_address_at")
    if address:
        add(
            "return_ship_by",
            address + _value(rules, "return_ship_days", address) * DAY,
            has("return_shipped_at", "refund_issued_at"),
        )
    posted = ev.get("return_shipped_at")
    if posted:
        add("return_refund_by", posted + _value(rules, "return_refund_days", posted) * DAY, has("refund_issued_at"))
    refunded = ev.get("refund_issued_at")
    if refunded:
        add(
            "refund_leaves_platform",
            refunded + _value(rules, "refund_leaves_platform_days", refunded) * DAY,
            has("refund_received_at"),
        )
        add(
            "refund_overdue", refunded + _value(rules, "refund_arrival_days", refunded) * DAY, has("refund_received_at")
        )
    return rows


def order_records(book) -> list[dict]:
    """The orders of an ``OrderBook`` as plain dicts: dates as ``datetime.date``, missing as None."""
    records = []
    for row in book.table.to_dict("records"):
        record = {}
        for key, value in row.items():
            if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):
                record[key] = None
            elif isinstance(value, pd.Timestamp):
                record[key] = value.date()
            else:
                record[key] = value
        records.append(record)
    return records
