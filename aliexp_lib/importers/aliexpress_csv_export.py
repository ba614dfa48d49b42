"""The "AliExpress CSV Export" browser extension's file (comma-separated, one row per item).

Layout assumed (the extension writes it so; the fixtures under ``tests/importers/`` follow it):
each order has one row per item (``Item title``/``Item price`` filled, the ``Total ...`` columns
empty) followed by one totals row (item columns empty, ``Total price`` filled). The order's own
columns (date, status, store, currency, tracking, payment) are repeated on every row; the first
non-empty value of each is used. Variants are accepted: totals repeated on every item row (they
must agree), or an order with no totals row (its price is left empty, with a warning).

Dates, statuses, the currency and numbers come as the site showed them, in English, Russian or
German (``Aug 3, 2025``, ``3. Aug. 2025``, ``3 авг. 2025 г.``, ``Completed``, ``Abgeschlossen``,
``Завершено``, ``US $``, ``€``, ``руб.``). The buyer's name, address, phone, ZIP, city and region
are dropped; the buyer's country becomes ``destination``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.importers import _common as c

NAME = "aliexpress_csv_export"
TITLE = 'the "AliExpress CSV Export" browser extension'
SEP = ","
COLUMNS = (
    "Order Id",
    "Order date",
    "Order Status",
    "Order detail url",
    "Store Name",
    "Store url",
    "Currency",
    "Tracking number",
    "Tracking link",
    "Item title",
    "Item price",
    "Item quantity",
    "Item attributes",
    "Item image url",
    "Item product link",
    "Total order net price",
    "Total Shipping",
    "Total price adjustments",
    "Total discount",
    "Total EU Tax",
    "Total VAT",
    "Total price",
    "Buyer Full Name",
    "Buyer address",
    "Buyer Phone Number",
    "Buyer country",
    "Buyer region",
    "Buyer ZIP",
    "Buyer city",
    "Payment method",
)
#: Header names (folded) that together identify the format.
SIGNATURE = ("order id", "order date", "item title", "total price", "store url")
#: Personal columns: never read into the result.
PERSONAL = ("Buyer Full Name", "Buyer address", "Buyer Phone Number", "Buyer region", "Buyer ZIP", "Buyer city")
_READ = (
    "Order Id",
    "Order date",
    "Order Status",
    "Order detail url",
    "Store Name",
    "Store url",
    "Currency",
    "Tracking number",
    "Item title",
    "Item price",
    "Total order net price",
    "Total Shipping",
    "Total discount",
    "Total price",
    "Buyer country",
    "Payment method",
)
_TEXT = ("Order Id", "Store Name", "Tracking number", "Item title", "Item price", "Total price", "Payment method")
_AMOUNTS = ("Item price", "Total order net price", "Total Shipping", "Total discount", "Total price")


def convert(source: c.Source) -> pd.DataFrame:
    """One row per order (indexed by the row where it starts), from the item and totals rows.

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
    >>> text = ("Order Id,Order date,Item title,Item price,Total price,Store url,Currency\\n"
    ...         "81,Aug 3 2025,Cable,US $3.00,,//aliexpress.com/store/1,\\n"
    ...         "81,Aug 3 2025,Plug,US $2.50,,//aliexpress.com/store/1,\\n"
    ...         "81,Aug 3 2025,,,US $5.50,//aliexpress.com/store/1,\\n")
    >>> table = convert(c.Source(Path("export.csv"), text, SEP))
    >>> table.loc[0, ["ordered_at", "price", "currency", "items", "title"]].astype(str).tolist()
    ['2025-08-03', '5.50', 'USD', '2', 'Cable (+1 more)']
    """
    raw = c.read_table(source, _READ, "an AliExpress CSV Export file", strip=_TEXT)
    order_id = raw["Order Id"]
    source.flag(order_id == "", order_id, "Order Id", "Order Id is required")
    is_item = np.asarray((raw["Item title"] != "") | (raw["Item price"] != ""))

    status = c.statuses(raw["Order Status"], source, "Order Status")
    ordered_at, languages = c.dates(raw["Order date"], source, "Order date")
    languages |= c.status_languages(raw["Order Status"])
    point, why = c.decimal_point([raw[col] for col in _AMOUNTS], languages)
    number, symbol, readable = c.split_amount(raw["Total price"])
    source.flag(~readable, raw["Total price"], "Total price", "not an amount; expected e.g. 1234.56")
    price = c.numbers(number, source, "Total price", point, why)  # "" where Total price is empty (item rows)
    currency = c.currencies(raw["Currency"], source, "Currency")
    inline = c.currencies(symbol, source, "Total price")
    currency = c.combined_currency(currency, inline, raw["Total price"], source, "Total price", "Currency")
    source.flag(
        (price != "") & (symbol == "") & (raw["Currency"] == ""),
        raw["Currency"],
        "Currency",
        "Total price needs its currency",
    )
    c.check_precision(price, currency, raw["Total price"], source, "Total price")
    store_url = c.store_links(raw["Store url"], source, "Store url")
    order_url = c.store_links(raw["Order detail url"], source, "Order detail url")
    destination = c.countries(raw["Buyer country"], source, "Buyer country")

    rows = {
        "order_id": order_id,
        "ordered_at": ordered_at,
        "store": raw["Store Name"],
        "status": status,
        "currency": currency,
        "tracking_number": raw["Tracking number"],
        "payment_method": raw["Payment method"],
        "destination": destination,
        "store_url": store_url,
        "order_url": order_url,
        "price": price,
        "first_title": raw["Item title"],
    }
    orders = c.Orders(order_id)
    # Totals repeated on several rows of an order must agree.
    for column, label in (("price", "Total price"), ("currency", "Currency")):
        source.flag(orders.disagree(rows[column]), raw[label], label, "differs from another row of the same order")
    table = pd.DataFrame({column: orders.first(values) for column, values in rows.items()})
    table["items"] = orders.tally(is_item)
    table["title"] = c.titled(table["first_title"], table["items"].clip(lower=1))
    missing = table["price"] == ""
    if missing.any():
        source.warn(
            f"{int(missing.sum())} order(s) without a totals row (Total price), price left empty "
            f"({source.lines_of(table.index[missing])})"
        )
    return table.drop(columns="first_title")
