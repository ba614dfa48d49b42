"""Warnings about an order book, from every check at once: tracking numbers (rule 29), Saver
Shipping marked received too early (rule 30), seller risk signals (rules 27-28), cashback (34-35).

A warning says what looks wrong and why; it is not a verdict of fraud.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from aliexp_lib.risk import saver_marked_received_early, seller_signals
from aliexp_lib.thresholds import load_thresholds
from aliexp_lib.tracking import _rule_ref, check_tracking, duplicate_tracking
from aliexp_lib.validate import OrderBook

COLUMNS = ("order_id", "check", "reason", "rule")


def order_checks(book: OrderBook, today: dt.date, thresholds=None, *, lang: str = "en") -> pd.DataFrame:
    """Every warning for every order (``COLUMNS``), in order-book order; ``reason`` and ``rule`` in ``lang``.

    ``check`` is a code; ``i18n.label`` gives its display name. The checks, each with its rule:
    ``tracking_number`` and ``tracking_reused`` (rule 29, seed L179-183; ``tracking``),
    ``saver_received_early`` (rule 30), ``low_rating``, ``young_store``, ``few_orders`` and
    ``cashback_scam`` (rules 27-28, 35; ``risk.seller_signals``). Orders without a tracking number
    are not checked for one. Warnings of one order keep the order above: tracking, reuse, Saver,
    seller signals.

    Parameters
    ----------
    book : OrderBook
        The orders to check.
    today : datetime.date
        The day the store ages are counted to (``young_store``).
    thresholds : mapping of str to thresholds.Threshold, optional
        The risk thresholds by id; default ``thresholds.load_thresholds()`` (``data/risk.toml``).
    lang : {"en", "ru"}, default "en"
        Language of ``reason`` and ``rule``.

    Returns
    -------
    pandas.DataFrame
        One row per warning: ``order_id`` (str), ``check`` (str, a code), ``reason`` (str),
        ``rule`` (str, e.g. "rule 29, seed L179-183").

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "tracking_number": "RB123456780GB", "seller_rating": ""},
    ...     {"order_id": "2", "tracking_number": "", "seller_rating": "90"},
    ... ]))
    >>> found = order_checks(book, dt.date(2026, 3, 1))
    >>> found.loc[:, ["order_id", "check", "rule"]]  # doctest: +NORMALIZE_WHITESPACE
      order_id            check                    rule
    0        1  tracking_number  rule 29, seed L179-183
    1        2       low_rating  rule 27, seed L127-139
    """
    thresholds = thresholds if thresholds is not None else load_thresholds()
    table = book.table
    numbered = table[table["tracking_number"] != ""]
    tracking = check_tracking(numbered["tracking_number"], lang=lang)
    bad = ~tracking["valid"].to_numpy()
    rule = _rule_ref(29, "L179-183", lang)
    parts = [
        pd.DataFrame(
            {
                "order_id": numbered["order_id"].to_numpy()[bad],
                "check": "tracking_number",
                "reason": tracking["reason"].to_numpy()[bad],
                "rule": rule,
            }
        ),
        duplicate_tracking(book, lang=lang).assign(check="tracking_reused", rule=rule),
        saver_marked_received_early(book, thresholds, lang=lang).rename(columns={"signal": "check"}),
        seller_signals(book, today, thresholds, lang=lang).rename(columns={"signal": "check"}),
    ]
    found = pd.concat([p.loc[:, list(COLUMNS)] for p in parts], ignore_index=True)
    position = pd.Series(range(len(table)), index=table["order_id"])
    found["_at"] = found["order_id"].map(position)
    return found.sort_values(["_at"], kind="stable").drop(columns="_at").reset_index(drop=True)
