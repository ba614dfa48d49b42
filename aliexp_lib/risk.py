"""Seller risk signals, Saver Shipping deliveries and cashback (DOMAIN rules 27, 28, 30, 34, 35).

Every threshold is data with its source, in ``data/risk.toml`` (``thresholds``); where the seed
names a check but gives no number, the file says the value is an assumption. A
signal is a reason to look closer, never a verdict: each row says what was seen and what to check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from babel.numbers import get_decimal_symbol

from aliexp_lib.i18n import _, format_date
from aliexp_lib.thresholds import Threshold, load_thresholds
from aliexp_lib.tracking import _fill, _rule_ref
from aliexp_lib.validate import OrderBook

SIGNAL_COLUMNS = ("order_id", "signal", "reason", "rule")
CASHBACK_COLUMNS = ("order_id", "expected_minor", "currency", "lost", "reason")

# User-visible texts. Each is an English gettext message id (Russian in data/i18n/ru.po); a
# ``{name}`` is filled in after translation, per row with ``tracking._fill``.
_LOW_RATING = (
    "store rating {rating}% is below {limit}%: it has negative reviews; read the 1-star reviews and the store's "
    "reviews of the last 6 months; repeated complaints are a stop sign"
)
_YOUNG_STORE = (
    "store opened on {opened}, {days} days before today (under {limit}, an assumed threshold): little history to "
    "judge it by; read its reviews before trusting it"
)
_FEW_ORDERS = (
    "only {orders} order(s) (at most {limit}): if the price is also suspiciously cheap, be careful; a dearer offer "
    "with a good reputation is safer"
)
_CASHBACK_SCAM = (
    "promised cashback {rate}% is above {limit}% (an assumed threshold): offers near 100% are scams; typical "
    "cashback is {typical}"
)
_SAVER_EARLY = (
    "Saver Shipping parcel marked received {days} days after shipment (under {limit}, an assumed threshold): check "
    "that the parcel really reached you; Saver parcels travel in a bag under one number and can show delivered when "
    "they were not"
)
_TYPICAL = "{low}-{high}%"
_CASHBACK = (
    "{rate}% of the price: check that it showed in the cashback service within 10 minutes of paying (rule 34, seed "
    "L239)"
)
_CASHBACK_NO_PRICE = "no price given, so no amount"
_CASHBACK_LOST = (
    "a dispute was opened or a refund issued: cashback services usually cancel the cashback then (an assumption: "
    "the seed does not say)"
)
_CASHBACK_HIGH = "above the typical {typical} (rule 35, seed L275): check the offer"
_CASHBACK_OVER = "above {limit}% (an assumed threshold): offers near 100% are scams (rule 35, seed L251)"
#: Every message id this module shows, for translators and tests (rule references: ``tracking.RULE_REF``).
MESSAGES = (
    _LOW_RATING,
    _YOUNG_STORE,
    _FEW_ORDERS,
    _CASHBACK_SCAM,
    _SAVER_EARLY,
    _TYPICAL,
    _CASHBACK,
    _CASHBACK_NO_PRICE,
    _CASHBACK_LOST,
    _CASHBACK_HIGH,
    _CASHBACK_OVER,
)


def seller_signals(
    book: OrderBook, today: dt.date, thresholds: Mapping[str, Threshold] | None = None, *, lang: str = "en"
) -> pd.DataFrame:
    """Seller risk signals: one row per order and signal (``SIGNAL_COLUMNS``), in book order.

    - ``low_rating``: ``seller_rating`` [%] below ``min_seller_rating`` (rule 27, seed L127-139);
    - ``young_store``: ``store_opened_at`` less than ``min_store_age_days`` [d] before ``today``
      (rule 27, seed L137);
    - ``few_orders``: ``store_orders`` at or below ``few_orders`` [orders] (rule 28, seed L129);
    - ``cashback_scam``: ``cashback_rate`` [%] above ``cashback_scam_above`` (rule 35, seed L251).

    A missing value raises no signal. ``reason`` and ``rule`` are in ``lang``; ``signal`` is a code.
    Signals of one order come in the order above. A signal is a reason to look closer, not a verdict.

    Parameters
    ----------
    book : OrderBook
        The orders.
    today : datetime.date
        The day store ages are counted to: age [d] = ``today`` - ``store_opened_at``.
    thresholds : mapping of str to Threshold, optional
        Default ``load_thresholds()``.
    lang : {"en", "ru"}, default "en"
        Language of ``reason`` and ``rule`` (dates in ``reason``: ISO in English, the locale's otherwise).

    Returns
    -------
    pandas.DataFrame
        ``order_id``, ``signal`` (a code), ``reason``, ``rule`` (e.g. "rule 27, seed L137"), all str.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "seller_rating": "93", "store_orders": "2", "store_opened_at": "2026-02-01"},
    ...     {"order_id": "2", "seller_rating": "98", "store_orders": "500", "store_opened_at": "2020-01-01"},
    ... ]))
    >>> signals = seller_signals(book, dt.date(2026, 3, 1))
    >>> signals.loc[:, ["order_id", "signal", "rule"]]  # doctest: +NORMALIZE_WHITESPACE
      order_id       signal                    rule
    0        1   low_rating  rule 27, seed L127-139
    1        1  young_store      rule 27, seed L137
    2        1   few_orders      rule 28, seed L129
    >>> signals["reason"][1].split(":")[0]
    'store opened on 2026-02-01, 28 days before today (under 180, an assumed threshold)'
    """
    t = load_thresholds() if thresholds is None else thresholds
    table = book.table
    rating, orders, rate = table["seller_rating"], table["store_orders"], table["cashback_rate"]
    opened = table["store_opened_at"].to_numpy().astype("datetime64[D]")
    age = pd.Series((np.datetime64(today, "D") - opened).astype("int64"), index=table.index)
    min_rating, min_age = t["min_seller_rating"].value, t["min_store_age_days"].value
    few, scam = t["few_orders"].value, t["cashback_scam_above"].value
    opened_text = table["store_opened_at"].dt.strftime("%Y-%m-%d")
    if lang != "en":  # English keeps ISO dates; others take the locale's, one per distinct date
        opened_text = opened_text.map({day: format_date(day, lang) for day in opened_text.dropna().unique()})
    signals = (
        (
            "low_rating",
            (rating < min_rating).fillna(False),
            _fill(_(_LOW_RATING, lang), rating=_text(rating, lang), limit=_number_text(min_rating, lang)),
            _rule_ref(27, "L127-139", lang),
        ),
        (
            "young_store",
            pd.Series(~np.isnat(opened), index=table.index) & (age < min_age),
            _fill(_(_YOUNG_STORE, lang), opened=opened_text, days=age.astype(str), limit=_number_text(min_age, lang)),
            _rule_ref(27, "L137", lang),
        ),
        (
            "few_orders",
            (orders <= few).fillna(False),
            _fill(_(_FEW_ORDERS, lang), orders=_text(orders, lang), limit=_number_text(few, lang)),
            _rule_ref(28, "L129", lang),
        ),
        (
            "cashback_scam",
            (rate > scam).fillna(False),
            _fill(
                _(_CASHBACK_SCAM, lang),
                rate=_text(rate, lang),
                limit=_number_text(scam, lang),
                typical=_typical(t, lang),
            ),
            _rule_ref(35, "L251", lang),
        ),
    )
    return _signal_rows(table, signals)


def saver_marked_received_early(
    book: OrderBook, thresholds: Mapping[str, Threshold] | None = None, *, lang: str = "en"
) -> pd.DataFrame:
    """Saver Shipping orders received under ``saver_early_received_days`` [d] after shipment (rule 30, seed L79-85).

    ``shipping_method`` containing "saver" (any case) counts as Saver Shipping. Columns as
    ``seller_signals`` (signal ``saver_received_early``), in book order; ``reason`` and ``rule`` in ``lang``.
    Days [d] = ``received_at`` - ``shipped_at``; orders without both dates raise no signal. The
    threshold (10 d by default) is an assumption: the seed gives no number.

    Parameters
    ----------
    book : OrderBook
        The orders.
    thresholds : mapping of str to Threshold, optional
        Default ``load_thresholds()``; ``saver_early_received_days`` [d] is read.
    lang : {"en", "ru"}, default "en"
        Language of ``reason`` and ``rule``.

    Returns
    -------
    pandas.DataFrame
        ``SIGNAL_COLUMNS``, one row per early Saver order.

    Examples
    --------
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "shipping_method": "AliExpress Saver Shipping", "shipped_at": "2026-02-01",
    ...      "received_at": "2026-02-06"},
    ...     {"order_id": "2", "shipping_method": "AliExpress Standard Shipping", "shipped_at": "2026-02-01",
    ...      "received_at": "2026-02-06"},
    ... ]))
    >>> early = saver_marked_received_early(book)
    >>> early["order_id"].tolist(), early["rule"].tolist()
    (['1'], ['rule 30, seed L79-85'])
    >>> early["reason"][0].split(":")[0]
    'Saver Shipping parcel marked received 5 days after shipment (under 10, an assumed threshold)'
    """
    t = load_thresholds() if thresholds is None else thresholds
    table = book.table
    limit = t["saver_early_received_days"].value
    days = (table["received_at"] - table["shipped_at"]).dt.days
    saver = table["shipping_method"].fillna("").astype(str).str.contains("saver", case=False)
    early = saver & (days < limit).fillna(False)
    reason = _fill(_(_SAVER_EARLY, lang), days=_text(days, lang), limit=_number_text(limit, lang))
    return _signal_rows(table, (("saver_received_early", early, reason, _rule_ref(30, "L79-85", lang)),))


def cashback(book: OrderBook, thresholds: Mapping[str, Threshold] | None = None, *, lang: str = "en") -> pd.DataFrame:
    """Expected cashback of each order with a ``cashback_rate``, in book order (rules 34, 35).

    ``expected_minor`` (Int64, minor units of ``currency``) is ``price_minor * cashback_rate / 100``
    rounded half-even to the minor unit, exactly: the rate is read back as the decimal the user
    wrote and the division is done in integers (NA where the price is missing). ``lost`` is True
    when a dispute was opened or a refund issued: an assumption, as the seed does not say whether
    a refunded order keeps its cashback; cashback services usually cancel it (DOMAIN open question).
    ``reason`` is in ``lang``; it adds a warning where the rate is above the typical 2.5-7.5 %
    (rule 35, seed L275) or above ``cashback_scam_above`` (rule 35, seed L251).

    Parameters
    ----------
    book : OrderBook
        The orders; those without ``cashback_rate`` [%] are left out.
    thresholds : mapping of str to Threshold, optional
        Default ``load_thresholds()``; ``cashback_typical_low``, ``cashback_typical_high`` and
        ``cashback_scam_above`` [%] are read.
    lang : {"en", "ru"}, default "en"
        Language of ``reason``.

    Returns
    -------
    pandas.DataFrame
        ``CASHBACK_COLUMNS``: ``order_id`` (str), ``expected_minor`` (Int64 [minor units of
        ``currency``]), ``currency`` (str, ISO 4217), ``lost`` (bool), ``reason`` (str).

    Examples
    --------
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "price": "1000.00", "currency": "RUB", "cashback_rate": "2.5"},
    ...     {"order_id": "2", "price": "0.50", "currency": "USD", "cashback_rate": "5", "shipped_at": "2026-01-20",
    ...      "dispute_opened_at": "2026-02-01"},
    ...     {"order_id": "3", "price": "", "currency": "RUB", "cashback_rate": "3"},
    ...     {"order_id": "4", "price": "100", "currency": "RUB", "cashback_rate": ""},
    ... ]))
    >>> cashback(book).loc[:, ["order_id", "expected_minor", "currency", "lost"]]  # doctest: +NORMALIZE_WHITESPACE
      order_id  expected_minor currency   lost
    0        1            2500      RUB  False
    1        2               2      USD   True
    2        3            <NA>      RUB  False

    Order 2: 50 cents * 5 % = 2.5 cents, rounded half-even to 2.
    """
    t = load_thresholds() if thresholds is None else thresholds
    table = book.table
    orders = table[table["cashback_rate"].notna()]
    rate = orders["cashback_rate"]
    expected = _share_half_even(orders["price_minor"], rate)
    lost = (orders["dispute_opened_at"].notna() | orders["refund_issued_at"].notna()).astype(bool)
    high, scam = t["cashback_typical_high"].value, t["cashback_scam_above"].value
    parts = [
        _fill(_(_CASHBACK, lang), rate=_text(rate, lang)),
        _where(expected.isna(), _(_CASHBACK_NO_PRICE, lang)),
        _where(lost, _(_CASHBACK_LOST, lang)),
        _where((rate > high) & (rate <= scam), _(_CASHBACK_HIGH, lang).format(typical=_typical(t, lang))),
        _where(rate > scam, _(_CASHBACK_OVER, lang).format(limit=_number_text(scam, lang))),
    ]
    reason = parts[0]
    for extra in parts[1:]:
        reason = reason + ("; " + extra).where(extra != "", "")
    return pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "expected_minor": expected,
            "currency": orders["currency"],
            "lost": lost,
            "reason": reason,
        }
    ).reset_index(drop=True)


def _share_half_even(minor: pd.Series, percent: pd.Series) -> pd.Series:
    """``minor * percent / 100`` rounded half-even, exact; one pass per distinct rate, not per order.

    ``percent`` holds floats parsed from the user's decimal text; ``repr`` gives back that text
    (shortest round-trip form), so ``Decimal(repr(x))`` is the rate the user wrote.
    """
    out = pd.Series(pd.NA, index=minor.index, dtype="Int64")
    have = minor.notna() & percent.notna()
    for value in pd.unique(percent[have]):
        share = Fraction(Decimal(repr(float(value)))) / 100
        rows = have & (percent == value)
        amount = minor[rows].to_numpy(dtype=object) * share.numerator  # Python ints: no overflow
        quotient, rest = amount // share.denominator, amount % share.denominator
        up = (2 * rest > share.denominator) | ((2 * rest == share.denominator) & (quotient % 2 == 1))
        out[rows] = (quotient + up.astype(int)).astype("int64")
    return out


def _signal_rows(table: pd.DataFrame, signals) -> pd.DataFrame:
    """Rows of (name, mask, reason, rule) signals, ordered by the order's place in the book, then signal."""
    frames = [
        pd.DataFrame(
            {
                "position": np.flatnonzero(mask.to_numpy()),
                "order_id": table["order_id"][mask].to_numpy(),
                "signal": name,
                "reason": pd.Series(reason, index=table.index)[mask].to_numpy(),
                "rule": rule,
                "rank": rank,
            }
        )
        for rank, (name, mask, reason, rule) in enumerate(signals)
    ]
    rows = pd.concat(frames, ignore_index=True).sort_values(["position", "rank"], kind="stable")
    return rows.loc[:, list(SIGNAL_COLUMNS)].reset_index(drop=True)


def _where(mask: pd.Series, text: str) -> pd.Series:
    """``text`` where ``mask`` is True, "" elsewhere, on ``mask``'s index."""
    return pd.Series(np.where(mask.to_numpy(), text, ""), index=mask.index)


def _text(values: pd.Series, lang: str = "en") -> pd.Series:
    """Numbers as short text with ``lang``'s decimal sign: 93.0 -> "93", 96.5 -> "96.5" ("96,5" in Russian)."""
    text = values.astype(str).str.removesuffix(".0")
    sign = get_decimal_symbol(lang)
    return text if sign == "." else text.str.replace(".", sign, regex=False)


def _number_text(value: int | float, lang: str) -> str:
    """One threshold as short text (``:g``) with ``lang``'s decimal sign."""
    return f"{value:g}".replace(".", get_decimal_symbol(lang))


def _typical(t: Mapping[str, Threshold], lang: str = "en") -> str:
    """The typical cashback range, ``"2.5-7.5%"``, in ``lang``."""
    low, high = (_number_text(t[key].value, lang) for key in ("cashback_typical_low", "cashback_typical_high"))
    return _(_TYPICAL, lang).format(low=low, high=high)
