"""The "Aliexpress Shopper Inventory" browser extension's CSV file (one row per item).

Its columns: ``Order Date`` (ISO), ``Order ID``, ``Title``, ``Qty`` (the count of the item),
``Price`` (the unit price as the site showed it: ``US $120.95``, ``129,46zł``), ``Store``,
``Currency`` (an ISO code; a conflict with the price's own symbol is a problem), ``Status`` (as the
site showed it, in English, Russian or German), ``Store Url`` and others not needed (product ids,
attributes, pictures, tags). The order's price is the sum of ``Price`` x ``Qty`` over its items,
added exactly in minor units. ``Product Url`` is a product's page, not the order's: it is dropped.

The extension's JSON export (``shopper_inventory_json``) carries the same items and goes through
the same ``orders_of_items``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.importers import _common as c
from aliexp_lib.importers._minor import decimal_text, to_minor

NAME = "shopper_inventory_csv"
TITLE = 'the "Aliexpress Shopper Inventory" browser extension (CSV)'
SEP = ","
COLUMNS = (
    "Order Date",
    "Order ID",
    "Title",
    "Qty",
    "Price",
    "Store",
    "Product ID",
    "SKU ID",
    "Attributes",
    "Price Info",
    "Currency",
    "Status",
    "Product Url",
    "Product Image Url",
    "Store Url",
    "Tags",
)
#: Header names (folded) that together identify the format.
SIGNATURE = ("order date", "order id", "qty", "price", "sku id", "price info")
#: The columns an order is made of (the CSV's names; the JSON export's fields are renamed to them).
ITEM_COLUMNS = ("Order ID", "Order Date", "Title", "Qty", "Price", "Currency", "Status", "Store", "Store Url")
_TEXT = ("Order ID", "Title", "Qty", "Price", "Currency", "Store", "Store Url")


def convert(source: c.Source) -> pd.DataFrame:
    """One row per order (indexed by the row where it starts), from the item rows.

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
    >>> text = ("Order Date,Order ID,Title,Qty,Price,Store,Product ID,SKU ID,Price Info,Currency,Status\\n"
    ...         "2025-08-03,81,Cable,3,US $1.10,Shop,1,1,,USD,Completed\\n"
    ...         "2025-08-03,81,Plug,1,US $2.05,Shop,2,2,,USD,Completed\\n")
    >>> table = convert(c.Source(Path("inventory.csv"), text, SEP))
    >>> table.loc[0, ["ordered_at", "price", "currency", "items", "title", "status"]].astype(str).tolist()
    ['2025-08-03', '5.35', 'USD', '2', 'Cable (+1 more)', 'completed']
    """
    raw = c.read_table(source, ITEM_COLUMNS, "an Aliexpress Shopper Inventory file", strip=_TEXT)
    return orders_of_items(raw, source, {column: column for column in ITEM_COLUMNS})


def orders_of_items(raw: pd.DataFrame, source: c.Source, label: dict[str, str]) -> pd.DataFrame:
    """Orders from item rows with the columns ``ITEM_COLUMNS`` (categorical text), named in messages by ``label``.

    Parameters
    ----------
    raw : pandas.DataFrame
        One item per row, indexed by row position.
    source : _common.Source
    label : dict
        ``ITEM_COLUMNS`` name -> the file's own name of that column or field.

    Returns
    -------
    pandas.DataFrame
        As ``convert``.
    """
    order_id = raw["Order ID"]
    source.flag(order_id == "", order_id, label["Order ID"], f"{label['Order ID']} is required")
    status = c.statuses(raw["Status"], source, label["Status"])
    ordered_at, languages = c.dates(raw["Order Date"], source, label["Order Date"])
    languages |= c.status_languages(raw["Status"])
    number, symbol, readable = c.split_amount(raw["Price"])
    source.flag(~readable, raw["Price"], label["Price"], "not an amount; expected e.g. US $120.95 or 129,46zł")
    point, why = c.decimal_point([number], languages)
    unit = c.numbers(number, source, label["Price"], point, why)
    currency = c.currencies(raw["Currency"], source, label["Currency"])
    inline = c.currencies(symbol, source, label["Price"])
    currency = c.combined_currency(currency, inline, raw["Price"], source, label["Price"], label["Currency"])
    source.flag(
        (unit != "") & (currency == ""), raw["Currency"], label["Currency"], f"{label['Price']} needs its currency"
    )
    c.check_precision(unit, currency, raw["Price"], source, label["Price"])
    qty = raw["Qty"].astype(str)
    counted = qty.str.fullmatch(r"0*[1-9]\d{0,5}").astype(bool)
    source.flag(~counted, raw["Qty"], label["Qty"], "not a count of items; expected a whole number such as 1 or 2")
    store_url = c.store_links(raw["Store Url"], source, label["Store Url"])

    orders = c.Orders(order_id)
    source.flag(
        orders.disagree(currency),
        raw["Currency"],
        label["Currency"],
        "differs from another item of the same order (an order is paid in one currency)",
    )
    count = pd.to_numeric(pd.Series(np.where(counted, qty.to_numpy(object), "0"), index=qty.index)).astype("int64")
    line = to_minor(unit, currency) * count
    known = np.zeros(orders.n_orders, np.int64)  # items with a known amount, per order
    total = np.zeros(orders.n_orders, np.int64)  # their sum [minor units]
    has = np.asarray(line.notna())[orders.rows]
    np.add.at(known, orders.order[has], 1)
    np.add.at(total, orders.order[has], line.to_numpy(dtype="int64", na_value=0)[orders.rows][has])
    table = pd.DataFrame(
        {
            "order_id": orders.first(order_id),
            "ordered_at": orders.first(ordered_at),
            "store": orders.first(raw["Store"]),
            "status": orders.first(status),
            "currency": orders.first(currency),
            "store_url": orders.first(store_url),
            "first_title": orders.first(raw["Title"]),
        }
    )
    table["items"] = orders.tally(np.ones(orders.n_rows, bool))
    complete = known == table["items"].to_numpy()
    price = pd.Series(total, index=table.index, dtype="Int64").where(complete)
    table["price"] = decimal_text(price, table["currency"].astype(str)).to_numpy()
    partial = ~complete & (known > 0)
    if partial.any():
        source.warn(
            f"{int(partial.sum())} order(s) with an item of no readable price: price left empty "
            f"({source.lines_of(table.index[partial])})"
        )
    table["title"] = c.titled(table["first_title"], table["items"])
    return table.drop(columns="first_title")
