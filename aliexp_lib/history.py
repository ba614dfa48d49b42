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

from aliexp_lib.rules import Rulebook, load_rulebook
from aliexp_lib.validate import OrderBook

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


def normalise_method(methods: pd.Series) -> pd.Series:
    """Shipping methods as grouped: blanks collapsed, stripped, case-folded; empty -> ``unknown``.

    Parameters
    ----------
    methods : pandas.Series
        Shipping method names as the orders give them; NA counts as empty.

    Returns
    -------
    pandas.Series
        Text, on ``methods``' index.

    Examples
    --------
    >>> import pandas as pd
    >>> methods = pd.Series(["  AliExpress  Standard Shipping", "aliexpress standard shipping", "", None])
    >>> normalise_method(methods).tolist()
    ['aliexpress standard shipping', 'aliexpress standard shipping', 'unknown', 'unknown']
    """
    codes, names = pd.factorize(methods.fillna("").astype(str))  # few distinct names: normalise those
    key = pd.Series(names, dtype=object).str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()
    key = key.where(key != "", UNKNOWN).to_numpy(dtype=object)
    return pd.Series(key.take(codes) if len(key) else np.array([], dtype=object), index=methods.index, dtype="str")


def delivery_days(book: OrderBook) -> pd.DataFrame:
    """The delivered orders: ``order_id``, ``shipping_method`` (normalised), ``days`` [d] (int).

    ``days`` = received_at - shipped_at; orders without both dates, or received before shipped
    (impossible, kept by the order book with a warning), are left out.

    Parameters
    ----------
    book : OrderBook
        The orders; read are ``order_id``, ``shipping_method``, ``shipped_at`` and ``received_at``.

    Returns
    -------
    pandas.DataFrame
        One row per delivered order, in book order: ``order_id`` (str), ``shipping_method`` (str,
        ``normalise_method``), ``days`` (int64 [d]).

    Examples
    --------
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "shipping_method": "Standard", "shipped_at": "2026-01-01", "received_at": "2026-01-16"},
    ...     {"order_id": "2", "shipping_method": "", "shipped_at": "2026-01-01", "received_at": "2026-01-31"},
    ...     {"order_id": "3", "shipping_method": "Standard", "shipped_at": "2026-02-01", "received_at": ""},
    ... ]))
    >>> delivery_days(book)  # doctest: +NORMALIZE_WHITESPACE
      order_id shipping_method  days
    0        1        standard    15
    1        2         unknown    30
    """
    table = book.table
    shipped = day_numbers_of(table["shipped_at"])
    received = day_numbers_of(table["received_at"])
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

    Parameters
    ----------
    days : mapping of str to numpy.ndarray of int [d]
        Normalised method -> its sorted observed delivery times.
    pooled : numpy.ndarray of int [d]
        Every delivered order's delivery time, sorted (unknown methods included).
    low, high : int [d]
        The prior's range (seller-stated 20-40 d, seed L56).
    prior_weight : float [orders], default ``DEFAULT_PRIOR_WEIGHT`` (5)
        Weight k of the prior, in pseudo-orders.
    p_lost : float [probability, 0-1], default ``DEFAULT_P_LOST`` (0.05)
        Chance that a parcel never arrives.

    Examples
    --------
    >>> import numpy as np
    >>> model = DeliveryModel(days={"standard": np.array([15, 25])}, pooled=np.array([15, 25, 30]), low=20, high=40)
    >>> model.observed("Standard"), model.observed("Saver")  # Saver: no history of its own, the pool
    (array([15, 25]), array([15, 25, 30]))
    """

    days: Mapping[str, np.ndarray]
    pooled: np.ndarray
    low: int
    high: int
    prior_weight: float = DEFAULT_PRIOR_WEIGHT
    p_lost: float = DEFAULT_P_LOST

    def observed(self, method: str) -> np.ndarray:
        """Sorted observed days [d] the estimate for ``method`` uses (its own, else the pool).

        Parameters
        ----------
        method : str
            A shipping method as orders give it (normalised here).

        Returns
        -------
        numpy.ndarray of int [d]
            Read-only where the model comes from ``fit_delivery_model``.

        Examples
        --------
        >>> import numpy as np
        >>> model = DeliveryModel(days={"standard": np.array([15, 25])}, pooled=np.array([15, 25, 30]), low=20, high=40)
        >>> model.observed(" STANDARD "), model.observed("")  # "" is ``unknown``: the pool
        (array([15, 25]), array([15, 25, 30]))
        """
        key = normalise_method(pd.Series([method])).iat[0]
        return self.days.get(key, self.pooled)

    def cdf(self, method: str, days: np.ndarray | int) -> np.ndarray:
        """P(delivered within ``days`` [d] | it arrives at all): the blended CDF, before losses.

        CDF(t) = (n * ECDF(t) + k * U_low,high(t)) / (n + k), n = ``len(observed(method))``,
        k = ``prior_weight``; day t counts from the shipping day (day 0) and includes day t.

        Parameters
        ----------
        method : str
            A shipping method as orders give it.
        days : int or numpy.ndarray of int [d]
            Days since shipment.

        Returns
        -------
        numpy.ndarray of float [probability, 0-1]
            One value per day (0-d for a scalar ``days``).

        Examples
        --------
        >>> import numpy as np
        >>> model = DeliveryModel(days={"standard": np.array([15, 25])}, pooled=np.array([15, 25, 30]), low=20, high=40)
        >>> model.cdf("standard", np.array([15, 30, 40])).round(4)  # (1 + 0) / 7, (2 + 5 * 0.5) / 7, (2 + 5) / 7
        array([0.1429, 0.6429, 1.    ])
        """
        return blended_cdf(self.observed(method), np.asarray(days), self)

    def delivered_by(self, method: str, days: np.ndarray | int) -> np.ndarray:
        """P(delivered within ``days`` [d]) = (1 - p_lost) * cdf.

        Parameters
        ----------
        method : str
            A shipping method as orders give it.
        days : int or numpy.ndarray of int [d]
            Days since shipment.

        Returns
        -------
        numpy.ndarray of float [probability, 0-1]
            Never above 1 - ``p_lost``.

        Examples
        --------
        >>> import numpy as np
        >>> model = DeliveryModel(days={"standard": np.array([15, 25])}, pooled=np.array([15, 25, 30]), low=20, high=40)
        >>> float(model.delivered_by("standard", 40))  # every arriving parcel by day 40; 5 % never arrive
        0.95
        """
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
    ``FALLBACK_RANGE`` if the rulebook lacks the rule. The entry is the one in force on ``on``.

    Parameters
    ----------
    book : OrderBook
        The buyer's orders; the delivered ones (``delivery_days``) are the observations.
    prior_weight : float [orders], default ``DEFAULT_PRIOR_WEIGHT`` (5)
        Weight of the prior, in pseudo-orders; 0 or more (an assumption, not a measurement).
    p_lost : float [probability], default ``DEFAULT_P_LOST`` (0.05)
        Chance a parcel never arrives, in [0, 1) (an assumption, not a measurement).
    rulebook : Rulebook, optional
        Default ``load_rulebook()``.
    on : datetime.date, optional
        The day whose entry of ``estimated_delivery_days`` is used (default: the newest entry).

    Returns
    -------
    DeliveryModel
        With read-only arrays; methods sorted by name.

    Raises
    ------
    ValueError
        If ``prior_weight`` < 0, ``p_lost`` is outside [0, 1), or there is nothing to estimate
        from (no delivered orders and ``prior_weight`` 0). A plain ``ValueError``, not ``InputError``.

    Examples
    --------
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "shipping_method": "Standard", "shipped_at": "2026-01-01", "received_at": "2026-01-16"},
    ...     {"order_id": "2", "shipping_method": "standard", "shipped_at": "2026-01-01", "received_at": "2026-01-26"},
    ...     {"order_id": "3", "shipping_method": "", "shipped_at": "2026-01-01", "received_at": "2026-01-31"},
    ... ]))
    >>> model = fit_delivery_model(book)
    >>> dict(model.days), model.pooled, (model.low, model.high)
    ({'standard': array([15, 25])}, array([15, 25, 30]), (20, 40))
    """
    if not prior_weight >= 0:
        raise ValueError(f"prior_weight must be 0 or more, not {prior_weight!r}")
    if not 0 <= p_lost < 1:
        raise ValueError(f"p_lost must be in [0, 1), not {p_lost!r}")
    low, high = prior_range(rulebook if rulebook is not None else load_rulebook(), on)
    delivered = delivery_days(book)
    methods = delivered["shipping_method"].to_numpy()
    days = delivered["days"].to_numpy()
    per_method = {str(m): _frozen(np.sort(days[methods == m])) for m in pd.unique(methods) if m != UNKNOWN}
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
    """The seller-stated delivery range (low, high) [d] of ``estimated_delivery_days`` (seed L56) in force on ``on``.

    ``high`` is the rule's value, ``low`` the smallest of its alternatives not above it (``high``
    if none); ``FALLBACK_RANGE`` (20, 40) where the rulebook lacks the rule.

    Parameters
    ----------
    rulebook : Rulebook
        The rules.
    on : datetime.date, optional
        The day whose entry is used (default: the newest).

    Returns
    -------
    tuple of (int, int) [d]
        (low, high).

    Examples
    --------
    >>> from aliexp_lib.rules import load_rulebook
    >>> prior_range(load_rulebook())
    (20, 40)
    """
    if RULE_ID not in rulebook.versions:
        return FALLBACK_RANGE
    return rulebook.range_on(RULE_ID, on)


def blended_cdf(observed: np.ndarray, t: np.ndarray, model: DeliveryModel) -> np.ndarray:
    """(count(observed <= t) + k * U_low,high(t)) / (n + k) for each t [d].

    Parameters
    ----------
    observed : numpy.ndarray of int [d]
        Sorted observed delivery times (n of them).
    t : numpy.ndarray of int [d]
        Days since shipment.
    model : DeliveryModel
        Gives k = ``prior_weight`` and the prior's [``low``, ``high``] (a step at ``low`` where equal).

    Returns
    -------
    numpy.ndarray of float [probability, 0-1]

    Examples
    --------
    >>> model = DeliveryModel(days={}, pooled=np.array([]), low=20, high=40)
    >>> blended_cdf(np.array([15, 25]), np.array([15, 30]), model).round(4)  # (1 + 0) / 7, (2 + 2.5) / 7
    array([0.1429, 0.6429])
    """
    n, k = len(observed), model.prior_weight
    count = np.searchsorted(observed, t, side="right")
    if model.high > model.low:
        prior = np.clip((t - model.low) / (model.high - model.low), 0.0, 1.0)
    else:
        prior = (t >= model.low).astype(np.float64)
    return (count + k * prior) / (n + k)


def day_numbers_of(column: pd.Series) -> np.ndarray:
    """A datetime column as float day numbers (days since 1970-01-01), NaN where NaT.

    Parameters
    ----------
    column : pandas.Series of datetime64

    Returns
    -------
    numpy.ndarray of float [d since 1970-01-01]

    Examples
    --------
    >>> day_numbers_of(pd.Series(pd.to_datetime(["1970-01-02", None, "2026-03-01"]))).tolist()
    [1.0, nan, 20513.0]
    """
    values = column.to_numpy(dtype="datetime64[D]")
    days = values.astype(np.int64).astype(np.float64)
    days[np.isnat(values)] = np.nan
    return days


def _frozen(array: np.ndarray) -> np.ndarray:
    """``array``, made read-only in place."""
    array.setflags(write=False)
    return array
