"""A plain per-row reference of the deadline rules, written apart from the engine.

One Python loop over orders with ``datetime.date`` arithmetic, straight from the rule table of
the foundation issue. The benchmark times it beside the engine, and the tests check that both
give the same rows.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from aliexp_lib.estimates import OPEN_END, assumption_text
from aliexp_lib.rules import Rulebook

DAY = dt.timedelta(days=1)
#: How a dispute can end (issue 10), and the slow end of the payout times (data/payout_times.csv, seed L422).
OUTCOMES = ("dispute_won_at", "dispute_lost_at", "dispute_cancelled_at", "dispute_agreed_at")
PAYOUT_HIGH = {"webmoney": 1}
PAYOUT_DEFAULT = 15


def reference_deadlines(orders: list[dict], today: dt.date, rules: Rulebook) -> list[tuple]:
    """Rows ``(order_id, kind, due, days_left, status, estimated, assumption)``; ``orders`` are dicts of
    dates/ints/None. ``assumption`` is the engine's words for it (``estimates.assumption_text``), "" where exact."""
    rows = []
    for order in orders:
        rows.extend(_order_rows(order, today, rules))
    return rows


def _value(rules: Rulebook, rule_id: str, on: dt.date) -> int:
    return rules.days_on(rule_id, on)


#: Written apart from ``aliexp_lib.estimates``: what each status says happened, and what comes before.
_SAID = {
    "awaiting_shipment": ("paid_at",),
    "shipped": ("paid_at", "shipped_at"),
    "completed": ("paid_at", "shipped_at", "confirmed_at"),
    "in_dispute": ("paid_at", "shipped_at", "dispute_opened_at"),
    "refunded": ("paid_at", "refund_issued_at"),
}
_BEFORE = {
    "paid_at": ("ordered_at",),
    "shipped_at": ("ordered_at", "paid_at"),
    "confirmed_at": ("ordered_at", "paid_at", "shipped_at"),
    "dispute_opened_at": ("ordered_at", "paid_at", "shipped_at"),
    "refund_issued_at": ("ordered_at", "paid_at"),
}
#: Event -> (the event its latest day is counted from, the rule [d]); others: at the latest today.
_LATEST = {
    "paid_at": ("ordered_at", "payment_latest_days"),
    "shipped_at": ("paid_at", "seller_ship_max_days"),
    "confirmed_at": ("shipped_at", "protection_cap_days"),
    "dispute_opened_at": ("shipped_at", "protection_cap_days"),
}


def _order_rows(order: dict, today: dt.date, rules: Rulebook) -> list[tuple]:
    ev = {k: v for k, v in order.items() if isinstance(v, dt.date) and v <= today}
    status = order.get("status") or ""
    estimated = set()
    assumed = {}  # estimated event -> the words of its assumption
    for event, before in _BEFORE.items():  # the earliest day each event the status says happened could be
        if event in _SAID.get(status, ()) and event not in ev:
            known = [b for b in before if b in ev and b not in estimated]
            if known:
                ev[event] = max(ev[b] for b in known)
                estimated.add(event)
                basis = [b for b in known if ev[b] == ev[event]][-1]  # of equal days, the later event
                assumed[event] = assumption_text(event, basis)
    latest = {"ordered_at": ev.get("ordered_at", today)}
    for event in _BEFORE:  # the latest day it could be
        if event in ev and event not in estimated:
            latest[event] = ev[event]
        elif event in _LATEST:
            base, rule = _LATEST[event]
            latest[event] = min(today, latest[base] + _value(rules, rule, latest[base]) * DAY)
        else:
            latest[event] = today
    finished = status in ("completed", "closed")

    # Events that end things: a reopening voids the end (and an escalation) before it, and restarts the dispute.
    reopened = ev.get("dispute_reopened_at")
    if reopened:
        for name in (*OUTCOMES, "dispute_escalated_at"):
            if name in ev and ev[name] <= reopened:
                del ev[name]
        ev["dispute_opened_at"] = latest["dispute_opened_at"] = reopened
        estimated.discard("dispute_opened_at")
    ended = any(name in ev for name in OUTCOMES)
    stands = "dispute_opened_at" in ev and "dispute_cancelled_at" not in ev
    payout = PAYOUT_HIGH.get((order.get("payment_method") or "").strip().lower(), PAYOUT_DEFAULT)

    def has(*names):
        return any(n in ev for n in names)

    rows = []

    def add(
        kind,
        due,
        done,
        window_opens=False,
        lapses=False,
        start=None,
        high=None,
        open_end=False,
        expires=None,
        over=False,
    ):
        left = (due - today).days
        guess = start in estimated or open_end
        surely_past = (high if guess and not window_opens else due) < today
        gone = (expires == "at_due" and surely_past) or (expires == "protection" and left < 0 and over)
        if done or ((window_opens or lapses) and surely_past) or (guess and finished and surely_past):
            status = "done"
        elif gone:
            status = "expired"
        elif guess and left < 0 and not surely_past:
            status = "check_now"
        elif left < 0:
            status = "overdue"
        elif left == 0:
            status = "due_today"
        else:
            status = "upcoming"
        words = assumed.get(start, "") if start in estimated else (OPEN_END if open_end else "")
        rows.append((order["order_id"], kind, due, left, status, guess, words))

    def high_after(start, rule):
        return latest[start] + _value(rules, rule, latest[start]) * DAY

    paid = ev.get("paid_at")
    if paid:
        stop = has("shipped_at", "refund_issued_at")
        add(
            "cancel_unshipped",
            paid + _value(rules, "cancel_unshipped_days", paid) * DAY,
            stop,
            start="paid_at",
            high=high_after("paid_at", "seller_ship_max_days"),
            open_end=True,
        )
        add(
            "seller_ships_by",
            paid + _value(rules, "seller_ship_days", paid) * DAY,
            stop,
            start="paid_at",
            high=high_after("paid_at", "seller_ship_max_days"),
        )
    shipped = ev.get("shipped_at")
    if shipped:
        term = order.get("protection_days")
        if term is None:
            term = _value(rules, "protection_days", shipped)
        cap = _value(rules, "protection_cap_days", shipped)
        total = min(term + (order.get("extension_days") or 0), cap)
        ends = shipped + total * DAY
        top = latest["shipped_at"]
        own = order.get("protection_days")
        term_top = own if own is not None else _value(rules, "protection_days", top)
        ends_top = (
            top + min(term_top + (order.get("extension_days") or 0), _value(rules, "protection_cap_days", top)) * DAY
        )
        refund = has("refund_issued_at")
        on_ship = {"start": "shipped_at"}
        over = ends_top < today  # protection surely over: a missed day of it is closed for good
        add(
            "dispute_opens",
            shipped + _value(rules, "dispute_earliest_days", shipped) * DAY,
            has("dispute_opened_at", "confirmed_at") or refund,
            window_opens=True,
            high=high_after("shipped_at", "dispute_earliest_days"),
            **on_ship,
        )
        add(
            "tracking_check",
            shipped + _value(rules, "tracking_check_days", shipped) * DAY,
            has("last_tracking_update_at", "received_at", "confirmed_at") or refund,
            high=high_after("shipped_at", "tracking_check_days"),
            expires="protection",
            over=over,
            **on_ship,
        )
    update = ev.get("last_tracking_update_at")
    if update:
        add(
            "tracking_stalled",
            update + _value(rules, "tracking_stalled_days", update) * DAY,
            has("received_at", "confirmed_at", "refund_issued_at") or stands,
            expires="protection",
            over=bool(shipped) and over,
        )
    if shipped:
        add(
            "ask_extension",
            max(ends - _value(rules, "ask_extension_latest_days", shipped) * DAY, shipped),
            has("received_at", "confirmed_at") or stands or refund or total >= cap,
            high=max(ends_top - _value(rules, "ask_extension_latest_days", top) * DAY, top),
            expires="protection",
            over=over,
            **on_ship,
        )
        add(
            "protection_ends",
            ends,
            has("confirmed_at") or stands or refund,
            lapses=has("received_at"),
            high=ends_top,
            expires="at_due",
            **on_ship,
        )
    confirmed = ev.get("confirmed_at")
    if confirmed:
        add(
            "dispute_after_close",
            confirmed + _value(rules, "dispute_after_close_days", confirmed) * DAY,
            has("refund_issued_at") or stands,
            lapses=has("received_at"),
            start="confirmed_at",
            high=high_after("confirmed_at", "dispute_after_close_days"),
            expires="at_due",
        )
    # The order closed without confirmation: recorded, or protection ran out with nothing settled (L77, L390).
    closed = closed_top = ev.get("order_closed_at")
    if not closed and shipped and ends < today and not (has("confirmed_at", "refund_issued_at") or stands):
        closed, closed_top = ends, ends_top
        if "shipped_at" in estimated:
            estimated.add("order_closed_at")
            assumed["order_closed_at"] = assumed["shipped_at"]
    if closed:
        add(
            "dispute_after_auto_close",
            closed + _value(rules, "dispute_after_close_days", closed) * DAY,
            has("confirmed_at", "refund_issued_at") or stands,
            start="order_closed_at",
            high=closed_top + _value(rules, "dispute_after_close_days", closed_top) * DAY,
            expires="at_due",
        )
    opened = ev.get("dispute_opened_at")
    if opened:
        stop = has("dispute_escalated_at", "return_address_at", "refund_issued_at") or ended
        on_dispute = {"start": "dispute_opened_at"}
        add(
            "seller_reply_due",
            opened + _value(rules, "seller_reply_days", opened) * DAY,
            stop,
            high=high_after("dispute_opened_at", "seller_reply_days"),
            **on_dispute,
        )
        add(
            "auto_escalation",
            opened + _value(rules, "auto_escalation_days", opened) * DAY,
            stop,
            high=high_after("dispute_opened_at", "auto_escalation_days"),
            **on_dispute,
        )
    escalated = ev.get("dispute_escalated_at")
    if escalated:
        add(
            "decision_due",
            escalated + _value(rules, "platform_decision_days", escalated) * DAY,
            has("return_address_at", "refund_issued_at") or ended,
        )
    address = ev.get("return_address_at")
    if address:
        add(
            "return_ship_by",
            address + _value(rules, "return_ship_days", address) * DAY,
            has("return_shipped_at", "refund_issued_at") or ended,
        )
    posted = ev.get("return_shipped_at")
    if posted:
        add(
            "return_refund_by",
            posted + _value(rules, "return_refund_days", posted) * DAY,
            has("refund_issued_at") or ended,
        )
    refunded = ev.get("refund_issued_at")
    if refunded:
        add(
            "refund_leaves_platform",
            refunded + _value(rules, "refund_leaves_platform_days", refunded) * DAY,
            has("refund_received_at"),
            lapses=True,  # a milestone: once past, the refund is in transit
            start="refund_issued_at",
            high=high_after("refund_issued_at", "refund_leaves_platform_days"),
        )
        transit = (_value(rules, "refund_leaves_platform_days", refunded) + payout) * DAY
        add(
            "refund_overdue",
            refunded + transit,
            has("refund_received_at"),
            start="refund_issued_at",
            high=latest["refund_issued_at"] + transit,
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
