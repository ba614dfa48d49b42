"""What every way out of every problem order is worth: expected, worst-case and certainty-equivalent money.

Per option (rows, in ``OPTIONS`` order) and problem order (columns), int64 minor units of the case's
currency. The options follow the order's state (``situation``): a return accepted leaves posting it back or
giving up; a return posted leaves waiting for its refund, its postage paid already; tracking that gives no
reason to wait, and a replacement that would come after protection ends, are demoted with a note saying why;
with protection over no option needs a dispute and support is what is left. One pass per option over whole
columns, none per order.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from aliexp_lib.assumptions import chance
from aliexp_lib.cases import CHANCE_PARTS, Case, either, home_amounts, times
from aliexp_lib.certainty import certainty_equivalent
from aliexp_lib.options import APPLIES_TO, ITEM_PROBLEMS, NOTES, OPTIONS, problem_codes
from aliexp_lib.rates import half_even_div
from aliexp_lib.setting import Setting
from aliexp_lib.situation import NO_WAIT, SITUATIONS, Situation

#: The rule values the options' texts and clocks use, each the entry in force on the day its clock starts.
TEXT_DAYS = (
    "seller_reply_days",
    "auto_escalation_days",
    "platform_decision_days",
    "return_ship_days",
    "return_refund_days",
    "refund_leaves_platform_days",
    "tracking_stalled_days",
    "estimated_delivery_days",
)


@dataclasses.dataclass(frozen=True)
class Values:
    """Per option (rows) and problem order (columns).

    Attributes
    ----------
    low, mid, high, sure, equivalent : numpy.ndarray of int64 [minor units]
        Expected net money at the dear and cheap ends of the cost ranges and in their middle; the money left
        if the option fails; the certainty equivalent of ``mid`` (``certainty``), by which options are ranked.
    likelihood : numpy.ndarray of float [probability]
    by_day : numpy.ndarray of int64 [d since 1970-01-01]
    ok, demoted : numpy.ndarray of bool
        The option applies; it is not advised (ranked after those that are).
    note : numpy.ndarray of int
        Position in ``NOTES`` of what makes the option's text differ, -1 for none.
    partial_cost : numpy.ndarray of int64 [minor units], one per order
        What keeping the item with a partial refund costs besides the offer.
    days : dict of str to numpy.ndarray of int64 [d], one per order
        ``TEXT_DAYS``: the values the texts state.
    """

    low: np.ndarray
    mid: np.ndarray
    high: np.ndarray
    sure: np.ndarray
    equivalent: np.ndarray
    likelihood: np.ndarray
    by_day: np.ndarray
    ok: np.ndarray
    demoted: np.ndarray
    note: np.ndarray
    partial_cost: np.ndarray
    days: dict


def evaluate(c: Case, s: Situation, setting: Setting) -> Values:
    """Every option's money, chance, day and standing for every order of ``c`` in state ``s``.

    Parameters
    ----------
    c : Case
    s : Situation
    setting : Setting
        Its assumptions (probabilities, hours, ``certainty_premium``) and rulebook.

    Returns
    -------
    Values

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib.cases import build_case
    >>> from aliexp_lib.situation import build_situation
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "A", "price": "1000", "currency": "RUB",
    ...     "shipped_at": "2026-01-10", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "300"}]))
    >>> setting = Setting.default()
    >>> case = build_case(book, dt.date(2026, 2, 10), setting)
    >>> v = evaluate(case, build_situation(book, case, setting.rulebook), setting)
    >>> k = OPTIONS.index("dispute_full_refund")
    >>> int(v.mid[k, 0]), int(v.sure[k, 0]), int(v.equivalent[k, 0])  # 50 %: 500.00 expected, 0 sure
    (50000, 0, 43750)
    """
    a, rules = setting.assumptions, setting.rulebook
    n, width = len(c.rows), len(OPTIONS)
    p = {k: chance(v) for k, v in a.values.items() if a.units[k] == "probability"}

    def amount(*factors) -> np.ndarray:  # HOME_CURRENCY amounts into minor units of each case's currency
        return home_amounts(c.home, c.currency, *factors)

    pack_low, pack_high = amount(a["packaging_low"]), amount(a["packaging_high"])
    hours = {
        k: amount(a["time_rate"], a[f"hours_{k}"])
        for k in ("wait", "dispute", "return", "partial", "resend", "off_platform", "support", "matching_order")
    }
    path_start = c.start_day.astype("datetime64[D]")
    today = np.full(n, c.today_day, dtype=np.int64).astype("datetime64[D]")
    days = {rule: np.broadcast_to(rules.days(rule, path_start), (n,)).astype(np.int64) for rule in TEXT_DAYS[:6]}
    for rule in TEXT_DAYS[6:]:
        days[rule] = np.broadcast_to(rules.days(rule, today), (n,)).astype(np.int64)
    leaves = days["refund_leaves_platform_days"]
    dispute_path = days["auto_escalation_days"] + days["platform_decision_days"] + leaves
    problem = c.problem_code
    item = np.isin(problem, problem_codes(ITEM_PROBLEMS))
    nr = problem == problem_codes(("not_received",))[0]
    after_refund = problem == problem_codes(("arrived_after_refund",))[0]
    owes_refund = ~np.isin(problem, problem_codes(("arrived_after_refund", "duplicate")))  # paid and not refunded
    kept_if_item = np.where(item, c.kept, 0)
    posted, accepted = s.is_("return_posted"), s.is_("return_accepted")
    returning = posted | accepted  # a return under way: only its own options
    sent_back = s.posted_day > 0  # posted, refunded or not: the item is gone
    over = ~c.can_dispute & ~c.refunded

    low, mid, high, sure = (np.zeros((width, n), dtype=np.int64) for _ in range(4))
    likelihood = np.zeros((width, n))
    by_day = np.zeros((width, n), dtype=np.int64)
    ok, demoted = np.zeros((width, n), dtype=bool), np.zeros((width, n), dtype=bool)
    note = np.full((width, n), -1, dtype=np.int64)

    def put(option, applies, likely, net_mid, floor, net_low=None, net_high=None, when=None):
        k = OPTIONS.index(option)
        ok[k] = applies & np.isin(problem, problem_codes(APPLIES_TO[option]))
        likelihood[k] = likely
        mid[k] = net_mid
        sure[k] = np.minimum(floor, net_mid)
        low[k] = net_mid if net_low is None else net_low
        high[k] = net_mid if net_high is None else net_high
        by_day[k] = c.today_day if when is None else when

    p_nr = p["p_win_not_received"]
    win = np.where(nr, float(p_nr), float(p["p_win_without_return"]))
    arrives, missing = c.arrival_parts, CHANCE_PARTS - c.arrival_parts
    dispute_then = times(p_nr, c.price) - c.cashback  # if it does not arrive: a dispute
    no_wait = s.is_(*NO_WAIT)
    put(
        "wait_and_extend",
        ~c.refunded & ~c.disputed & (c.protection_end >= c.today_day) & ~returning,
        c.arrival + (1 - c.arrival) * float(p_nr),
        half_even_div(c.price, arrives, CHANCE_PARTS)
        + half_even_div(dispute_then, missing, CHANCE_PARTS)
        - hours["wait"],
        -c.cashback - hours["wait"],
        when=c.protection_cap_end + dispute_path + c.payout_high,
    )
    k = OPTIONS.index("wait_and_extend")
    demoted[k] = no_wait
    note[k] = np.where(no_wait, np.take([NOTES.index(x) for x in SITUATIONS], np.maximum(s.code, 0)), -1)
    put(
        "dispute_full_refund",
        c.can_dispute & ~c.refunded & ~returning,
        win,
        half_even_div(c.price, *either(nr, p_nr, p["p_win_without_return"]))
        + kept_if_item
        - c.cashback
        - hours["dispute"],
        kept_if_item - c.cashback - hours["dispute"],
        when=c.start_day + dispute_path + c.payout_high,
    )
    p_back = p["p_return_refunded"]
    base = np.where(owes_refund, times(p_back, c.price) - c.cashback, 0) - hours["return"]
    floor = np.where(owes_refund, -c.cashback, 0) - hours["return"]
    costs_low, costs_high = c.post_low + pack_low, c.post_high + pack_high
    # an accepted return is posted by its deadline; else the seller's reply and the posting time come first
    posting = np.where(accepted, s.post_by, c.start_day + days["seller_reply_days"] + days["return_ship_days"])
    can_post = ~accepted | (s.post_by >= c.today_day)
    put(
        "return_for_refund",
        c.post_known & (c.can_dispute | ~owes_refund | accepted) & ~(c.refunded & owes_refund) & ~sent_back & can_post,
        np.where(owes_refund, float(p_back), 1.0),
        half_even_div(2 * base - costs_low - costs_high, 1, 2),  # the middle of the cost ranges
        half_even_div(2 * floor - costs_low - costs_high, 1, 2),
        base - costs_high,
        base - costs_low,
        when=posting + days["return_refund_days"] + leaves + c.payout_high,
    )
    k = OPTIONS.index("return_for_refund")
    note[k] = np.where(accepted, NOTES.index("return_accepted"), -1)
    partial_cost = c.cashback + hours["partial"] - c.kept
    put(
        "partial_refund_keep",
        c.offer_known & ~c.refunded & c.can_dispute & ~returning,
        float(p["p_partial_paid"]),
        times(p["p_partial_paid"], c.offer) - partial_cost,
        -partial_cost,
        when=c.today_day + days["seller_reply_days"] + leaves + c.payout_high,
    )
    resend_by = c.today_day + days["estimated_delivery_days"]
    late = (resend_by > c.dispute_end) & c.can_dispute
    put(
        "accept_resend",
        ~c.refunded & ~returning,
        float(p["p_resend_arrives"]),
        times(p["p_resend_arrives"], c.price) + kept_if_item - hours["resend"],
        kept_if_item - hours["resend"],
        when=resend_by,
    )
    k = OPTIONS.index("accept_resend")
    demoted[k] = late | ~c.can_dispute
    note[k] = np.select([~c.can_dispute, late], [NOTES.index("protection_over"), NOTES.index("resend_late")], -1)
    kept_now = np.where(nr | sent_back, 0, c.kept)
    put("keep_and_close", ~posted | ~owes_refund, 1.0, kept_now, kept_now)
    k = OPTIONS.index("keep_and_close")
    note[k] = np.select([accepted, posted], [NOTES.index("return_accepted"), NOTES.index("return_posted")], -1)
    off_amount = np.where(c.offer_known, c.offer, c.price)
    put(
        "settle_off_platform",
        ~c.refunded & ~returning,
        float(p["p_off_platform_paid"]),
        times(p["p_off_platform_paid"], off_amount) + kept_if_item - hours["off_platform"],
        kept_if_item - hours["off_platform"],
    )
    p_back_sure = np.where(owes_refund, times(p_back, c.price) - c.cashback, 0)
    put(
        "wait_for_refund",
        posted & ~c.refunded,
        float(p_back),
        p_back_sure,  # the postage and packing are paid already: sunk
        np.where(owes_refund, -c.cashback, 0),
        when=s.posted_day + days["return_refund_days"] + leaves + c.payout_high,
    )
    put(
        "pay_matching_order",
        after_refund & ~sent_back,
        1.0,
        c.kept - c.price - hours["matching_order"],
        c.kept - c.price - hours["matching_order"],
    )
    p_support = p["p_support_helps"]
    put(
        "ask_support",
        over & ~returning,
        float(p_support),
        times(p_support, c.price) + kept_if_item - hours["support"],
        kept_if_item - hours["support"],
        when=c.today_day + leaves + c.payout_high,
    )
    equivalent = certainty_equivalent(mid, sure, likelihood, chance(a["certainty_premium"]))
    return Values(low, mid, high, sure, equivalent, likelihood, by_day, ok, demoted, note, partial_cost, days)
