"""The inputs of the ranking: per problem order, every amount as int64 minor units of the display
currency and every date as a day number, from the order book, the setting and the delivery model.

Amounts are converted exactly (``rates.amounts_in``); the cashback a refund cancels and the buyer's
share of it are rounded half-even to a whole minor unit with integer arithmetic, never a float.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from fractions import Fraction

import numpy as np
import pandas as pd

from aliexp_lib.arrival import arrival_chance
from aliexp_lib.assumptions import chance
from aliexp_lib.costs import HOME_CURRENCY, postage_range, slowest_payout_days
from aliexp_lib.deadlines import day_numbers, protection_end_days
from aliexp_lib.history import DeliveryModel, fit_delivery_model
from aliexp_lib.money import minor_digits
from aliexp_lib.rates import amounts_in, convert_minor, half_even_div
from aliexp_lib.schema import PROBLEMS
from aliexp_lib.setting import Setting
from aliexp_lib.validate import OrderBook

#: The fitted chance that a travelling parcel arrives is used in parts of this many (1e-9 steps).
CHANCE_PARTS = 10**9


@dataclasses.dataclass(frozen=True)
class Case:
    """Per problem order, money as int64 minor units of the display currency; ``offer`` and the
    postage are 0 where ``offer_known``/``post_known`` say the amount is unknown.

    One entry per problem order in every array. Built by ``build_case``.

    Attributes
    ----------
    rows : numpy.ndarray of int
        Positions in the order book.
    order_id : numpy.ndarray of str
    problem_code : numpy.ndarray of int
        Position in ``schema.PROBLEMS``.
    price, offer, kept : numpy.ndarray of int64 [minor units of the display currency]
        Price (0 if unknown), partial refund offered, value of the item if kept (``value_if_kept``,
        else ``kept_value_share`` times the price).
    offer_known, post_known : numpy.ndarray of bool
    post_low, post_high : numpy.ndarray of int64 [minor units of the display currency]
        Return postage: the user's quote, else the tracked band for the weight (rules 18-19).
    cashback : numpy.ndarray of int64 [minor units of the display currency]
        Expected cashback lost on a refund.
    start_day, protection_end, protection_cap_end : numpy.ndarray of int64 [d since 1970-01-01]
        Day the dispute path starts; last protected day; last day of protection at its cap.
    payout_high : numpy.ndarray of int64 [d]
        Slowest payout time of the payment method.
    arrival : numpy.ndarray of float [probability, 0-1]
    arrival_parts : numpy.ndarray of int64 [1 / ``CHANCE_PARTS``]
    disputed, can_dispute, refunded, return_shipped : numpy.ndarray of bool
        Dispute opened by today; a dispute open or still in time; refund issued; return posted.
    rate : numpy.ndarray of str
        The exchange rates used, in words.
    currency : numpy.ndarray of str
        The currency of each case's amounts: the display currency, or the order's own where no rate is known.
    today_day : int [d since 1970-01-01]
    home : numpy.ndarray of fractions.Fraction [case minor units per ``HOME_CURRENCY`` minor unit]
        0 where no rate is known (the amounts in ``HOME_CURRENCY`` are then left out).
    dispute_end : numpy.ndarray of int64 [d since 1970-01-01]
        Last day a dispute may be opened (``dispute_after_close_days`` after a confirmation, else protection's end).
    """

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
    currency: np.ndarray  # the currency of each case's amounts
    today_day: int
    home: np.ndarray  # exact factors (Fraction) from HOME_CURRENCY minor units to each case's currency
    dispute_end: np.ndarray  # last day a dispute may be opened: 15 d after a close, else protection's end


def build_case(book: OrderBook, today: dt.date, setting: Setting, history: DeliveryModel | None = None) -> Case:
    """The ranking's inputs for every order of ``book`` with a ``problem``, on ``today``.

    Parameters
    ----------
    book : OrderBook
    today : datetime.date
    setting : Setting
        Display currency, rates, postage, payout times, rulebook and assumptions.
    history : DeliveryModel, optional
        Behind the chance a travelling parcel arrives (default: fitted on ``book``, rulebook entry of ``today``).

    Returns
    -------
    Case

    Raises
    ------
    InputError
        If an order's currency has no exchange rate on or before ``today``.

    Examples
    --------
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "A1", "price": "1000.00", "currency": "RUB", "shipped_at": "2026-01-10",
    ...      "received_at": "2026-02-01", "problem": "defective", "offer_partial": "300.00"},
    ...     {"order_id": "A2", "price": "50.00", "currency": "RUB", "shipped_at": "2026-01-10"},
    ... ]))
    >>> case = build_case(book, dt.date(2026, 2, 10), Setting.default())
    >>> case.order_id, case.price, case.offer, case.post_low, case.post_high
    (array(['A1'], dtype=object), array([100000]), array([30000]), array([25000]), array([105000]))
    >>> case.protection_end.astype("datetime64[D]")
    array(['2026-03-11'], dtype='datetime64[D]')
    """
    table = book.table
    rows = np.flatnonzero((table["problem"] != "").to_numpy())
    sub = table.iloc[rows]
    a, rules = setting.assumptions, setting.rulebook
    today_day = int(np.datetime64(today, "D").astype(np.int64))

    # Order-currency amounts into the display currency, one factor per currency.
    # An order whose currency has no rate keeps its own currency (``currency``), and so does its case.
    amounts, rate_text, currency = amounts_in(
        sub,
        ("price_minor", "offer_partial_minor", "value_if_kept_minor", "postage_quote_minor"),
        setting.currency,
        setting.rates,
        today,
        days=sub["ordered_at"],
    )
    price_pair, offer, kept_pair, quote = (_known(amount) for amount in amounts.values())
    price = price_pair[0]  # an unknown price counts as 0
    kept = np.where(kept_pair[1], kept_pair[0], times(chance(a["kept_value_share"]), price))

    # Return postage: the user's quote wins; else the tracked band for the weight (rules 18-19).
    # Postage and the assumptions' amounts are in HOME_CURRENCY: one factor per currency of the cases,
    # 0 (left out, and said) where no rate is known.
    home = np.full(len(rows), Fraction(0), dtype=object)
    home_known = np.zeros(len(rows), dtype=bool)
    weight = sub["weight_g"].to_numpy(dtype=np.float64, na_value=a["default_weight_g"]).astype(np.int64)
    low, high, band = postage_range(weight, setting.postage)
    post_low, post_high = np.zeros(len(rows), dtype=np.int64), np.zeros(len(rows), dtype=np.int64)
    for code in pd.unique(currency):  # one factor per currency, not per order
        at = currency == code
        factor, said_home = setting.rates.factor(HOME_CURRENCY, code, today)
        home_known[at] = factor is not None
        home[at] = factor if factor is not None else Fraction(0)
        post_low[at] = convert_minor(low[at], home[at][0]) if factor is not None else 0
        post_high[at] = convert_minor(high[at], home[at][0]) if factor is not None else 0
        if code != HOME_CURRENCY:
            left_out = "" if factor is not None else " (postage, packaging and your time left out)"
            rate_text[at] = rate_text[at] + f"; {HOME_CURRENCY} amounts: " + said_home + left_out
    post_low = np.where(quote[1], quote[0], np.where(band >= 0, post_low, 0))
    post_high = np.where(quote[1], quote[0], np.where(band >= 0, post_high, 0))
    post_known = quote[1] | ((band >= 0) & home_known)

    cashback = times(chance(a["p_cashback_lost_on_refund"]), _percent_of(price, sub["cashback_rate"]))

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
    dispute_end = np.where(happened["confirmed_at"], confirmed_window, protection_end)
    in_time = dispute_end >= today_day
    can_dispute = happened["dispute_opened_at"] | in_time

    model = history if history is not None else fit_delivery_model(book, rulebook=rules, on=today)
    deadline = pd.Series(pd.NaT, index=table.index, dtype="datetime64[s]")
    deadline.iloc[rows] = (cap_end * 86_400).astype("datetime64[s]")
    arrival = np.nan_to_num(arrival_chance(model, book, today, deadline).to_numpy(dtype=np.float64)[rows])

    problem_code = pd.Categorical(sub["problem"], categories=PROBLEMS).codes
    return Case(
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
        currency,
        today_day,
        home,
        dispute_end,
    )


def home_amounts(home: np.ndarray, currency: np.ndarray, *factors) -> np.ndarray:
    """An amount of the assumptions (``HOME_CURRENCY`` units, the product of ``factors``) per case, in
    minor units of each case's currency, exact and rounded half-even once; 0 where ``home`` is 0 (no rate).

    Parameters
    ----------
    home : numpy.ndarray of fractions.Fraction
        Per case, its minor units per ``HOME_CURRENCY`` minor unit (``Case.home``): one value per currency.
    currency : numpy.ndarray of str
        Per case, the currency of its amounts (``Case.currency``): the amount is worked out once per
        currency (grouping by the exact fractions took seconds for 100,000 cases).
    *factors : numbers
        The amount's factors, e.g. a rate per hour [``HOME_CURRENCY``/h] and hours [h].

    Returns
    -------
    numpy.ndarray of int64 [minor units of each case's currency]

    Examples
    --------
    >>> home = np.array([Fraction(1), Fraction(1, 90), Fraction(0)], dtype=object)
    >>> home_amounts(home, np.array(["EUR", "RUB", "XYZ"]), 300, 0.5)
    array([15000,   167,     0])
    """
    out = np.zeros(len(home), dtype=np.int64)
    scale = 10 ** minor_digits(HOME_CURRENCY)
    codes, _ = pd.factorize(currency, use_na_sentinel=False)
    firsts = np.unique(codes, return_index=True)[1]  # the first case of each currency
    for code, first in enumerate(firsts):
        start = Fraction(home[first]) * scale
        out[codes == code] = round(math.prod((chance(f) for f in factors), start=start))  # Fraction: half-even
    return out


def _known(amount: pd.arrays.IntegerArray) -> tuple[np.ndarray, np.ndarray]:
    """An ``Int64`` array as (int64 values with 0 where missing, known mask)."""
    return amount.to_numpy(dtype=np.int64, na_value=0), ~np.asarray(amount.isna(), dtype=bool)


def times(p: Fraction, minor: np.ndarray) -> np.ndarray:
    """An expected amount: the exact probability (or share) ``p`` times ``minor``, half-even to a minor unit.

    Parameters
    ----------
    p : fractions.Fraction [probability or share]
    minor : numpy.ndarray of int [minor units]

    Returns
    -------
    numpy.ndarray of int64 [minor units]

    Examples
    --------
    >>> times(Fraction(1, 2), np.array([5, 7, 10]))  # 2.5 -> 2, 3.5 -> 4: half-even
    array([2, 4, 5])
    """
    return half_even_div(minor, p.numerator, p.denominator)


def either(where: np.ndarray, p: Fraction, q: Fraction) -> tuple[np.ndarray, int]:
    """Per order ``p`` where ``where`` else ``q``, as (numerators, one common denominator).

    Parameters
    ----------
    where : numpy.ndarray of bool
    p, q : fractions.Fraction [probability]

    Returns
    -------
    numerators : numpy.ndarray of int
    denominator : int
        The least common multiple of the two denominators.

    Examples
    --------
    >>> either(np.array([True, False]), Fraction(85, 100), Fraction(1, 2))
    (array([17, 10]), 20)
    """
    den = math.lcm(p.denominator, q.denominator)
    return np.where(where, p.numerator * (den // p.denominator), q.numerator * (den // q.denominator)), den


def _percent_of(minor: np.ndarray, percent: pd.Series) -> np.ndarray:
    """``minor * percent / 100`` half-even, exactly; the rate is read back as the decimal the user wrote
    (``repr`` of the parsed float). One pass per distinct rate, not per order; none counts as 0."""
    out = np.zeros(len(minor), dtype=np.int64)
    rates = percent.to_numpy(dtype=np.float64, na_value=np.nan)
    for value in pd.unique(rates[~np.isnan(rates)]):
        rows = rates == value
        out[rows] = times(chance(value) / 100, minor[rows])
    return out
