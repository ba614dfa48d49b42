"""Refund amounts recorded in the case log: checked against the order's price and currency, then used.

A ``refund_issued`` or ``refund_received`` recorded with an amount (a partial refund: 50.00 of a
600.00 order) is the money on its way, not the price. An amount in another currency than the
order's, or larger than its price, is not used (the price stays) and is a warning at load;
``aliexp record`` refuses it before it is written.

Place in "orders in": on the ground floor's ``money`` only; the overlay (``overlay.apply_events``)
adds the ``refund_minor`` column, ``Analysis.refunds`` reads it through ``refund_or_price``.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from aliexp_lib.errors import InputError
from aliexp_lib.money import known_currencies, minor_digits, money_text

#: Events whose amount is the money refunded.
REFUND_EVENTS = ("refund_issued", "refund_received")
_DECIMAL = r"\d{1,12}(?:\.\d+)?"


def check_refunds(events: pd.DataFrame, table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The refund events of ``events`` with an amount, in minor units, and what is wrong with each.

    Parameters
    ----------
    events : pandas.DataFrame
        ``order_id``, ``event``, ``amount`` (exact decimal text or None [currency units]) and
        ``currency`` (ISO 4217), as ``CaseLog.events()``.
    table : pandas.DataFrame
        ``order_id``, ``price_minor`` (Int64 [minor units]) and ``currency`` of the order book.

    Returns
    -------
    refunds : pandas.DataFrame
        ``order_id``, ``event``, ``amount_minor`` (Int64 [minor units of ``currency``]), ``currency``
        and ``usable`` (bool: the order's currency and no more than its price, or a price unknown).
    problems : list of str
        One per unusable refund: ``order X: refund_issued 700.00 RUB is more than the price 600.00 RUB``.

    Examples
    --------
    >>> table = pd.DataFrame({"order_id": ["81"], "price_minor": pd.array([60000], dtype="Int64"),
    ...                       "currency": ["RUB"]})
    >>> events = pd.DataFrame({"order_id": ["81", "81", "81"], "event": ["refund_issued"] * 3,
    ...                        "amount": ["50", "700.00", "5"], "currency": ["RUB", "RUB", "USD"]})
    >>> refunds, problems = check_refunds(events, table)
    >>> refunds["amount_minor"].tolist(), refunds["usable"].tolist()
    ([5000, 70000, 500], [True, False, False])
    >>> print("\\n".join(problems))
    order 81: refund_issued 700.00 RUB is more than the order's price 600.00 RUB
    order 81: refund_issued 5.00 USD is not in the order's currency RUB
    """
    amount = events["amount"].astype("string").str.strip().str.replace(",", ".", regex=False)
    readable = amount.str.fullmatch(_DECIMAL).fillna(False) & events["currency"].isin(known_currencies())
    has_amount = events["event"].isin(REFUND_EVENTS).to_numpy(dtype=bool) & readable.to_numpy(dtype=bool)
    rows = events.assign(amount=amount).loc[has_amount, ["order_id", "event", "amount", "currency"]]
    rows = rows.reset_index(drop=True)  # what the log itself would refuse is left to it (``caselog``)
    orders = table.drop_duplicates("order_id").set_index("order_id")
    price = pd.array(rows["order_id"].map(orders["price_minor"]), dtype="Int64")
    own = rows["order_id"].map(orders["currency"])
    minor = pd.array(
        [int(Decimal(a).scaleb(minor_digits(c))) for a, c in zip(rows["amount"], rows["currency"], strict=True)],
        dtype="Int64",
    )  # one per recorded refund, never per order
    other = (own.notna() & (own != rows["currency"])).to_numpy(dtype=bool)
    larger = ~other & np.asarray((minor > price).fillna(False), dtype=bool)
    shown = money_text(minor, rows["currency"].tolist())
    problems = [
        f"order {o}: {e} {s} {c} is not in the order's currency {oc}"
        if bad_currency
        else f"order {o}: {e} {s} {c} is more than the order's price {money_text(p, oc)} {oc}"
        for o, e, s, c, oc, p, bad_currency, bad_size in zip(
            rows["order_id"], rows["event"], shown, rows["currency"], own, price, other, larger, strict=True
        )
        if bad_currency or bad_size
    ]
    refunds = rows.drop(columns="amount").assign(amount_minor=minor, usable=~other & ~larger)
    return refunds[["order_id", "event", "amount_minor", "currency", "usable"]], problems


def recorded_refunds(table: pd.DataFrame, events: pd.DataFrame) -> tuple[pd.arrays.IntegerArray, list[str]]:
    """Per order of ``table``, the refund recorded last with a usable amount; warnings for the others.

    Parameters
    ----------
    table, events : pandas.DataFrame
        As ``check_refunds`` (``events`` in recorded order; only orders of ``table``).

    Returns
    -------
    refund_minor : pandas.arrays.IntegerArray
        Int64 [minor units of the order's currency], missing where no usable amount was recorded.
    warnings : list of str

    Examples
    --------
    >>> table = pd.DataFrame({"order_id": ["81", "82"], "price_minor": pd.array([60000, 100], dtype="Int64"),
    ...                       "currency": ["RUB", "RUB"]})
    >>> events = pd.DataFrame({"order_id": ["81", "81"], "event": ["refund_issued", "refund_received"],
    ...                        "amount": ["50.00", "900"], "currency": ["RUB", "RUB"]})
    >>> minor, warnings = recorded_refunds(table, events)
    >>> minor.tolist(), warnings
    ([5000, <NA>], ["case log: order 81: refund_received 900.00 RUB is more than the order's price 600.00 RUB; \
not used, the price is shown"])
    """
    refunds, problems = check_refunds(events, table)
    usable = refunds.loc[refunds["usable"].to_numpy(dtype=bool)]
    latest = usable.groupby("order_id", sort=False)["amount_minor"].last()
    minor = pd.array(table["order_id"].map(latest), dtype="Int64")
    return minor, [f"case log: {p}; not used, the price is shown" for p in problems]


def refund_or_price(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``amount_minor``: the refund recorded in the case log (``refund_minor``), else the price.

    Examples
    --------
    >>> rows = pd.DataFrame({"price_minor": pd.array([60000, 300], dtype="Int64"),
    ...                      "refund_minor": pd.array([5000, None], dtype="Int64")})
    >>> refund_or_price(rows)["amount_minor"].tolist()
    [5000, 300]
    >>> refund_or_price(rows.drop(columns="refund_minor"))["amount_minor"].tolist()
    [60000, 300]
    """
    recorded = rows["refund_minor"] if "refund_minor" in rows else pd.Series(pd.NA, index=rows.index, dtype="Int64")
    return rows.assign(amount_minor=recorded.fillna(rows["price_minor"]).astype("Int64"))


def refuse_refunds(events: pd.DataFrame, table: pd.DataFrame) -> None:
    """``InputError`` naming every refund of ``events`` not in its order's currency or over its price.

    ``aliexp record`` calls it before anything is written (``events`` as ``check_refunds``).

    Examples
    --------
    >>> table = pd.DataFrame({"order_id": ["81"], "price_minor": pd.array([60000], dtype="Int64"),
    ...                       "currency": ["RUB"]})
    >>> refuse_refunds(pd.DataFrame({"order_id": ["81"], "event": ["refund_received"], "amount": ["600.01"],
    ...                              "currency": ["RUB"]}), table)
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: record: order 81: refund_received 600.01 RUB is more than the order's price ...
    """
    _, problems = check_refunds(events, table)
    if problems:
        raise InputError(
            "\n".join(
                f"record: {p}; not recorded (record the amount refunded, in the order's currency)" for p in problems
            )
        )
