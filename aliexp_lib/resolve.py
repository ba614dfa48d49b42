"""Ways out of a problem order, what each leaves in the buyer's pocket, ranked.

For every order with a ``problem`` and every way out (``OPTIONS``) that applies to it: the
expected net money in the display currency, as a range where a cost is a range, the chance it
works, and the latest day the money is expected under the rulebook's clocks.

    net = likelihood-weighted refund + value of what is kept - return postage - packing
          - the buyer's time x their rate - cashback lost

and the money left if the option fails (``sure``). Options are ranked by their certainty equivalent
(``certainty``: the expected money less the ``certainty_premium`` a buyer gives up for certainty), so a
near-certain option is not outranked by a small expected margin at a much lower chance. The options
follow the order's state (``situation``, ``option_values``).

Money is int64 minor units throughout (``cases``): every expected value (a probability times an
amount), every amount of the assumptions in the display currency and the middle of a range is
rounded half-even to a whole minor unit in integers, never a float. Probabilities are exact
(``0.85`` is 85/100; a fitted arrival chance is taken to ``CHANCE_PARTS`` per billion) and come
from ``Assumptions``: guesses the user can change, not measurements. ``settle_off_platform`` is
always ranked last (rule 31). One pass per option over whole columns, none per order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from aliexp_lib.assumptions import chance
from aliexp_lib.cases import Case, build_case
from aliexp_lib.history import DeliveryModel
from aliexp_lib.option_values import Values, evaluate
from aliexp_lib.options import APPLIES_TO, OPTIONS, REASONS, RISKS, texts_for
from aliexp_lib.rates import half_even_div
from aliexp_lib.schema import PROBLEMS
from aliexp_lib.setting import Setting
from aliexp_lib.situation import build_situation
from aliexp_lib.validate import OrderBook

__all__ = ("APPLIES_TO", "OPTIONS", "REASONS", "RISKS", "break_even", "rank_options", "rank_with_break_even")

COLUMNS = (
    "order_id",
    "problem",
    "option",
    "rank",
    "net_minor",
    "net_low_minor",
    "net_high_minor",
    "sure_minor",
    "equivalent_minor",
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
    values = evaluate(case, build_situation(book, case, setting.rulebook), setting)
    return _rank(case, values, setting), _break_even(case, values, setting)


def _rank(c: Case, v: Values, setting: Setting) -> pd.DataFrame:
    n, width = len(c.rows), len(OPTIONS)
    low, mid, high, likelihood, by_day = v.low, v.mid, v.high, v.likelihood, v.by_day
    # Within each order (a row of options) sort best first: options that apply, not settling off the
    # platform (rule 31), more money counting certainty (its certainty equivalent), more expected money,
    # more likely, money sooner, then OPTIONS order; an option not advised (demoted) is never first: the
    # best advised one goes before it.
    net_all = mid.T
    options = np.broadcast_to(np.arange(width), (n, width))
    merits = (options, by_day.T, -likelihood.T, -net_all, -v.equivalent.T)
    advised = v.ok.T & ~v.demoted.T
    front = _first_of(advised, (options == _FORCED_LAST, *merits[:0:-1]))  # the best advised option
    # The bools as one key: three fewer passes of the sort (each a tenth of a second for 100k orders).
    lead = (~v.ok.T).view(np.int8) * np.int8(4) + (~front).view(np.int8) * np.int8(2) + (options == _FORCED_LAST)
    ranked = np.lexsort((*merits, lead), axis=-1)  # option codes, best first
    applies = np.take_along_axis(v.ok.T, ranked, axis=-1)
    flat = np.flatnonzero(applies)  # by order, then rank
    order = flat // width
    rank = flat - order * width + 1
    option = ranked.ravel()[flat]
    cell = option * n + order
    net = net_all.ravel()[order * width + option]
    like = likelihood.ravel()[cell]
    notes = v.note.ravel()[cell]
    days = {k: d[order] for k, d in v.days.items()}

    return pd.DataFrame(
        {
            "order_id": _spread(c.order_id, order),
            "problem": pd.Categorical.from_codes(c.problem_code[order], categories=PROBLEMS),
            "option": pd.Categorical.from_codes(option, categories=OPTIONS),
            "rank": rank,
            "net_minor": net,
            "net_low_minor": low.ravel()[cell],
            "net_high_minor": high.ravel()[cell],
            "sure_minor": v.sure.ravel()[cell],
            "equivalent_minor": v.equivalent.ravel()[cell],
            "currency": _spread(c.currency, order),
            "money_by": (by_day.ravel()[cell] * 86_400).astype("datetime64[s]"),
            "likelihood": np.round(like, 3),
            "reason": texts_for(REASONS, option, c.problem_code[order], notes, days),
            "risk": texts_for(RISKS, option, c.problem_code[order], notes, days),
            "rate": _spread(c.rate, order),
        }
    )


def _spread(text: np.ndarray, order: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``text`` (one per order) at each row's ``order``, as pandas' text: made once per order and taken
    by Arrow, not made again from Python strings per row (100k orders: 0.04 s a column less)."""
    return pd.array(text, dtype=str).take(order)


def _first_of(candidates: np.ndarray, keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """Per row of ``candidates`` (orders by options), the one candidate that sorts first by ``keys``
    (most significant first; NaN last, as in a sort), ties to the lowest column; none in a row without one.

    As the first candidate of each row sorted by ``np.lexsort`` (the same order), without the sort: each
    key narrows the candidates to those at its row's least value.

    Examples
    --------
    >>> candidates = np.array([[True, True, True], [False, False, False], [False, True, True]])
    >>> _first_of(candidates, (np.array([[1, 0, 0]] * 3), np.array([[0.0, np.nan, 2.0]] * 3))).astype(int)
    array([[0, 0, 1],
           [0, 0, 0],
           [0, 0, 1]])
    """
    left = candidates.copy()
    for key in keys:
        worst = np.inf if key.dtype.kind == "f" else np.iinfo(np.int64).max
        value = np.where(left & ~np.isnan(key) if key.dtype.kind == "f" else left, key, worst)
        left &= value == value.min(axis=-1, keepdims=True)
    return left & (np.cumsum(left, axis=-1) == 1)  # the lowest column of those left


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


def _break_even(c: Case, v: Values, setting: Setting) -> pd.DataFrame:
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
