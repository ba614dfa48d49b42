"""A plain per-row reference of the ranking of ways out, written apart from the engine.

One Python loop over problem orders, one ``if`` per option, straight from the formulas in
``aliexp_lib/resolve.py``'s docstring and the issue. The benchmark times it beside the engine and
the tests check that both rank the same options with the same money.

Money here is exact too, by other means than the engine's integer columns: ``Decimal`` amounts
and probabilities (``Fraction`` for an exchange factor), each probability times an amount and each
assumption's amount in the display currency rounded half-even to a whole minor unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from aliexp_lib.cases import CHANCE_PARTS
from aliexp_lib.resolve import APPLIES_TO, OPTIONS
from aliexp_lib.setting import Setting

ITEM = {"defective", "not_as_described", "wrong_item", "incomplete"}


def reference_ranking(orders: list[dict], arrival: dict, today: dt.date, setting: Setting) -> list[tuple]:
    """Rows ``(order_id, option, rank, net_minor, net_low_minor, net_high_minor, money_by)``.

    ``orders`` are dicts with amounts already in integer minor units of the display currency
    (``price``, ``offer`` or None, ``kept``, ``post_low``/``post_high`` or None, ``cashback``) and dates;
    ``arrival`` maps order_id to the chance (a float) a travelling parcel arrives in time; its money
    uses the chance to ``CHANCE_PARTS``, as the engine does.
    """
    rows = []
    for order in orders:
        rows.extend(_rank(_options(order, arrival.get(order["order_id"], 0.0), today, setting)))
    return rows


def _options(o: dict, arrival: float, today: dt.date, s: Setting) -> list[tuple]:
    a, r = s.assumptions, s.rulebook
    rub = 100 * Fraction(o["home"])  # one rouble in minor units of the display currency

    def time(what):  # the buyer's hours at their rate, in the display currency
        return _half_even(Fraction(a["time_rate"]) * Fraction(a[f"hours_{what}"]) * rub)

    pack_low = _half_even(Fraction(a["packaging_low"]) * rub)
    pack_high = _half_even(Fraction(a["packaging_high"]) * rub)
    chance = Decimal(round(arrival * CHANCE_PARTS)) / CHANCE_PARTS  # exact: a power of ten
    day = dt.timedelta(days=1)
    problem, price, kept = o["problem"], o["price"], o["kept"]
    offer, cashback = o["offer"], o["cashback"]

    def happened(name):
        return o.get(name) is not None and o[name] <= today

    shipped = o["shipped_at"] if happened("shipped_at") else today
    if happened("dispute_opened_at"):
        start = o["dispute_opened_at"]
    else:
        start = max(today, shipped + r.days_on("dispute_earliest_days", shipped) * day)
    term = o["protection_days"] if o.get("protection_days") is not None else r.days_on("protection_days", shipped)
    cap = r.days_on("protection_cap_days", shipped)
    protection_end = shipped + min(term + (o.get("extension_days") or 0), cap) * day
    cap_end = shipped + cap * day
    if happened("confirmed_at"):
        dispute_end = o["confirmed_at"] + r.days_on("dispute_after_close_days", o["confirmed_at"]) * day
    else:
        dispute_end = protection_end
    in_time = dispute_end >= today
    can_dispute = happened("dispute_opened_at") or in_time
    refunded = happened("refund_issued_at")
    payout = o["payout_high"] * day

    def days(rule_id):  # each clock of the dispute path in force on the day the path starts
        return r.days_on(rule_id, start)

    path = (days("auto_escalation_days") + days("platform_decision_days") + days("refund_leaves_platform_days")) * day
    item = problem in ITEM
    owes = problem not in ("arrived_after_refund", "duplicate")
    posted = happened("return_shipped_at") and not refunded
    post_by = None
    if happened("return_address_at"):
        post_by = o["return_address_at"] + r.days_on("return_ship_days", o["return_address_at"]) * day
    accepted = post_by is not None and not happened("return_shipped_at") and not refunded
    returning = posted or accepted
    kept_item = kept if item else 0
    options = []

    def add(option, applies, likely, mid, sure, low=None, high=None, when=today, demoted=False):
        if applies and problem in APPLIES_TO[option]:
            sure = min(sure, mid)
            fails = 1000 - round(likely * 1000)
            premium = Fraction(a["certainty_premium"])
            given_up = min(round(premium * fails * max(mid - sure, 0) / 1000), max(mid - sure, 0))
            low, high = mid if low is None else low, mid if high is None else high
            options.append((o["order_id"], option, likely, mid, low, high, when, mid - given_up, demoted))

    p_nr = a["p_win_not_received"]
    # tracking that gives no reason to wait (rules 6, 30; a number's own check and sharing need the
    # tracking module: tests/test_options_state.py): stalled since its last update, or Saver "received"
    update = o.get("last_tracking_update_at")
    stalled = happened("last_tracking_update_at") and update + r.days_on("tracking_stalled_days", update) * day <= today
    saver_received = "saver" in (o.get("shipping_method") or "").lower() and happened("received_at")
    add(
        "wait_and_extend",
        not refunded and not happened("dispute_opened_at") and protection_end >= today and not returning,
        arrival + (1 - arrival) * float(p_nr),
        _half_even(chance * price) + _half_even((1 - chance) * (_half_even(p_nr * price) - cashback)) - time("wait"),
        -cashback - time("wait"),
        when=cap_end + path + payout,
        demoted=problem == "not_received" and not refunded and (stalled or saver_received),
    )
    win = p_nr if problem == "not_received" else a["p_win_without_return"]
    add(
        "dispute_full_refund",
        can_dispute and not refunded and not returning,
        float(win),
        _half_even(win * price) + kept_item - cashback - time("dispute"),
        kept_item - cashback - time("dispute"),
        when=start + path + payout,
    )
    if o["post_low"] is not None:
        refund = _half_even(a["p_return_refunded"] * price) if owes else 0
        base = refund - (cashback if owes else 0) - time("return")
        floor = -(cashback if owes else 0) - time("return")
        costs = Decimal(o["post_low"] + o["post_high"] + pack_low + pack_high) / 2
        posting = post_by if accepted else start + (days("seller_reply_days") + days("return_ship_days")) * day
        add(
            "return_for_refund",
            (can_dispute or not owes or accepted)
            and not (refunded and owes)
            and not happened("return_shipped_at")
            and (not accepted or post_by >= today),
            float(a["p_return_refunded"]) if owes else 1.0,
            _half_even(base - costs),
            _half_even(floor - costs),
            base - o["post_high"] - pack_high,
            base - o["post_low"] - pack_low,
            when=posting + (days("return_refund_days") + days("refund_leaves_platform_days")) * day + payout,
        )
    if offer is not None:
        p = a["p_partial_paid"]
        add(
            "partial_refund_keep",
            not refunded and can_dispute and not returning,
            float(p),
            _half_even(p * offer) + kept - cashback - time("partial"),
            kept - cashback - time("partial"),
            when=today + (days("seller_reply_days") + days("refund_leaves_platform_days")) * day + payout,
        )
    resend_by = today + r.days_on("estimated_delivery_days", today) * day
    add(
        "accept_resend",
        not refunded and not returning,
        float(a["p_resend_arrives"]),
        _half_even(a["p_resend_arrives"] * price) + kept_item - time("resend"),
        kept_item - time("resend"),
        when=resend_by,
        demoted=not can_dispute or resend_by > dispute_end,  # no dispute left if it never comes
    )
    kept_now = 0 if problem == "not_received" or happened("return_shipped_at") else kept
    add("keep_and_close", not posted or not owes, 1.0, kept_now, kept_now)
    amount = price if offer is None else offer
    add(
        "settle_off_platform",
        not refunded and not returning,
        float(a["p_off_platform_paid"]),
        _half_even(a["p_off_platform_paid"] * amount) + kept_item - time("off_platform"),
        kept_item - time("off_platform"),
    )
    back = a["p_return_refunded"]
    add(
        "wait_for_refund",
        posted,
        float(back),
        _half_even(back * price) - cashback if owes else 0,  # postage paid already: not counted again
        -cashback if owes else 0,
        when=(o.get("return_shipped_at") or today)
        + (days("return_refund_days") + days("refund_leaves_platform_days")) * day
        + payout,
    )
    settle = kept - price - time("matching_order")
    add("pay_matching_order", not happened("return_shipped_at"), 1.0, settle, settle)
    helps = a["p_support_helps"]
    add(
        "ask_support",
        not can_dispute and not refunded and not returning,
        float(helps),
        _half_even(helps * price) + kept_item - time("support"),
        kept_item - time("support"),
        when=today + days("refund_leaves_platform_days") * day + payout,
    )
    return options


def _rank(options: list[tuple]) -> list[tuple]:
    """By certainty equivalent (then expected money, chance, day), settling off the platform last;
    the best advised option first where the best one is not advised."""

    def key(option):
        _, name, likely, mid, _, _, when, equivalent, _ = option
        return (name == "settle_off_platform", -equivalent, -mid, -round(likely, 12), when, OPTIONS.index(name))

    ranked = sorted(options, key=key)
    advised = [o for o in ranked if not o[8]]
    if advised and ranked[0][8]:
        ranked.remove(advised[0])
        ranked.insert(0, advised[0])
    for option in ranked:
        assert all(type(m) is int for m in option[3:6]), option  # money stays whole minor units
    return [
        (oid, name, rank, mid, low, high, when)
        for rank, (oid, name, _, mid, low, high, when, _, _) in enumerate(ranked, start=1)
    ]


def _half_even(value: Decimal | Fraction) -> int:
    """An exact amount to the nearest whole minor unit, ties to even."""
    if isinstance(value, Fraction):
        return round(value)  # Fraction rounds half to even
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


def case_records(book, today: dt.date, setting: Setting) -> tuple[list[dict], dict]:
    """The reference's input from an order book: amounts converted by the engine's own ``cases.build_case``
    (conversion and postage lookup are tested on their own), dates and terms straight from the book."""
    from aliexp_lib.cases import build_case
    from tests.oracles.reference_deadlines import order_records

    case = build_case(book, today, setting)
    records = order_records(book)
    out, arrival = [], {}
    for i, position in enumerate(case.rows):
        record = dict(records[position])
        record.update(
            price=int(case.price[i]),
            kept=int(case.kept[i]),
            cashback=int(case.cashback[i]),
            offer=int(case.offer[i]) if case.offer_known[i] else None,
            post_low=int(case.post_low[i]) if case.post_known[i] else None,
            post_high=int(case.post_high[i]) if case.post_known[i] else None,
            payout_high=int(case.payout_high[i]),
            home=case.home[i],
        )
        out.append(record)
        arrival[record["order_id"]] = float(case.arrival[i])
    return out, arrival
