"""Ways out of a problem order, what each leaves in the buyer's pocket, ranked.

For every order with a ``problem`` and every way out (``OPTIONS``) that applies to it: the
expected net money in the display currency, as a range where a cost is a range, the chance it
works, and the latest day the money is expected under the rulebook's clocks.

    net = likelihood-weighted refund + value of what is kept - return postage - packing
          - the buyer's time x their rate - cashback lost

Money is int64 minor units throughout (``cases``): every expected value (a probability times an
amount), every amount of the assumptions in the display currency and the middle of a range is
rounded half-even to a whole minor unit in integers, never a float. Probabilities are exact
(``0.85`` is 85/100; a fitted arrival chance is taken to ``CHANCE_PARTS`` per billion) and come
from ``Assumptions``: guesses the user can change, not measurements. ``settle_off_platform`` is
always ranked last (rule 31). One pass per option over whole columns, none per order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from aliexp_lib.assumptions import chance
from aliexp_lib.cases import CHANCE_PARTS, Case, build_case, either, home_amounts, times
from aliexp_lib.history import DeliveryModel
from aliexp_lib.options import APPLIES_TO, ITEM_PROBLEMS, OPTIONS, REASONS, RISKS, problem_codes, texts_for
from aliexp_lib.rates import half_even_div
from aliexp_lib.schema import PROBLEMS
from aliexp_lib.setting import Setting
from aliexp_lib.validate import OrderBook

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
_FORCED_LAST = OPTIONS.index("settle_off_platform")


def rank_options(
    book: OrderBook, today: dt.date, setting: Setting | None = None, history: DeliveryModel | None = None
) -> pd.DataFrame:
    """Every way out of every problem order, best first within each order (``COLUMNS``).

    Money columns are integer minor units of ``currency``; ``net_low``/``net_high`` take the dear
    and the cheap end of every cost range; ``money_by`` is the latest day the money (or, for
    ``accept_resend`` and ``wait_and_extend``, the item) is expected under the rulebook. ``history``
    is the delivery model behind ``wait_and_extend`` (default: fitted on ``book``; pass one fitted
    on all your orders when ``book`` holds only some).

    Parameters
    ----------
    book : OrderBook
    today : datetime.date
    setting : Setting, optional
        Default ``Setting.default()``.
    history : DeliveryModel, optional

    Returns
    -------
    pandas.DataFrame
        One row per (problem order, option that applies): ``rank`` from 1; ``net_minor``, ``net_low_minor``,
        ``net_high_minor`` : int64 [minor units of ``currency``]; ``money_by`` : datetime64 (a day);
        ``likelihood`` : float [probability, 0-1, 3 decimals]; ``reason``, ``risk``, ``rate`` in words.

    Raises
    ------
    InputError
        If an order's currency has no exchange rate on or before ``today``.

    Examples
    --------
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "A1", "price": "1000.00", "currency": "RUB", "shipped_at": "2026-01-10",
    ...      "received_at": "2026-02-01", "problem": "defective", "offer_partial": "300.00"},
    ... ]))
    >>> rank_options(book, dt.date(2026, 2, 10))[["option", "rank", "net_minor", "money_by", "likelihood"]]
                    option  rank  net_minor   money_by  likelihood
    0  dispute_full_refund     1      50000 2026-03-24        0.50
    1  partial_refund_keep     2      28500 2026-03-07        0.95
    2    return_for_refund     3      16000 2026-04-16        0.90
    ...
    4  settle_off_platform     5       9000 2026-02-10        0.30
    """
    return rank_with_break_even(book, today, setting, history)[0]


def rank_with_break_even(
    book: OrderBook, today: dt.date, setting: Setting | None = None, history: DeliveryModel | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``rank_options`` and ``break_even`` together, sharing the work.

    Parameters
    ----------
    book, today, setting, history
        As for ``rank_options``.

    Returns
    -------
    tuple of pandas.DataFrame
        (``rank_options``, ``break_even``).

    Examples
    --------
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "A1", "price": "1000.00", "currency": "RUB", "shipped_at": "2026-01-10",
    ...      "received_at": "2026-02-01", "problem": "defective", "offer_partial": "300.00"},
    ... ]))
    >>> ranking, even = rank_with_break_even(book, dt.date(2026, 2, 10))
    >>> ranking["option"].iat[0], int(even["break_even_minor"].iat[0])
    ('dispute_full_refund', 16842)
    """
    setting = setting or Setting.default()
    case = build_case(book, today, setting, history)
    values = _evaluate(case, setting)
    return _rank(case, values, setting), _break_even(case, values, setting)


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


def _evaluate(c: Case, setting: Setting) -> _Values:
    a, rules = setting.assumptions, setting.rulebook
    n, width = len(c.rows), len(OPTIONS)
    p = {k: chance(v) for k, v in a.values.items() if a.units[k] == "probability"}

    # The assumptions' amounts are in HOME_CURRENCY: into minor units of each case's currency (home_amounts).
    def amount(*factors) -> np.ndarray:
        return home_amounts(c.home, *factors)

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
    item = np.isin(problem, problem_codes(ITEM_PROBLEMS))
    nr = problem == problem_codes(("not_received",))[0]
    after_refund = problem == problem_codes(("arrived_after_refund",))[0]
    owes_refund = ~np.isin(problem, problem_codes(("arrived_after_refund", "duplicate")))  # paid and not refunded
    kept_if_item = np.where(item, c.kept, 0)

    low, mid, high = (np.zeros((width, n), dtype=np.int64) for _ in range(3))
    likelihood = np.zeros((width, n))
    by_day = np.zeros((width, n), dtype=np.int64)
    ok = np.zeros((width, n), dtype=bool)

    def put(option, applies, likely, net_mid, net_low=None, net_high=None, when=None):
        k = OPTIONS.index(option)
        ok[k] = applies & np.isin(problem, problem_codes(APPLIES_TO[option]))
        likelihood[k] = likely
        mid[k] = net_mid
        low[k] = net_mid if net_low is None else net_low
        high[k] = net_mid if net_high is None else net_high
        by_day[k] = c.today_day if when is None else when

    p_nr = p["p_win_not_received"]
    win = np.where(nr, float(p_nr), float(p["p_win_without_return"]))
    arrives, missing = c.arrival_parts, CHANCE_PARTS - c.arrival_parts
    dispute_then = times(p_nr, c.price) - c.cashback  # if it does not arrive: a dispute
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
        half_even_div(c.price, *either(nr, p_nr, p["p_win_without_return"]))
        + kept_if_item
        - c.cashback
        - hours["dispute"],
        when=c.start_day + dispute_path + c.payout_high,
    )
    p_back = p["p_return_refunded"]
    base = np.where(owes_refund, times(p_back, c.price) - c.cashback, 0) - hours["return"]
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
        times(p["p_partial_paid"], c.offer) - partial_cost,
        when=c.today_day + days["seller_reply_days"] + days["refund_leaves_platform_days"] + c.payout_high,
    )
    put(
        "accept_resend",
        ~c.refunded,
        float(p["p_resend_arrives"]),
        times(p["p_resend_arrives"], c.price) + kept_if_item - hours["resend"],
        when=c.today_day + days["estimated_delivery_days"],
    )
    put("keep_and_close", np.ones(n, dtype=bool), 1.0, np.where(nr, 0, c.kept))
    off_amount = np.where(c.offer_known, c.offer, c.price)
    put(
        "settle_off_platform",
        ~c.refunded | after_refund,
        np.where(after_refund, 1.0, float(p["p_off_platform_paid"])),
        np.where(after_refund, c.kept - c.price, times(p["p_off_platform_paid"], off_amount) + kept_if_item)
        - hours["off_platform"],
    )

    return _Values(low, mid, high, likelihood, by_day, ok, partial_cost)


def _rank(c: Case, v: _Values, setting: Setting) -> pd.DataFrame:
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
            "currency": c.currency[order],
            "money_by": (by_day.ravel()[cell] * 86_400).astype("datetime64[s]"),
            "likelihood": np.round(like, 3),
            "reason": texts_for(REASONS, option, c.problem_code[order]),
            "risk": texts_for(RISKS, option, c.problem_code[order]),
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

    Parameters
    ----------
    book, today, setting, history
        As for ``rank_options``.

    Returns
    -------
    pandas.DataFrame
        One row per such order: ``offer_minor``, ``break_even*_minor``, ``flip_postage_minor`` : Int64 [minor
        units of ``currency``] (a break-even is missing where ``p_partial_paid`` is 0); ``best_if_postage_cheap``/
        ``_dear`` : option names; ``flips`` : bool.

    Examples
    --------
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "A1", "price": "1000.00", "currency": "RUB", "shipped_at": "2026-01-10",
    ...      "received_at": "2026-02-01", "problem": "defective", "offer_partial": "300.00"},
    ... ]))
    >>> break_even(book, dt.date(2026, 2, 10)).iloc[:, 2:].T[:3]  # a return wins below 37000 postage (flips)
                               0
    break_even_minor       16842
    break_even_low_minor       0
    break_even_high_minor  65263
    """
    return rank_with_break_even(book, today, setting, history)[1]


def _break_even(c: Case, v: _Values, setting: Setting) -> pd.DataFrame:
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
            "currency": c.currency[rows],
            "best_if_postage_cheap": cheap[rows],
            "best_if_postage_dear": dear[rows],
            "flips": flips[rows],
            "flip_postage_minor": pd.arrays.IntegerArray(flip_at[rows], ~flips[rows]),
        }
    )
