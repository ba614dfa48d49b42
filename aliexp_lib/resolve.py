"""Ways out of a problem order, what each leaves in the buyer's pocket, ranked.

For every order with a ``problem`` and every way out (``OPTIONS``) that applies to it: the
expected net money in the display currency, as a range where a cost is a range, the chance it
works, and the latest day the money is expected under the rulebook's clocks.

    net = likelihood-weighted refund + value of what is kept - return postage - packing
          - the buyer's time x their rate - cashback lost

Money is integer minor units throughout (``int64``, with a mask where an amount is unknown):
prices, offers and postage exactly as given or converted; every expected value (a probability
times an amount), every amount of the assumptions converted into the display currency and the
middle of a range are rounded half-even to a whole minor unit with integer arithmetic, never a
float. Probabilities are read exactly (``0.85`` is 85/100); the chance a travelling parcel arrives
comes from a fitted model and is taken to ``CHANCE_PARTS`` (parts per billion). Every probability and default comes from
``Assumptions`` (``data/assumptions.toml``): guesses the user can change, not measurements.
``settle_off_platform`` is always ranked last (rule 31). The work is done on whole columns:
one pass per option, none per order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from fractions import Fraction

import numpy as np
import pandas as pd

from aliexp_lib.costs import (
    HOME_CURRENCY,
    amounts_in,
    chance,
    convert_minor,
    half_even_div,
    postage_range,
    slowest_payout_days,
)
from aliexp_lib.deadlines import day_numbers, protection_end_days
from aliexp_lib.history import DeliveryModel, arrival_chance, fit_delivery_model
from aliexp_lib.money import minor_digits
from aliexp_lib.schema import PROBLEMS
from aliexp_lib.setting import Setting
from aliexp_lib.validate import OrderBook

OPTIONS = (
    "wait_and_extend",
    "dispute_full_refund",
    "return_for_refund",
    "partial_refund_keep",
    "accept_resend",
    "keep_and_close",
    "settle_off_platform",
)
COLUMNS = (
    "order_id",
    "problem",
    "option",
    "rank",
    "net_minor",
    "net_low_minor",
    "net_high_minor",
    "currency",
    "money_by",
    "likelihood",
    "reason",
    "risk",
    "rate",
)

_ITEM = ("defective", "not_as_described", "wrong_item", "incomplete")
#: option -> problems it can resolve
APPLIES_TO = {
    "wait_and_extend": ("not_received",),
    "dispute_full_refund": ("not_received", *_ITEM),
    "return_for_refund": (*_ITEM, "arrived_after_refund", "duplicate"),
    "partial_refund_keep": _ITEM,
    "accept_resend": ("not_received", "wrong_item", "incomplete"),
    "keep_and_close": ("not_received", *_ITEM, "arrived_after_refund", "duplicate"),
    "settle_off_platform": ("not_received", *_ITEM, "arrived_after_refund"),
}
REASONS = {
    "wait_and_extend": "Ask the seller to extend protection (rules 3, 7) and wait: the chance it arrives comes from "
    "your own delivery history; if it does not, open a dispute before protection ends (rule 8)",
    "dispute_full_refund": "Open a dispute for a full refund: the seller has 5 days to answer, escalation after 15, "
    "the platform decides in 7 (rules 13-15); the refund goes back to how you paid (rule 23)",
    "return_for_refund": "Return through a 'return goods and refund' dispute: you pay tracked postage (rules 18-19), "
    "post within 10 days to the dispute address, refund at the latest 30 days after (rules 20-21)",
    "partial_refund_keep": "Take the seller's partial refund and keep the item; check the final amount before "
    "accepting, an accepted dispute cannot be reopened (rule 16)",
    "accept_resend": "Let the seller send a replacement: nothing comes back in money, and protection keeps "
    "running meanwhile (rules 2, 8)",
    "keep_and_close": "Keep what you have and do nothing more",
    "settle_off_platform": "A payment outside the platform: never close a dispute, confirm receipt or leave "
    "5 stars for it; if at all, only after the money arrived as a transfer (rules 31-32)",
}
RISKS = {
    "wait_and_extend": "the seller may refuse the extension; a parcel can still be lost",
    "dispute_full_refund": "the platform may ask you to return the item first (rule 17); cashback is usually cancelled",
    "return_for_refund": "postage is yours and may exceed the item's price; the return cannot be cancelled (rule 20)",
    "partial_refund_keep": "sellers lower the amount inside the dispute, even to zero (rule 16)",
    "accept_resend": "if the replacement never comes, protection may have run out (rule 8)",
    "keep_and_close": "any refund still possible is given up",
    "settle_off_platform": "a PayPal payment can be reversed and the dispute is gone (rule 31); never ranked first",
}
#: (option, problem) -> what differs from the option's general reason or risk for that problem.
REASONS.update(
    {
        ("keep_and_close", "arrived_after_refund"): "Keep the item: the refund is already yours",
        ("settle_off_platform", "arrived_after_refund"): "Pay the seller for the goods by a direct transfer, or pay a "
        "matching order and confirm it (rule 32)",
        ("return_for_refund", "arrived_after_refund"): "Send the goods back at your cost; the refund is already yours",
        ("return_for_refund", "duplicate"): "Send the extra parcel back at your cost; nothing is refunded (rule 32)",
        ("keep_and_close", "duplicate"): "Keep the extra parcel",
        ("keep_and_close", "not_received"): "Give up: no refund",
    }
)
RISKS.update(
    {
        ("keep_and_close", "arrived_after_refund"): "you hold goods you were refunded for: the seller may ask to be "
        "paid, and rule 32 says settle fairly",
        ("keep_and_close", "duplicate"): "rule 32 says refuse a duplicate at the post office or send it back",
        ("settle_off_platform", "arrived_after_refund"): "a transfer you send cannot be taken back; keep its receipt",
    }
)
_FORCED_LAST = OPTIONS.index("settle_off_platform")
#: The fitted chance that a travelling parcel arrives is used in parts of this many (1e-9 steps).
CHANCE_PARTS = 10**9


def _texts(texts: dict, option: np.ndarray, problem_code: np.ndarray) -> pd.Categorical:
    """``texts[(option, problem)]`` where given, else ``texts[option]``, as a categorical."""
    table = [texts.get((o, p), texts[o]) for o in OPTIONS for p in PROBLEMS]
    categories, positions = np.unique(np.array(table, dtype=object), return_inverse=True)
    return pd.Categorical.from_codes(positions[option * len(PROBLEMS) + problem_code], categories=categories)


def _codes(problems: tuple[str, ...]) -> list[int]:
    return [PROBLEMS.index(p) for p in problems]


def rank_options(
    book: OrderBook, today: dt.date, setting: Setting | None = None, history: DeliveryModel | None = None
) -> pd.DataFrame:
    """Every way out of every problem order, best first within each order (``COLUMNS``).

    Money columns are integer minor units of ``currency``; ``net_low``/``net_high`` take the dear
    and the cheap end of every cost range; ``money_by`` is the latest day the money (or, for
    ``accept_resend`` and ``wait_and_extend``, the item) is expected under the rulebook. ``history``
    is the delivery model behind ``wait_and_extend`` (default: fitted on ``book``; pass one fitted
    on all your orders when ``book`` holds only some).
    """
    return rank_with_break_even(book, today, setting, history)[0]


def rank_with_break_even(
    book: OrderBook, today: dt.date, setting: Setting | None = None, history: DeliveryModel | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``rank_options`` and ``break_even`` together, sharing the work."""
    setting = setting or Setting.default()
    case = _case(book, today, setting, history)
    values = _evaluate(case, setting)
    return _rank(case, values, setting), _break_even(case, values, setting)


@dataclasses.dataclass(frozen=True)
class _Case:
    """Per problem order, money as int64 minor units of the display currency; ``offer`` and the
    postage are 0 where ``offer_known``/``post_known`` say the amount is unknown."""

    rows: np.ndarray  # positions in the order book
    order_id: np.ndarray
    problem_code: np.ndarray  # position in PROBLEMS
    price: np.ndarray
    offer: np.ndarray
    offer_known: np.ndarray
    kept: np.ndarray
    post_low: np.ndarray
    post_high: np.ndarray
    post_known: np.ndarray
    cashback: np.ndarray  # cashback lost on a refund (expected: its probability times the cashback)
    start_day: np.ndarray  # day a dispute path starts: the dispute's date, or today (not before it may open)
    payout_high: np.ndarray
    arrival: np.ndarray  # chance a travelling parcel arrives by the end of an extended protection (float)
    arrival_parts: np.ndarray  # the same chance in parts of CHANCE_PARTS (int64), for money
    protection_end: np.ndarray
    protection_cap_end: np.ndarray
    disputed: np.ndarray
    can_dispute: np.ndarray
    refunded: np.ndarray
    return_shipped: np.ndarray
    rate: np.ndarray
    today_day: int
    home: object  # exact factor from HOME_CURRENCY minor units to the display currency's


def _case(book: OrderBook, today: dt.date, setting: Setting, history: DeliveryModel | None = None) -> _Case:
    table = book.table
    rows = np.flatnonzero((table["problem"] != "").to_numpy())
    sub = table.iloc[rows]
    a, rules = setting.assumptions, setting.rulebook
    today_day = int(np.datetime64(today, "D").astype(np.int64))

    # Order-currency amounts into the display currency, one factor per currency.
    amounts, rate_text = amounts_in(
        sub,
        ("price_minor", "offer_partial_minor", "value_if_kept_minor", "postage_quote_minor"),
        setting.currency,
        setting.rates,
        today,
    )
    price, offer, kept, quote = (_known(amount) for amount in amounts.values())
    currency = sub["currency"].fillna(setting.currency).to_numpy()
    price = price[0]  # an unknown price counts as 0
    kept = np.where(kept[1], kept[0], _times(chance(a["kept_value_share"]), price))

    # Return postage: the user's quote wins; else the tracked band for the weight (rules 18-19).
    home, said_home = setting.rates.factor(HOME_CURRENCY, setting.currency, today)
    weight = sub["weight_g"].to_numpy(dtype=np.float64, na_value=a["default_weight_g"]).astype(np.int64)
    low, high, band = postage_range(weight, setting.postage)
    post_low = np.where(quote[1], quote[0], np.where(band >= 0, convert_minor(low, home), 0))
    post_high = np.where(quote[1], quote[0], np.where(band >= 0, convert_minor(high, home), 0))
    post_known = quote[1] | (band >= 0)
    if setting.currency != HOME_CURRENCY:  # postage and the assumptions' amounts are in HOME_CURRENCY too
        rate_text = np.where(currency == HOME_CURRENCY, rate_text, rate_text + "; postage: " + said_home)

    cashback = _times(chance(a["p_cashback_lost_on_refund"]), _percent_of(price, sub["cashback_rate"]))

    # Events as day numbers, and whether they happened by today (as in the deadline engine).
    day, happened = {}, {}
    for column in ("shipped_at", "confirmed_at", "dispute_opened_at", "refund_issued_at", "return_shipped_at"):
        day[column], happened[column] = day_numbers(sub[column], np.int32(today_day))
    shipped = np.where(happened["shipped_at"], day["shipped_at"], today_day)
    earliest = rules.clock("dispute_earliest_days", shipped)
    start_day = np.where(happened["dispute_opened_at"], day["dispute_opened_at"], np.maximum(today_day, earliest))

    payout_high = slowest_payout_days(sub["payment_method"], setting.payout)

    protection_end, _ = protection_end_days(sub, shipped, rules)
    cap_end = rules.clock("protection_cap_days", shipped)
    confirmed_window = rules.clock("dispute_after_close_days", day["confirmed_at"])
    in_time = np.where(happened["confirmed_at"], confirmed_window, protection_end) >= today_day
    can_dispute = happened["dispute_opened_at"] | in_time

    model = history if history is not None else fit_delivery_model(book, rulebook=rules, on=today)
    deadline = pd.Series(pd.NaT, index=table.index, dtype="datetime64[s]")
    deadline.iloc[rows] = (cap_end * 86_400).astype("datetime64[s]")
    arrival = np.nan_to_num(arrival_chance(model, book, today, deadline).to_numpy(dtype=np.float64)[rows])

    problem_code = pd.Categorical(sub["problem"], categories=PROBLEMS).codes
    return _Case(
        rows,
        sub["order_id"].to_numpy(),
        problem_code,
        price,
        offer[0],
        offer[1],
        kept,
        post_low,
        post_high,
        post_known,
        cashback,
        start_day,
        payout_high,
        arrival,
        np.rint(arrival * CHANCE_PARTS).astype(np.int64),
        protection_end,
        cap_end,
        happened["dispute_opened_at"],
        can_dispute,
        happened["refund_issued_at"],
        happened["return_shipped_at"],
        rate_text,
        today_day,
        home,
    )


def _known(amount: pd.arrays.IntegerArray) -> tuple[np.ndarray, np.ndarray]:
    """An ``Int64`` array as (int64 values with 0 where missing, known mask)."""
    return amount.to_numpy(dtype=np.int64, na_value=0), ~np.asarray(amount.isna(), dtype=bool)


def _times(p: Fraction, minor: np.ndarray) -> np.ndarray:
    """An expected amount: the exact probability (or share) ``p`` times ``minor``, half-even to a minor unit."""
    return half_even_div(minor, p.numerator, p.denominator)


def _either(where: np.ndarray, p: Fraction, q: Fraction) -> tuple[np.ndarray, int]:
    """Per order ``p`` where ``where`` else ``q``, as (numerators, one common denominator)."""
    den = math.lcm(p.denominator, q.denominator)
    return np.where(where, p.numerator * (den // p.denominator), q.numerator * (den // q.denominator)), den


def _percent_of(minor: np.ndarray, percent: pd.Series) -> np.ndarray:
    """``minor * percent / 100`` half-even, exactly; the rate is read back as the decimal the user wrote
    (``repr`` of the parsed float). One pass per distinct rate, not per order; none counts as 0."""
    out = np.zeros(len(minor), dtype=np.int64)
    rates = percent.to_numpy(dtype=np.float64, na_value=np.nan)
    for value in pd.unique(rates[~np.isnan(rates)]):
        rows = rates == value
        out[rows] = _times(chance(value) / 100, minor[rows])
    return out


@dataclasses.dataclass(frozen=True)
class _Values:
    """Per option (rows, in ``OPTIONS`` order) and problem order (columns): nets in int64 minor units."""

    low: np.ndarray
    mid: np.ndarray
    high: np.ndarray
    likelihood: np.ndarray
    by_day: np.ndarray
    ok: np.ndarray
    partial_cost: np.ndarray  # what keeping the item with a partial refund costs besides the offer


def _evaluate(c: _Case, setting: Setting) -> _Values:
    a, rules = setting.assumptions, setting.rulebook
    n, width = len(c.rows), len(OPTIONS)
    p = {k: chance(v) for k, v in a.values.items() if a.units[k] == "probability"}
    # The assumptions' amounts are in HOME_CURRENCY: into minor units of the display currency, exactly,
    # each rounded half-even once (the buyer's time: rate x hours of each way out).
    home = Fraction(c.home) * 10 ** minor_digits(HOME_CURRENCY)

    def amount(*factors) -> int:
        return round(math.prod((chance(f) for f in factors), start=home))  # Fraction: half-even

    pack_low, pack_high = amount(a["packaging_low"]), amount(a["packaging_high"])
    hours = {
        k: amount(a["time_rate"], a[f"hours_{k}"])
        for k in ("wait", "dispute", "return", "partial", "resend", "off_platform")
    }
    # Each clock's value is the entry in force on the day the dispute path starts (as in the deadline engine).
    path_start = c.start_day.astype("datetime64[D]")
    days = {
        k: rules.days(k, path_start)
        for k in (
            "seller_reply_days",
            "auto_escalation_days",
            "platform_decision_days",
            "return_ship_days",
            "return_refund_days",
            "refund_leaves_platform_days",
        )
    }
    days["estimated_delivery_days"] = rules.days("estimated_delivery_days", np.datetime64(c.today_day, "D"))
    dispute_path = days["auto_escalation_days"] + days["platform_decision_days"] + days["refund_leaves_platform_days"]
    problem = c.problem_code
    item = np.isin(problem, _codes(_ITEM))
    nr = problem == _codes(("not_received",))[0]
    after_refund = problem == _codes(("arrived_after_refund",))[0]
    owes_refund = ~np.isin(problem, _codes(("arrived_after_refund", "duplicate")))  # paid and not refunded
    kept_if_item = np.where(item, c.kept, 0)

    low, mid, high = (np.zeros((width, n), dtype=np.int64) for _ in range(3))
    likelihood = np.zeros((width, n))
    by_day = np.zeros((width, n), dtype=np.int64)
    ok = np.zeros((width, n), dtype=bool)

    def put(option, applies, likely, net_mid, net_low=None, net_high=None, when=None):
        k = OPTIONS.index(option)
        ok[k] = applies & np.isin(problem, _codes(APPLIES_TO[option]))
        likelihood[k] = likely
        mid[k] = net_mid
        low[k] = net_mid if net_low is None else net_low
        high[k] = net_mid if net_high is None else net_high
        by_day[k] = c.today_day if when is None else when

    p_nr = p["p_win_not_received"]
    win = np.where(nr, float(p_nr), float(p["p_win_without_return"]))
    arrives, missing = c.arrival_parts, CHANCE_PARTS - c.arrival_parts
    dispute_then = _times(p_nr, c.price) - c.cashback  # if it does not arrive: a dispute
    put(
        "wait_and_extend",
        ~c.refunded & ~c.disputed & (c.protection_end >= c.today_day),
        c.arrival + (1 - c.arrival) * float(p_nr),
        half_even_div(c.price, arrives, CHANCE_PARTS)
        + half_even_div(dispute_then, missing, CHANCE_PARTS)
        - hours["wait"],
        when=c.protection_cap_end + dispute_path + c.payout_high,
    )
    put(
        "dispute_full_refund",
        c.can_dispute & ~c.refunded,
        win,
        half_even_div(c.price, *_either(nr, p_nr, p["p_win_without_return"]))
        + kept_if_item
        - c.cashback
        - hours["dispute"],
        when=c.start_day + dispute_path + c.payout_high,
    )
    p_back = p["p_return_refunded"]
    base = np.where(owes_refund, _times(p_back, c.price) - c.cashback, 0) - hours["return"]
    costs_low, costs_high = c.post_low + pack_low, c.post_high + pack_high
    return_start = np.where(
        c.return_shipped, c.start_day, c.start_day + days["seller_reply_days"] + days["return_ship_days"]
    )
    put(
        "return_for_refund",
        c.post_known & (c.can_dispute | ~owes_refund) & ~(c.refunded & owes_refund),
        np.where(owes_refund, float(p_back), 1.0),
        half_even_div(2 * base - costs_low - costs_high, 1, 2),  # the middle of the cost ranges
        base - costs_high,
        base - costs_low,
        when=return_start + days["return_refund_days"] + days["refund_leaves_platform_days"] + c.payout_high,
    )
    partial_cost = c.cashback + hours["partial"] - c.kept
    put(
        "partial_refund_keep",
        c.offer_known & ~c.refunded & c.can_dispute,
        float(p["p_partial_paid"]),
        _times(p["p_partial_paid"], c.offer) - partial_cost,
        when=c.today_day + days["seller_reply_days"] + days["refund_leaves_platform_days"] + c.payout_high,
    )
    put(
        "accept_resend",
        ~c.refunded,
        float(p["p_resend_arrives"]),
        _times(p["p_resend_arrives"], c.price) + kept_if_item - hours["resend"],
        when=c.today_day + days["estimated_delivery_days"],
    )
    put("keep_and_close", np.ones(n, dtype=bool), 1.0, np.where(nr, 0, c.kept))
    off_amount = np.where(c.offer_known, c.offer, c.price)
    put(
        "settle_off_platform",
        ~c.refunded | after_refund,
        np.where(after_refund, 1.0, float(p["p_off_platform_paid"])),
        np.where(after_refund, c.kept - c.price, _times(p["p_off_platform_paid"], off_amount) + kept_if_item)
        - hours["off_platform"],
    )

    return _Values(low, mid, high, likelihood, by_day, ok, partial_cost)


def _rank(c: _Case, v: _Values, setting: Setting) -> pd.DataFrame:
    n, width = len(c.rows), len(OPTIONS)
    low, mid, high, likelihood, by_day = v.low, v.mid, v.high, v.likelihood, v.by_day
    # Within each order (a row of 7 options) sort best first: options that apply, not settling off
    # the platform (rule 31), more expected money, more likely, money sooner, then OPTIONS order.
    net_all = mid.T
    options = np.broadcast_to(np.arange(width), (n, width))
    keys = (options, by_day.T, -likelihood.T, -net_all, options == _FORCED_LAST, ~v.ok.T)
    ranked = np.lexsort(keys, axis=-1)  # (orders, options): option codes, best first
    applies = np.take_along_axis(v.ok.T, ranked, axis=-1)
    flat = np.flatnonzero(applies)  # by order, then rank
    order = flat // width
    rank = flat - order * width + 1
    option = ranked.ravel()[flat]
    cell = option * n + order
    net = net_all.ravel()[order * width + option]
    like = likelihood.ravel()[cell]

    return pd.DataFrame(
        {
            "order_id": c.order_id[order],
            "problem": pd.Categorical.from_codes(c.problem_code[order], categories=PROBLEMS),
            "option": pd.Categorical.from_codes(option, categories=OPTIONS),
            "rank": rank,
            "net_minor": net,
            "net_low_minor": low.ravel()[cell],
            "net_high_minor": high.ravel()[cell],
            "currency": setting.currency,
            "money_by": (by_day.ravel()[cell] * 86_400).astype("datetime64[s]"),
            "likelihood": np.round(like, 3),
            "reason": _texts(REASONS, option, c.problem_code[order]),
            "risk": _texts(RISKS, option, c.problem_code[order]),
            "rate": c.rate[order],
        }
    )


BREAK_EVEN_COLUMNS = (
    "order_id",
    "offer_minor",
    "break_even_minor",
    "break_even_low_minor",
    "break_even_high_minor",
    "currency",
    "best_if_postage_cheap",
    "best_if_postage_dear",
    "flips",
    "flip_postage_minor",
)


def break_even(
    book: OrderBook, today: dt.date, setting: Setting | None = None, history: DeliveryModel | None = None
) -> pd.DataFrame:
    """For each problem order with a partial offer and a possible return: the smallest partial refund
    worth accepting instead of posting the item back, and whether the best option changes inside the
    postage range (``BREAK_EVEN_COLUMNS``, money in minor units of ``setting.currency``).

    ``break_even`` uses the middle of the postage and packing ranges; ``break_even_low`` the dear
    end (a return is worth less, so a smaller offer already wins) and ``break_even_high`` the cheap
    end. ``flip_postage`` is the postage at which the best option changes, where that is inside
    the range (else empty).
    """
    return rank_with_break_even(book, today, setting, history)[1]


def _break_even(c: _Case, v: _Values, setting: Setting) -> pd.DataFrame:
    ret = OPTIONS.index("return_for_refund")
    both = v.ok[ret] & c.offer_known
    p = chance(setting.assumptions["p_partial_paid"])

    rows = np.flatnonzero(both)

    def offer_for(return_net):  # for the orders in rows: p x offer - partial cost = return net, half-even
        if p == 0:  # a partial refund that is never paid is worth no offer
            return pd.array([pd.NA] * len(rows), dtype="Int64")
        needed = half_even_div(return_net[rows] + v.partial_cost[rows], p.denominator, p.numerator)
        return np.maximum(needed, 0)

    others = v.ok.copy()
    others[ret] = False
    lowest = np.iinfo(np.int64).min
    other_mid = np.where(others, v.mid, lowest)
    best_other = other_mid.max(axis=0)
    best_other_name = np.array(OPTIONS)[other_mid.argmax(axis=0)]
    has_other = others.any(axis=0)
    cheap = np.where(~has_other | (v.high[ret] > best_other), "return_for_refund", best_other_name)
    dear = np.where(~has_other | (v.low[ret] > best_other), "return_for_refund", best_other_name)
    flips = cheap != dear
    # return net falls one-for-one with postage: it ties with the best other option at this postage
    flip_at = c.post_low + (v.high[ret] - np.where(has_other, best_other, 0))
    return pd.DataFrame(
        {
            "order_id": c.order_id[rows],
            "offer_minor": c.offer[rows],
            "break_even_minor": offer_for(v.mid[ret]),
            "break_even_low_minor": offer_for(v.low[ret]),
            "break_even_high_minor": offer_for(v.high[ret]),
            "currency": setting.currency,
            "best_if_postage_cheap": cheap[rows],
            "best_if_postage_dear": dear[rows],
            "flips": flips[rows],
            "flip_postage_minor": pd.arrays.IntegerArray(flip_at[rows], ~flips[rows]),
        }
    )
