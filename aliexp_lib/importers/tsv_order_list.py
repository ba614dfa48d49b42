"""A tab-separated order list, one row per product (``Order Number`` repeats for each product).

Order-level columns (date, amounts, store, status, tracking) are repeated on each product row; the
first non-empty value of each is used. The price is ``Total Order Amount`` as displayed
(``US $12.34``, ``€1.234,56``...), its currency taken from its symbol. ``Tracking Status Last
Updated`` gives ``last_tracking_update_at`` (its date part).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.importers import _common as c

NAME = "tsv_order_list"
TITLE = "a tab-separated order list (one row per product)"
SEP = "\t"
COLUMNS = (
    "Order Number",
    "Order Date",
    "Subtotal",
    "Shipping and Tax",
    "Total Order Amount",
    "Store Name",
    "Order Status",
    "Tracking Number",
    "Tracking Status",
    "Tracking Status Last Updated",
    "Tracking Link",
    "Product Title",
    "Option",
    "Price",
    "Quantity",
    "Pieces Per Pack",
    "Total Quantity",
    "Landed Cost",
    "Product URL",
    "Image URL",
)
SIGNATURE = ("order number", "order date", "total order amount", "product title")
PERSONAL: tuple[str, ...] = ()
_READ = (
    "Order Number",
    "Order Date",
    "Subtotal",
    "Shipping and Tax",
    "Total Order Amount",
    "Store Name",
    "Order Status",
    "Tracking Number",
    "Tracking Status Last Updated",
    "Product Title",
    "Price",
    "Landed Cost",
)
_TEXT = ("Order Number", "Store Name", "Tracking Number", "Product Title", "Total Order Amount")
_AMOUNTS = ("Subtotal", "Shipping and Tax", "Total Order Amount", "Price", "Landed Cost")


def convert(source: c.Source) -> pd.DataFrame:
    """One row per order (indexed by the row where it starts), from its product rows.

    Parameters
    ----------
    source : _common.Source
        The file being imported; its problems and warnings are collected there.

    Returns
    -------
    pandas.DataFrame
        Text columns of our schema (ISO dates, ISO currency codes, plain decimal amounts [currency
        units]) plus ``items`` (count) and ``status``; problems are left for ``source.raise_problems()``.

    Examples
    --------
    >>> from pathlib import Path
    >>> text = ("Order Number\\tOrder Date\\tTotal Order Amount\\tProduct Title\\n"
    ...         "81\\t2025-08-03\\tUS $5.50\\tCable\\n81\\t2025-08-03\\tUS $5.50\\tPlug\\n")
    >>> table = convert(c.Source(Path("orders.tsv"), text, SEP))
    >>> table.loc[0, ["price", "currency", "items", "title"]].astype(str).tolist()
    ['5.50', 'USD', '2', 'Cable (+1 more)']
    """
    raw = c.read_table(source, _READ, "a tab-separated order list", strip=_TEXT)
    order_id = raw["Order Number"]
    source.flag(order_id == "", order_id, "Order Number", "Order Number is required")
    status = c.statuses(raw["Order Status"], source, "Order Status")
    ordered_at, languages = c.dates(raw["Order Date"], source, "Order Date")
    updated, more = c.dates(raw["Tracking Status Last Updated"], source, "Tracking Status Last Updated")
    languages |= more | c.status_languages(raw["Order Status"])
    point, why = c.decimal_point([c.split_amount(raw[col])[0] for col in _AMOUNTS], languages)
    number, symbol, readable = c.split_amount(raw["Total Order Amount"])
    source.flag(~readable, raw["Total Order Amount"], "Total Order Amount", "not an amount; expected e.g. US $12.34")
    price = c.numbers(number, source, "Total Order Amount", point, why)
    currency = c.currencies(symbol, source, "Total Order Amount")
    source.flag(
        (price != "") & (symbol == ""),
        raw["Total Order Amount"],
        "Total Order Amount",
        "no currency; expected it with its symbol or code, e.g. US $12.34",
    )
    c.check_precision(price, currency, raw["Total Order Amount"], source, "Total Order Amount")

    rows = {
        "order_id": order_id,
        "ordered_at": ordered_at,
        "store": raw["Store Name"],
        "status": status,
        "price": price,
        "currency": currency,
        "tracking_number": raw["Tracking Number"],
        "last_tracking_update_at": updated,
        "first_title": raw["Product Title"],
    }
    orders = c.Orders(order_id)
    for column, label in (("price", "Total Order Amount"), ("ordered_at", "Order Date")):
        source.flag(orders.disagree(rows[column]), raw[label], label, "differs from another row of the same order")
    table = pd.DataFrame({column: orders.first(values) for column, values in rows.items()})
    table["items"] = orders.tally(np.ones(len(order_id), bool))
    table["title"] = c.titled(table["first_title"], table["items"])
    return table.drop(columns="first_title")
