"""Wait or act, from the buyer's own history: how likely a travelling parcel arrives in time.

The delivery time [d] of a parcel is ``received_at - shipped_at``. Per shipping method it is
estimated from the buyer's delivered orders, blended with a prior: the sellers' stated estimate of
20-40 d (DOMAIN rule 2, seed L56; rulebook ``estimated_delivery_days``) as a uniform
distribution carried with the weight of ``prior_weight`` orders. With n delivered orders of a
method and k = ``prior_weight``:

    CDF(t) = (n * ECDF(t) + k * U_low,high(t)) / (n + k)    (delivered within t days)
    F(t)   = (1 - p_lost) * CDF(t)                          (lost parcels never arrive)

A method without delivered orders (or with none stated: ``unknown``) uses all delivered orders
pooled; with none at all the prior alone. Day t counts like the deadline engine: the shipping
day is day 0, and "by day t" includes day t.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
from collections.abc import Mapping

import numpy as np
import pandas as pd

from aliexp_lib.orders import OrderBook
from aliexp_lib.rules import Rulebook, load_rulebook

DEFAULT_PRIOR_WEIGHT: float = 5.0
"""Weight of the seller-stated 20-40 d prior, in pseudo-orders. An assumption, not a measurement:
it only decides how fast the buyer's own history takes over (at 5 delivered orders, half)."""

DEFAULT_P_LOST: float = 0.05
"""Probability that a parcel never arrives. An assumption, not a measurement: the seed gives no
loss rate; 5 % keeps the chance of arrival below certainty however long the deadline."""

#: Seller-stated delivery range [d] used when the rulebook has no ``estimated_delivery_days``
#: (DOMAIN rule 2, seed L56).
FALLBACK_RANGE = (20, 40)
RULE_ID = "estimated_delivery_days"
#: Method name for orders without one; they count only in the pool.
UNKNOWN = "unknown"
#: ``summary`` row of the pool, used by unknown methods and methods without delivered orders.
POOLED = "(all methods)"
#: Days [d] on which ``summary`` inverts the CDF.
DAY_GRID = np.arange(0, 366)
SUMMARY_COLUMNS = ("shipping_method", "orders", "median_days", "p90_days", "prior_share")


def normalise_method(methods: pd.Series) -> pd.Series:
    """Shipping methods as grouped: blanks collapsed, stripped, case-folded; empty -> ``unknown``."""
    codes, names = pd.factorize(methods.fillna("").astype(str))  # few distinct names: normalise those
    key = pd.Series(names, dtype=object).str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    key = key.where(key != "", UNKNOWN).to_numpy(dtype=object)
    return pd.Series(key.take(codes) if len(key) else np.array([], dtype=object), index=methods.index, dtype="str")


def delivery_days(book: OrderBook) -> pd.DataFrame:
    """The delivered orders: ``order_id``, ``shipping_method`` (normalised), ``days`` [d] (int).

    ``days`` = received_at - shipped_at; orders without both dates, or received before shipped
    (impossible, kept by the order book with a warning), are left out.
    """
    table = book.table
    shipped = _day_numbers(table["shipped_at"])
    received = _day_numbers(table["received_at"])
    rows = ~np.isnan(shipped) & ~np.isnan(received) & (received >= shipped)
    return pd.DataFrame(
        {
            "order_id": table["order_id"].to_numpy()[rows],
            "shipping_method": normalise_method(table["shipping_method"]).to_numpy()[rows],
            "days": (received[rows] - shipped[rows]).astype(np.int64),
        }
    )


@dataclasses.dataclass(frozen=True, eq=False)
class DeliveryModel:
    """Delivery time [d] per shipping method: the buyer's observed days blended with a prior.

    ``days`` maps each normalised method with delivered orders (not ``unknown``) to its sorted
    observed days; ``pooled`` holds all delivered orders' days, sorted. The prior is uniform on
    [``low``, ``high``] d (rule 2, seed L56) with weight ``prior_weight`` pseudo-orders;
    ``p_lost`` is the chance a parcel never arrives. Build it with ``fit_delivery_model``.
    """

    days: Mapping[str, np.ndarray]
    pooled: np.ndarray
    low: int
    high: int
    prior_weight: float = DEFAULT_PRIOR_WEIGHT
    p_lost: float = DEFAULT_P_LOST

    def observed(self, method: str) -> np.ndarray:
        """Sorted observed days [d] the estimate for ``method`` uses (its own, else the pool)."""
        key = normalise_method(pd.Series([method])).iat[0]
        return self.days.get(key, self.pooled)

    def cdf(self, method: str, days: np.ndarray | int) -> np.ndarray:
        """P(delivered within ``days`` [d] | it arrives at all): the blended CDF, before losses."""
        return _blended_cdf(self.observed(method), np.asarray(days), self)

    def delivered_by(self, method: str, days: np.ndarray | int) -> np.ndarray:
        """P(delivered within ``days`` [d]) = (1 - p_lost) * cdf."""
        return (1.0 - self.p_lost) * self.cdf(method, days)


def fit_delivery_model(
    book: OrderBook,
    prior_weight: float = DEFAULT_PRIOR_WEIGHT,
    p_lost: float = DEFAULT_P_LOST,
    rulebook: Rulebook | None = None,
    on: dt.date = dt.date.max,
) -> DeliveryModel:
    """The delivery model of ``book``'s delivered orders (``delivery_days``), prior from the rulebook.

    Prior range [d]: ``high`` = the value of ``estimated_delivery_days`` (40, seed L56), ``low`` =
    the smallest of its alternatives not above it (20, seed L56; ``high`` if none);
    ``FALLBACK_RANGE`` if the rulebook lacks the rule. The entry is the one in force on ``on``
    (default: the newest).
    """
    if not prior_weight >= 0:
        raise ValueError(f"prior_weight must be 0 or more, not {prior_weight!r}")
    if not 0 <= p_lost < 1:
        raise ValueError(f"p_lost must be in [0, 1), not {p_lost!r}")
    low, high = prior_range(rulebook if rulebook is not None else load_rulebook(), on)
    delivered = delivery_days(book)
    methods = delivered["shipping_method"].to_numpy()
    days = delivered["days"].to_numpy()
    per_method = {
        str(m): _frozen(np.sort(days[methods == m])) for m in pd.unique(methods) if m != UNKNOWN
    }
    if prior_weight == 0 and len(days) == 0:
        raise ValueError("no delivered orders and prior_weight 0: nothing to estimate delivery from")
    return DeliveryModel(
        days=types.MappingProxyType(dict(sorted(per_method.items()))),
        pooled=_frozen(np.sort(days)),
        low=low,
        high=high,
        prior_weight=float(prior_weight),
        p_lost=float(p_lost),
    )


def prior_range(rulebook: Rulebook, on: dt.date = dt.date.max) -> tuple[int, int]:
    """The seller-stated delivery range (low, high) [d] of ``estimated_delivery_days`` (seed L56)
    in force on ``on``."""
    if RULE_ID not in rulebook.versions:
        return FALLBACK_RANGE
    return rulebook.range_on(RULE_ID, on)


def arrival_chance(model: DeliveryModel, book: OrderBook, today: dt.date, deadline: pd.Series) -> pd.Series:
    """P(a travelling parcel arrives by ``deadline`` | not arrived by ``today``), per order (float).

    Travelling: shipped on or before ``today``, not received and not confirmed by ``today`` (an
    event dated after ``today`` has not happened yet). With t = today - shipped_at [d] and
    d = deadline - shipped_at [d]: P = (F(d) - F(t)) / (1 - F(t)), 0 if d <= t; F as in the
    module docstring. ``deadline`` is a datetime64 Series indexed like ``book.table`` (e.g.
    the ``protection_ends`` due date, rules 2-3). NaN for orders not travelling or without a
    deadline. Where F(t) = 1 (only with ``p_lost`` 0: the parcel should have arrived) P = 0.
    """
    table = book.table
    if not deadline.index.equals(table.index):
        raise ValueError("deadline must be indexed like book.table")
    today_day = np.datetime64(today, "D").astype(np.int64)
    shipped = _day_numbers(table["shipped_at"])
    due = _day_numbers(pd.to_datetime(deadline))
    travelling = (shipped <= today_day) & ~(_day_numbers(table["received_at"]) <= today_day)
    travelling &= ~(_day_numbers(table["confirmed_at"]) <= today_day)  # NaN compares False
    rows = travelling & ~np.isnan(due)
    methods = normalise_method(table["shipping_method"]).to_numpy()
    waited = today_day - shipped
    until = due - shipped
    chance = np.full(len(table), np.nan)
    for method in pd.unique(methods[rows]):
        group = rows & (methods == method)
        t, d = waited[group], until[group]
        f_t = model.delivered_by(method, t)
        f_d = model.delivered_by(method, np.maximum(d, t))
        rest = 1.0 - f_t
        p = np.divide(f_d - f_t, rest, out=np.zeros_like(rest), where=rest > 0)
        chance[group] = np.clip(p, 0.0, 1.0)
    return pd.Series(chance, index=table.index, name="arrival_chance")


def summary(model: DeliveryModel) -> pd.DataFrame:
    """Per method with delivered orders, then the pool (``POOLED``): ``SUMMARY_COLUMNS``.

    ``orders`` = n delivered; ``median_days``, ``p90_days`` [d]: the first day of ``DAY_GRID``
    (0..365) where the blended CDF (of parcels that arrive) reaches 0.5 / 0.9, NA if none;
    ``prior_share`` = k / (n + k), how much of the estimate is the 20-40 d prior (seed L56).
    """
    groups = [*model.days.items(), (POOLED, model.pooled)]
    rows = []
    for method, days in groups:
        cdf = _blended_cdf(days, DAY_GRID, model)
        n, k = len(days), model.prior_weight
        rows.append(
            {
                "shipping_method": method,
                "orders": n,
                "median_days": _first_day(cdf, 0.5),
                "p90_days": _first_day(cdf, 0.9),
                "prior_share": k / (n + k) if n + k > 0 else 1.0,
            }
        )
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    frame["orders"] = frame["orders"].astype(np.int64)
    frame["median_days"] = frame["median_days"].astype("Int64")
    frame["p90_days"] = frame["p90_days"].astype("Int64")
    return frame


def _blended_cdf(observed: np.ndarray, t: np.ndarray, model: DeliveryModel) -> np.ndarray:
    """(count(observed <= t) + k * U_low,high(t)) / (n + k) for each t [d]."""
    n, k = len(observed), model.prior_weight
    count = np.searchsorted(observed, t, side="right")
    if model.high > model.low:
        prior = np.clip((t - model.low) / (model.high - model.low), 0.0, 1.0)
    else:
        prior = (t >= model.low).astype(np.float64)
    return (count + k * prior) / (n + k)


def _first_day(cdf: np.ndarray, q: float) -> int | None:
    reached = np.flatnonzero(cdf >= q - 1e-12)  # 1e-12: sums of fractions land just below q
    return int(DAY_GRID[reached[0]]) if len(reached) else None


def _day_numbers(column: pd.Series) -> np.ndarray:
    """A datetime column as float day numbers (days since 1970-01-01), NaN where NaT."""
    values = column.to_numpy(dtype="datetime64[D]")
    days = values.astype(np.int64).astype(np.float64)
    days[np.isnat(values)] = np.nan
    return days


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array
